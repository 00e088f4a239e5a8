using System;
using System.Management.Automation;
using EnergyData.Connection;
using EnergyData.Errors;

namespace EnergyData.Commands;

/// <summary>Get-EnergyDataConnection: what the session is connected to, and how (never a secret).</summary>
[Cmdlet(VerbsCommon.Get, "EnergyDataConnection")]
[OutputType(typeof(EnergyDataConnection))]
public sealed class GetEnergyDataConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        // The connection a data command would use: the session's, or the one the ENERGYDATA_* variables give (made now,
        // as the first data command would make it, so that a script can check it before it sends anything).
        EnergyDataConnection connection;
        try
        {
            connection = EnergyDataSession.CurrentOrFromEnvironment();
        }
        catch (Exception exception) when (exception is NotConnectedException or Validation.ParameterValidationException)
        {
            // Non-terminating: asking is not a failure of the script, and a data command ends on it anyway.
            WriteError(ErrorRecords.From(ErrorMapper.FromException(exception, null)));
            return;
        }

        WriteObject(connection);
    }
}
