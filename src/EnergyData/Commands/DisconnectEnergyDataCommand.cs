using System.Management.Automation;
using EnergyData.Connection;

namespace EnergyData.Commands;

/// <summary>Disconnect-EnergyData: forgets the session's credentials and closes its connections.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "EnergyData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class DisconnectEnergyDataCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var current = EnergyDataSession.Current;
        if (current is null)
        {
            WriteVerbose("Not connected; nothing to do.");
            return;
        }

        if (ShouldProcess(current.ToString(), "Forget the credentials and close the connection"))
        {
            EnergyDataSession.Clear();
        }
    }
}
