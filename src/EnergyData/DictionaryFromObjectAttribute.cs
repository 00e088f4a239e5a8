using System;
using System.Collections.Specialized;
using System.Management.Automation;

namespace EnergyData.Commands;

/// <summary>
/// For a parameter typed as a dictionary (Invoke-KhipuRequest -RequestData, Invoke-NeuRequest -Body): a
/// [pscustomobject] (ConvertFrom-Json, Import-Clixml, Select-Object) binds as a dictionary of its note properties, in
/// their order. PowerShell itself has no conversion from a [pscustomobject] to IDictionary, so without this only
/// hashtables bound there, although [pscustomobject]s were already accepted inside one.
/// </summary>
/// <remarks>
/// Only the top level is converted here; values (nested objects, arrays, credentials) are left as they are for
/// <see cref="PlainValues"/>, which checks them and names the parameter. Anything else is passed on unchanged for the
/// binder to convert or refuse as before.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DictionaryFromObjectAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        if (inputData is not PSObject { BaseObject: PSCustomObject } custom)
        {
            return inputData;
        }

        var map = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var property in custom.Properties)
        {
            if (property.MemberType == PSMemberTypes.NoteProperty)
            {
                map[property.Name] = property.Value;
            }
        }

        return map;
    }
}
