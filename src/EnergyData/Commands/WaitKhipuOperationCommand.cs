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

    // The item fields of the first CEN row written, given to every later one (see RowFieldProperties).
    private readonly RowFieldProperties cenFieldProperties = new();
    private string? outputFolder;
    private string? inboxFolder;

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

    /// <summary>Khipu's LifeSpan text; past it (and five minutes' grace, without -Timeout) a missing result is LIFESPAN_EXCEEDED.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? LifeSpanRaw { get; set; }

    /// <summary>
    /// When the request was accepted (a KhipuOperation's SubmittedAt, or that CSV column): a LifeSpan earlier than it
    /// estimates nothing and is ignored, as for an operation with a pending record. Without it, an operation submitted
    /// with -CallbackUrl (no pending record) whose server echoed the document's example LifeSpan, from 2017, failed at
    /// once with LIFESPAN_EXCEEDED.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [CheckedConversion("SubmittedAt", typeof(DateTimeOffset))]
    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>
    /// The whole answer a KhipuOperation carries when Khipu answered the request at once with Data: the result is taken
    /// from it, without waiting.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ResultJson { get; set; }

    /// <summary>The inbox folder; the running receiver's, else the default one, when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InboxPath { get; set; }

    /// <summary>An existing folder: bill documents are saved there, as Get-EnelBillDocument -OutputPath does.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>Seconds to wait for all operations; -1 (default) waits until each arrives or passes its LifeSpan.</summary>
    [Parameter]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void BeginProcessing()
    {
        // Before any command upstream runs: in Import-Csv | Get-EnelBillDocument -Async | Wait-KhipuOperation, each
        // submission is billed as soon as it is sent, and a bad folder found only at the end would leave every result
        // in the inbox under operation ids nobody kept.
        inboxFolder = InboxPath is null ? null : ResolvePath(InboxPath, "InboxPath");
        outputFolder = OutputPath is null ? null : ResolvePath(OutputPath, "OutputPath");
        if (outputFolder is not null && !System.IO.Directory.Exists(outputFolder))
        {
            var error = new Validation.ParameterValidationException("OutputPath", "must be an existing folder", $"'{outputFolder}' does not exist.");
            ThrowTerminatingError(new ErrorRecord(error, "InvalidParameter", ErrorCategory.InvalidArgument, OutputPath));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        Dictionary<string, string> inputs;
        try
        {
            inputs = RequestInputText.Parse(RequestInputs);
        }
        catch (Validation.ParameterValidationException exception)
        {
            // Every operation of the record gets its error: none is silently left out of the wait.
            foreach (var id in OperationId)
            {
                WriteFailure(exception, id);
            }

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
                SubmittedAt = SubmittedAt,
                ResultJson = ResultJson,
            });
        }
    }

    protected override void EndProcessing()
    {
        // The inbox is resolved only now: a receiver started by a command upstream is the one whose inbox is read.
        var inbox = CallbackSession.ResolveInbox(inboxFolder);
        var options = new CallbackWaiterOptions { Timeout = Timeout < 0 ? null : TimeSpan.FromSeconds(Timeout) };
        var waiting = operations.ToArray();
        var folder = outputFolder;

        WriteVerbose($"Waiting for {waiting.Length} operation(s) in {inbox.Root}.");
        var activityId = NewProgressActivityId();
        Submit(null, async context =>
        {
            var waiter = new CallbackWaiter(inbox, options);
            void Report(int done, int total) => context.Progress(new ProgressInfo(activityId, "Wait-KhipuOperation", $"{done} of {total} operations collected") { PercentComplete = total == 0 ? 100 : done * 100 / total });
            // One failed operation never ends the wait for the others, whatever its kind.
            void Fail(Exception exception, string operationId)
            {
                var mapped = ErrorMapper.FromException(exception, operationId);
                context.WriteError(new OperationError(mapped.Exception, mapped.ErrorId, mapped.Kind, mapped.Target) { Message = mapped.Message, RecommendedAction = mapped.RecommendedAction });
            }

            await foreach (var outcome in waiter.WaitAsync(waiting, Report, context, context.CancellationToken).ConfigureAwait(false))
            {
                if (outcome.Error is { } error)
                {
                    Fail(error, outcome.Operation.OperationId);
                    continue;
                }

                foreach (var row in outcome.Results)
                {
                    object result;
                    try
                    {
                        result = folder is not null && row is EnelBillDocument bill
                            ? await KhipuClient.SaveBillDocumentAsync(bill, folder, context, context.CancellationToken).ConfigureAwait(false)
                            : row;
                    }
                    catch (Exception exception) when (exception is System.IO.IOException or UnauthorizedAccessException)
                    {
                        // A document that cannot be saved (the old copy open in a viewer, say) fails its own operation only.
                        Fail(exception, outcome.Operation.OperationId);
                        continue;
                    }

                    await context.WriteObjectAsync(result).ConfigureAwait(false);
                }
            }

            context.Progress(new ProgressInfo(activityId, "Wait-KhipuOperation", "Done") { Completed = true });
        });
        base.EndProcessing();
    }

    /// <summary>A file system path from a PowerShell path; a path that cannot be one ends the command, naming the parameter.</summary>
    private string ResolvePath(string path, string parameterName)
    {
        try
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                throw new ArgumentException($"'{path}' is on the {provider.Name} provider, not the file system.");
            }

            return System.IO.Path.GetFullPath(resolved);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or System.IO.IOException or SessionStateException or ProviderInvocationException)
        {
            var error = new Validation.ParameterValidationException(parameterName, "must be a file system path", exception.Message);
            ThrowTerminatingError(new ErrorRecord(error, "InvalidParameter", ErrorCategory.InvalidArgument, path));
            throw;
        }
    }

    protected override object Shape(object item)
    {
        if (item is not CenNonconformity row)
        {
            return item;
        }

        // As Get-CenNonconformity does: the item's fields are not public in Khipu's documents, so expose them flat,
        // under the names of the first CEN row this command wrote (the union of its page's fields).
        var shaped = cenFieldProperties.Add(row, row.GetFields(), out _, out var unwritten);
        if (unwritten.Count > 0)
        {
            WriteWarning(GetCenNonconformityCommand.NewFieldsWarning(row, unwritten, "Results whose rows differ can be collected in separate commands."));
        }

        return shaped;
    }
}
