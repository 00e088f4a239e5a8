using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Errors;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Wait-KhipuOperation: waits for asynchronous results in the inbox and emits the same typed rows as the
/// synchronous call. Operations bind by property name, so KhipuOperation objects and their Export-Csv rows
/// both work. The inbox is only read: Ctrl+C or a timeout leaves everything there for a later wait.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "KhipuOperation")]
[OutputType(typeof(EnelDebtStatus), typeof(EnelBillDocument), typeof(CenNonconformity), typeof(TgrResolution), typeof(TgrDebt), typeof(TgrInstalment), typeof(KhipuResponse))]
public sealed class WaitKhipuOperationCommand : EnergyDataCmdlet
{
    private readonly List<PendingOperation> operations = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] OperationId { get; set; } = Array.Empty<string>();

    /// <summary>Short service name (EnelDebtStatus, ...); the pending record's when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Service { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ServicePath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? InputIdentifier { get; set; }

    /// <summary>The JSON a KhipuOperation carries in RequestInputs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? RequestInputs { get; set; }

    /// <summary>Khipu's LifeSpan text; past it (and a minute's grace) a missing result is LIFESPAN_EXCEEDED.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? LifeSpanRaw { get; set; }

    /// <summary>The inbox folder; the running receiver's, else the default one, when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InboxPath { get; set; }

    /// <summary>Seconds to wait for all operations; -1 (default) waits until each arrives or passes its LifeSpan.</summary>
    [Parameter]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void ProcessRecord()
    {
        Dictionary<string, string> inputs;
        try
        {
            inputs = RequestInputText.Parse(RequestInputs);
        }
        catch (Validation.ParameterValidationException exception)
        {
            WriteFailure(exception, OperationId.Length > 0 ? OperationId[0] : null);
            return;
        }

        foreach (var id in OperationId)
        {
            operations.Add(new PendingOperation
            {
                OperationId = id,
                Service = Service,
                ServicePath = ServicePath,
                InputIdentifier = InputIdentifier,
                RequestInputs = new Dictionary<string, string>(inputs, StringComparer.Ordinal),
                LifeSpanRaw = LifeSpanRaw,
                LifeSpan = KhipuOperation.ParseLifeSpan(LifeSpanRaw),
            });
        }
    }

    protected override void EndProcessing()
    {
        var inbox = CallbackSession.ResolveInbox(InboxPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(InboxPath));
        var options = new CallbackWaiterOptions { Timeout = Timeout < 0 ? null : TimeSpan.FromSeconds(Timeout) };
        var waiting = operations.ToArray();
        WriteVerbose($"Waiting for {waiting.Length} operation(s) in {inbox.Root}.");
        Submit(null, async context =>
        {
            var waiter = new CallbackWaiter(inbox, options);
            void Report(int done, int total) => context.Progress(new ProgressInfo(3, "Wait-KhipuOperation", $"{done} of {total} operations collected") { PercentComplete = total == 0 ? 100 : done * 100 / total });
            await foreach (var outcome in waiter.WaitAsync(waiting, Report, context, context.CancellationToken).ConfigureAwait(false))
            {
                if (outcome.Error is { } error)
                {
                    // One failed operation never ends the wait for the others, whatever its kind.
                    var mapped = ErrorMapper.FromException(error, outcome.Operation.OperationId);
                    context.WriteError(new OperationError(mapped.Exception, mapped.ErrorId, mapped.Kind, mapped.Target) { Message = mapped.Message, RecommendedAction = mapped.RecommendedAction });
                    continue;
                }

                foreach (var row in outcome.Results)
                {
                    await context.WriteObjectAsync(row).ConfigureAwait(false);
                }
            }

            context.Progress(new ProgressInfo(3, "Wait-KhipuOperation", "Done") { Completed = true });
        });
        base.EndProcessing();
    }

    protected override object Shape(object item)
    {
        if (item is not CenNonconformity row)
        {
            return item;
        }

        // As Get-CenNonconformity does: the item's fields are not public in Khipu's documents, so expose them flat.
        var shaped = PSObject.AsPSObject(row);
        foreach (var field in row.GetFields())
        {
            if (shaped.Properties[field.Key] is null)
            {
                shaped.Properties.Add(new PSNoteProperty(field.Key, field.Value));
            }
        }

        return shaped;
    }
}
