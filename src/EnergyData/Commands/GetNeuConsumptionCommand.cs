using System;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Get-NeuConsumption: energy readings of an account or of services, one row per service per timestamp, streamed as
/// the response arrives (hourly data for a year is millions of rows).
/// </summary>
[Cmdlet(VerbsCommon.Get, "NeuConsumption", DefaultParameterSetName = ByServiceSet)]
[OutputType(typeof(NeuConsumption))]
public sealed class GetNeuConsumptionCommand : NeuCmdlet
{
    private const string ByServiceSet = "ByService";
    private const string ByAccountSet = "ByAccount";

    /// <summary>One account: every service of it (Id_account).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByAccountSet)]
    [Alias("id_account")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    public long AccountId { get; set; }

    /// <summary>Services, sent together in one request (Id_services).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByServiceSet)]
    [Alias("id_service", "Id_services")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    public long[] ServiceId { get; set; } = [];

    /// <summary>Detail of the readings: Hourly, Daily (default) or Monthly.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public NeuInterval Interval { get; set; } = NeuInterval.Daily;

    /// <summary>First timestamp (NEU local time, sent as yyyy-MM-ddTHH:mm:ss).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    public DateTime From { get; set; }

    /// <summary>Last timestamp.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    public DateTime To { get; set; }

    /// <summary>Rows stream by the million: the pump's streaming buffer (bounded across operations).</summary>
    protected override PumpOptions PumpOptions => PumpOptions.Streaming(ThrottleLimit, !Unordered.IsPresent);

    protected override void ProcessRecord()
    {
        var query = new NeuConsumptionQuery
        {
            AccountId = ParameterSetName == ByAccountSet ? AccountId : null,
            ServiceIds = ParameterSetName == ByServiceSet ? ServiceId : null,
            Interval = Interval,
            From = From,
            To = To,
        };
        object target = ParameterSetName == ByAccountSet ? AccountId : string.Join(",", ServiceId);
        Submit(target, context => context.WriteBatchesAsync(Neu.GetConsumptionBatchesAsync(query, context, context.CancellationToken)));
    }
}
