using System.Management.Automation;
using EnergyData.Connection;

namespace EnergyData.Commands;

/// <summary>
/// Disconnect-EnergyData: forgets the session's credentials and closes its connections; with -Connection, closes
/// that connection (one kept from Connect-EnergyData -PassThru) instead.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "EnergyData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class DisconnectEnergyDataCommand : PSCmdlet
{
    /// <summary>A connection to close (from Connect-EnergyData -PassThru); the session's when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public EnergyDataConnection? Connection { get; set; }

    protected override void ProcessRecord()
    {
        if (Connection is { } connection && ShouldProcess(connection.ToString(), "Close the connection"))
        {
            EnergyDataSession.Close(connection);
        }
    }

    protected override void EndProcessing()
    {
        // Connections piped in were closed one by one; an empty pipeline (nothing matched upstream) closes nothing,
        // rather than falling back to forgetting the session's credentials.
        if (MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(Connection)))
        {
            return;
        }

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
