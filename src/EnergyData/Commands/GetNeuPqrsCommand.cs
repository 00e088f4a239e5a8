using System;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuPqrs: the petitions, complaints and claims (PQRS) the user filed, optionally in a date range.</summary>
[Cmdlet(VerbsCommon.Get, "NeuPqrs")]
[OutputType(typeof(NeuPqrs))]
public sealed class GetNeuPqrsCommand : NeuCmdlet
{
    /// <summary>Earliest filing date (sent as NEU local time, yyyy-MM-ddTHH:mm:ss).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime? From { get; set; }

    /// <summary>Latest filing date.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime? To { get; set; }

    protected override void ProcessRecord()
    {
        var from = From;
        var to = To;
        Submit(null, context => context.WriteAllAsync(Neu.GetPqrsAsync(from, to, context, context.CancellationToken)));
    }
}
