using System;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;
using EnergyData.Validation;

namespace EnergyData.Commands;

/// <summary>
/// Get-NeuConsumption: energy readings of an account or of services, one row per service per timestamp, streamed as
/// the response arrives (hourly data for a year is millions of rows).
/// </summary>
/// <remarks>
/// One parameter set, on purpose. With an account set and a service set, the binder tries the default set first at
/// each pipeline stage, and Interval/From/To (in every set) bind there: a CSV row or an object with an account id was
/// locked onto the service set and failed for want of -ServiceId. Here both ids are optional, and the core refuses
/// an input that gives neither (or both), per input and before any request.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "NeuConsumption")]
[OutputType(typeof(NeuConsumption))]
public sealed class GetNeuConsumptionCommand : NeuCmdlet
{
    // -ServiceId when this input did not give it. The binder restores a pipeline parameter's value from before the
    // first input (this instance) ahead of each input, so the reference tells "not given" from a piped $null, which is
    // given but empty and must be refused, not read as "the account instead". (MyInvocation.BoundParameters cannot
    // tell: it keeps what earlier piped objects bound.)
#pragma warning disable CA1825 // A distinct instance, compared by reference: Array.Empty would be shared.
    private static readonly long[] ServiceIdNotGiven = new long[0];
#pragma warning restore CA1825

    private bool accountOnCommandLine;
    private bool servicesOnCommandLine;

    /// <summary>One account: every service of it (Id_account).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("id_account")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("AccountId", typeof(long), EmptyText = EmptyIdText.Null)]
    public long? AccountId { get; set; }

    /// <summary>Services, sent together in one request (Id_services).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("id_service", "Id_services")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("ServiceId", typeof(long), EmptyText = EmptyIdText.PassedOn)]
    public long[]? ServiceId { get; set; } = ServiceIdNotGiven;

    /// <summary>Detail of the readings: Hourly, Daily (default) or Monthly.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [CheckedConversion("Interval", typeof(NeuInterval))]
    public NeuInterval Interval { get; set; } = NeuInterval.Daily;

    /// <summary>First timestamp (NEU local time, sent as yyyy-MM-ddTHH:mm:ss).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime From { get; set; }

    /// <summary>Last timestamp.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime To { get; set; }

    /// <summary>Rows stream by the million: the pump's streaming buffer (bounded across operations).</summary>
    protected override PumpOptions PumpOptions => PumpOptions.Streaming(ThrottleLimit, !Unordered.IsPresent);

    protected override void BeginProcessing()
    {
        // Pipeline input is bound after this, per input: what is bound now came from the command line.
        accountOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(AccountId));
        servicesOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(ServiceId));
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        var query = NeuConsumptionQuery.ForInput(
            AccountId,
            AccountId is null ? ArgumentSource.NotGiven : Source(accountOnCommandLine),
            ServiceId,
            ReferenceEquals(ServiceId, ServiceIdNotGiven) ? ArgumentSource.NotGiven : Source(servicesOnCommandLine),
            Interval,
            From,
            To,
            // Only when neither id was written at all: -AccountId $null (an unset variable, a misspelt property) is
            // given, and refused, not read as "every service".
            everyServiceWhenNeither: !MyInvocation.ExpectingInput && !accountOnCommandLine && !servicesOnCommandLine);
        object? target = query.AccountId is { } accountId ? accountId : query.ServiceIds is { } serviceIds ? string.Join(",", serviceIds) : null;

        // The query is checked inside the operation, so an input that names neither an account nor services is that
        // input's error (before any request) and the others go on.
        Submit(target, context => context.WriteBatchesAsync(Neu.GetConsumptionBatchesAsync(query, context, context.CancellationToken)));
    }

    private static ArgumentSource Source(bool onCommandLine) => onCommandLine ? ArgumentSource.CommandLine : ArgumentSource.Pipeline;
}
