using System;
using System.Management.Automation;

namespace EnergyData.Commands;

/// <summary>
/// For an account-credential parameter that takes pipeline input (CEN's and TGR's -AccountCredential), in place of
/// [Credential]: a PSCredential binds as it is; an empty value (an empty CSV cell, $null) binds as none given, so the
/// session's credential is used; a user name alone is refused with a clear error.
/// </summary>
/// <remarks>
/// [Credential] prompts for a password whenever it gets text, once per piped row, which stalls an unattended script and
/// fails under -NonInteractive; and it throws on any other object, which at the by-value stage the binder reports as the
/// input's error instead of trying the input's properties. Here any other object is a PSInvalidCastException, which the
/// binder takes as "not this parameter's type" at the by-value stage and goes on to bind the object's properties by
/// name, so a row with an AccountCredential property binds as the help says (a row that binds no parameter at all is
/// PowerShell's own InputObjectNotBound error for that row).
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AccountCredentialAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapper ? wrapper.BaseObject : inputData;
        return value switch
        {
            null => null,
            PSCredential credential => credential,
            string text when string.IsNullOrWhiteSpace(text) => null,
            string => throw new ArgumentTransformationMetadataException(
                $"'AccountCredential' must be a PSCredential (from Get-Credential, Get-Secret or Import-Clixml), not text: a user name alone has no password, and no prompt is shown for piped input."),
            _ => throw new PSInvalidCastException($"'AccountCredential' takes a PSCredential, not a {value.GetType().Name}."),
        };
    }
}
