using System;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuFrontierConsumption: hourly consumption of market frontiers by SIC code (the DDV endpoint), streamed.</summary>
[Cmdlet(VerbsCommon.Get, "NeuFrontierConsumption")]
[OutputType(typeof(NeuFrontierConsumption))]
public sealed class GetNeuFrontierConsumptionCommand : NeuCmdlet
{
    /// <summary>
    /// SIC frontier codes, sent together in one request (Sic_codes): text, numbers, or objects with a SicCode property or
    /// one of its aliases, whose value is taken before the binder would convert the whole object to text.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("sic_code", "Sic_codes", "Frontier")]
    [TextFromPipeline(nameof(SicCode), "sic_code", "Sic_codes", "Frontier")]
    [AllowEmptyString]
    public string[] SicCode { get; set; } = [];

    /// <summary>First hour (sent as yyyy-MM-ddTHH:mm:ssZ, the clock time given, as the endpoint's known caller does).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime From { get; set; }

    /// <summary>Last hour (inclusive: 23:00 of a day gives its 24 hours).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime To { get; set; }

    protected override void ProcessRecord()
    {
        var codes = SicCode;
        var from = From;
        var to = To;
        Submit(string.Join(",", codes), context => context.WriteAllAsync(Neu.GetFrontierConsumptionAsync(codes, from, to, context, context.CancellationToken)));
    }
}
