using System.Management.Automation;
using EnergyData.Connection;

namespace EnergyData.Commands;

/// <summary>Get-EnergyDataConnection: what the session is connected to, and how (never a secret).</summary>
[Cmdlet(VerbsCommon.Get, "EnergyDataConnection")]
[OutputType(typeof(EnergyDataConnection))]
public sealed class GetEnergyDataConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (EnergyDataSession.Current is { } connection)
        {
            WriteObject(connection);
            return;
        }

        WriteError(new ErrorRecord(
            new NotConnectedException("Not connected. Run Connect-EnergyData first."),
            "NotConnected",
            ErrorCategory.ObjectNotFound,
            null));
    }
}
