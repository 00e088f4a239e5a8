using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Khipu;

namespace EnergyData.Callbacks;

/// <summary>
/// Submits a Khipu request in asynchronous mode and keeps what is needed to collect it: the request's
/// identifying inputs on the <see cref="KhipuOperation"/>, and, through a receiver, a pending record in its
/// inbox. The receiver's secret never appears on the operation (its CallbackUrl shows *** instead).
/// </summary>
public static class AsyncSubmission
{
    // See SubmitAsync: how much earlier than the request a stored result must be to count as another operation's.
    private static readonly TimeSpan StaleResultMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The CallbackUrl one input is sent with: its own (<paramref name="inputCallbackUrl"/>, the parameter's value, which
    /// a piped object's property or a CSV column may bind), else the receiver's with -Async
    /// (<paramref name="asyncCallbackUrl"/>), else null (a synchronous call). An input that carries a CallbackUrl of its
    /// own under -Async is refused: the cmdlet's check of -Async against -CallbackUrl sees only the command line, and
    /// the input's URL would silently win, sending its result where no receiver collects it.
    /// </summary>
    /// <exception cref="Validation.ParameterValidationException">The input carries a CallbackUrl and -Async was given.</exception>
    public static Uri? ChooseCallbackUrl(Uri? inputCallbackUrl, Uri? asyncCallbackUrl)
    {
        // An empty CSV cell binds as an empty relative Uri: like an empty cell of any other column, it counts as not given.
        var given = inputCallbackUrl is null || string.IsNullOrWhiteSpace(inputCallbackUrl.OriginalString) ? null : inputCallbackUrl;
        if (asyncCallbackUrl is null)
        {
            return given;
        }

        if (given is not null)
        {
            throw new Validation.ParameterValidationException(
                "Async",
                "cannot be combined with -CallbackUrl",
                "This input carries a CallbackUrl of its own (a property of the piped object, or a CSV column), which would send its result elsewhere; nothing was sent for it. Leave that property out (Select-Object -ExcludeProperty CallbackUrl), or leave out -Async.");
        }

        return asyncCallbackUrl;
    }

    public static Task<KhipuOperation> SubmitAsync(
        KhipuClient client,
        KhipuRequest request,
        string? inputIdentifier,
        string? detail,
        CallbackReceiver? receiver,
        IRequestTrace? trace,
        CancellationToken cancellationToken) =>
        SubmitAsync(client, request, inputIdentifier, detail, receiver, null, trace, cancellationToken);

    /// <summary>
    /// Submits <paramref name="request"/> (which has a CallbackUrl) and returns its operation. Through
    /// <paramref name="receiver"/> (or the session's, when the CallbackUrl is its own), the inbox is checked before
    /// sending and the operation is filed as pending. <paramref name="submitted"/> holds the OperationIds the command's
    /// earlier submissions were given: one given again is this input's error.
    /// </summary>
    public static async Task<KhipuOperation> SubmitAsync(
        KhipuClient client,
        KhipuRequest request,
        string? inputIdentifier,
        string? detail,
        CallbackReceiver? receiver,
        SubmittedOperations? submitted,
        IRequestTrace? trace,
        CancellationToken cancellationToken)
    {
        if (client is null)
        {
            throw new ArgumentNullException(nameof(client));
        }

        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        // A CallbackUrl given by hand that is the session receiver's own (-CallbackUrl $receiver.CallbackUrl) is handled as
        // -Async is: its secret stays off the operation (which users export to CSV) and the operation is filed as pending.
        if (receiver is null && CallbackSession.Current is { } session && session.Owns(request.CallbackUrl))
        {
            receiver = session;
        }

        // Only a request sent to the receiver's own URL is filed in its inbox.
        var filing = receiver is not null && receiver.Owns(request.CallbackUrl) ? receiver : null;
        if (filing is not null)
        {
            // Before sending: once Khipu has accepted (and billed) the request, an inbox that cannot take its pending
            // record no longer stops anything, and the operation would be collectable only from its KhipuOperation.
            try
            {
                filing.Inbox.EnsureWritable();
            }
            catch (InboxFolderException exception)
            {
                throw exception.BeforeSubmission();
            }
        }

        // The request body shown at -Debug carries the CallbackUrl: keep the receiver's secret out of it.
        var shownTrace = receiver is not null && trace is not null ? new SecretRedactingTrace(trace, receiver) : trace;
        var sending = DateTimeOffset.UtcNow;
        var operation = await client.SubmitAsync(request, inputIdentifier, shownTrace, cancellationToken).ConfigureAwait(false);
        operation.RequestInputs = RequestInputText.Describe(request, detail);
        if (string.IsNullOrEmpty(operation.OperationId))
        {
            // An empty or non-JSON 202 still acknowledges a billed request, but a KhipuOperation without an OperationId
            // matches no delivery and cannot even be piped to Wait-KhipuOperation (which requires one): the input's error,
            // naming it, says what happened instead of a row that fails later.
            throw new KhipuProtocolException(operation.ResultJson is null
                ? $"Khipu accepted {DescribeRequest(operation)} without an OperationId in its answer: the result it delivers to the CallbackUrl cannot be matched to this request, so no KhipuOperation is written for it. The request is billed; submit this input again later (-Debug shows Khipu's answers)."
                : $"Khipu answered {DescribeRequest(operation)} at once, with Data but without an OperationId, although a CallbackUrl was given: the result cannot be kept as an operation to collect. The request is billed; run it without -Async and -CallbackUrl to get the result synchronously (-Debug shows Khipu's answers).");
        }

        // Before filing: the pending record stays the one of the request that was given the OperationId first.
        if (submitted is not null && !submitted.TryAdd(operation.OperationId!, DescribeRequest(operation), out var earlierRequest))
        {
            throw new KhipuProtocolException($"Khipu gave {DescribeRequest(operation)} the OperationId {operation.OperationId}, which it had already given to {earlierRequest} in this command. One OperationId cannot tell their results apart (the inbox keeps one result for it, and Wait-KhipuOperation collects it once), so no KhipuOperation is written for this input. The request is billed; submit this input again later, and tell Khipu's support about the repeated OperationId.");
        }

        if (filing is null)
        {
            return operation;
        }

        operation.CallbackUrl = filing.RedactedCallbackUrl;
        try
        {
            await FileAsync(filing, operation, sending, trace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The inbox failed after the check above (replaced or filled meanwhile). The request is accepted and billed:
            // its KhipuOperation, which carries everything the pending record would have, is what can still collect it.
            trace.Warn($"Khipu accepted {DescribeRequest(operation)} (OperationId {operation.OperationId}), but its pending record could not be written to the inbox: {exception.Message} The request is billed; keep its KhipuOperation (or the row exported from it) and collect the result with Wait-KhipuOperation from it: without the record, the OperationId alone is not enough.");
        }

        return operation;
    }

    /// <summary>"the EnelDebtStatus request for ClientIdentifier 1234567-8" (or "... request to &lt;path&gt;" without an input).</summary>
    internal static string DescribeRequest(KhipuOperation operation) => DescribeRequest(PendingOperation.FromOperation(operation));

    private static string DescribeRequest(PendingOperation record) =>
        record.DescribeInput() is { } input
            ? $"the {record.Service} request for {input}"
            : $"the {record.Service} request to {record.ServicePath}";


    /// <summary>Files an accepted operation in the receiver's inbox: its pending record, and a result Khipu answered at once.</summary>
    private static async Task FileAsync(CallbackReceiver receiver, KhipuOperation operation, DateTimeOffset sending, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var operationId = operation.OperationId!;
        var record = PendingOperation.FromOperation(operation);

        // A result already stored under this OperationId, written well before this request was sent, belongs to an
        // earlier operation that had the same id: it is set aside so that this operation's delivery is stored and
        // collected. The margin keeps a delivery that raced ahead of this answer (written after the request left, but
        // stamped by the file system's coarser clock) where it is.
        var setAside = receiver.Inbox.SetAsideResultWrittenBefore(operationId, sending - StaleResultMargin);
        if (setAside is null && receiver.Inbox.ReadPending(operationId) is { } earlier && !earlier.DescribesSameRequestAs(record))
        {
            // An earlier request (of another command or session) with this OperationId has no result set aside: it may
            // still be waiting for it, and the one result stored for the OperationId cannot say whose it is.
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "Khipu gave {0} the OperationId {1}, which {2} (still pending in the inbox, submitted {3}) has too. Their results cannot be told apart: the pending record now describes this request, and the one result stored for {1} will be collected as this request's. Ask Khipu's support which request it belongs to.",
                DescribeRequest(operation),
                operationId,
                DescribeRequest(earlier),
                earlier.SubmittedAt is { } submittedAt ? submittedAt.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture) : "earlier"));
        }

        if (setAside is not null)
        {
            trace?.Verbose($"The inbox held an earlier result for OperationId {operationId}, stored before this {operation.Service} request was sent: it was moved to {setAside}, so this operation's own result can be stored.");

            // Its own delivery may have overtaken this answer, met the old file and been turned away as a repeat.
            if (receiver.TryTakeRefusedDelivery(operationId, sending, out var early))
            {
                await receiver.Inbox.TryAddResultAsync(operationId, early, cancellationToken).ConfigureAwait(false);
                trace?.Verbose($"The result of OperationId {operationId} had arrived before the answer to the request and met the earlier result; it is stored now.");
            }
        }

        await receiver.Inbox.WritePendingAsync(record, cancellationToken).ConfigureAwait(false);
        receiver.NotePendingRecordWritten(operationId);
        if (operation.ResultJson is { } immediate)
        {
            // Khipu answered at once although a CallbackUrl was given: file the result as if it had been delivered.
            await receiver.Inbox.TryAddResultAsync(operationId, Encoding.UTF8.GetBytes(immediate), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class SecretRedactingTrace : IRequestTrace
    {
        private readonly IRequestTrace inner;
        private readonly CallbackReceiver receiver;

        public SecretRedactingTrace(IRequestTrace inner, CallbackReceiver receiver)
        {
            this.inner = inner;
            this.receiver = receiver;
        }

        public void Verbose(string message) => inner.Verbose(receiver.RedactSecret(message));

        public void Debug(string message) => inner.Debug(receiver.RedactSecret(message));
    }
}
