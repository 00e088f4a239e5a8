using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Khipu;

namespace EnergyData.Callbacks;

/// <summary>One operation collected: its rows, or why there are none.</summary>
public sealed class CallbackOutcome
{
    public CallbackOutcome(PendingOperation operation, IReadOnlyList<object> results, Exception? error)
    {
        Operation = operation;
        Results = results;
        Error = error;
    }

    public PendingOperation Operation { get; }

    public IReadOnlyList<object> Results { get; }

    public Exception? Error { get; }
}

public sealed class CallbackWaiterOptions
{
    /// <summary>
    /// How long to wait for all operations, whatever their LifeSpan says (it is Khipu's estimate); null waits until
    /// each arrives or is <see cref="LifeSpanGrace"/> past its LifeSpan.
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>How often the inbox is scanned again in case a file-system notification was missed.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Time past the LifeSpan allowed for delivery before LIFESPAN_EXCEEDED is reported when there is no
    /// <see cref="Timeout"/>. The documents call LifeSpan the "estimated" latest delivery time, so a result a little
    /// late is still waited for.
    /// </summary>
    public TimeSpan LifeSpanGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock (tests move it).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;
}

/// <summary>
/// Waits for asynchronous results in an inbox and yields each as it is found, mapped to the synchronous call's
/// rows. Results already there are found at once; new files are noticed by a FileSystemWatcher and, as a
/// fallback, by a periodic rescan. The inbox is only read: stopping (cancellation) or a timeout changes nothing,
/// so another wait, in this session or a later one, collects the same results.
/// </summary>
public sealed class CallbackWaiter
{
    private readonly CallbackInbox inbox;
    private readonly CallbackWaiterOptions options;

    public CallbackWaiter(CallbackInbox inbox, CallbackWaiterOptions? options = null)
    {
        this.inbox = inbox ?? throw new ArgumentNullException(nameof(inbox));
        this.options = options ?? new CallbackWaiterOptions();
    }

    /// <summary>
    /// Yields one outcome per distinct OperationId, in arrival order. <paramref name="progress"/> receives the
    /// number done and the total after each one.
    /// </summary>
    public async IAsyncEnumerable<CallbackOutcome> WaitAsync(
        IEnumerable<PendingOperation> operations,
        Action<int, int>? progress,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (operations is null)
        {
            throw new ArgumentNullException(nameof(operations));
        }

        var remaining = new Dictionary<string, PendingOperation>(StringComparer.Ordinal);
        var given = new Dictionary<string, PendingOperation>(StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            if (string.IsNullOrEmpty(operation.OperationId))
            {
                continue;
            }

            if (given.TryGetValue(operation.OperationId, out var first))
            {
                WarnIfAnotherRequest(first, operation, trace);
                if (string.IsNullOrEmpty(remaining[operation.OperationId].ResultJson) && !string.IsNullOrEmpty(operation.ResultJson))
                {
                    // A copy that carries the result it was answered with: no need to wait for a delivery.
                    remaining[operation.OperationId].ResultJson = operation.ResultJson;
                }

                continue;
            }

            given[operation.OperationId] = operation;
            remaining[operation.OperationId] = operation.CompleteFrom(inbox.ReadPending(operation.OperationId));
        }

        var total = remaining.Count;
        var done = 0;
        var clock = options.Clock;
        var deadline = options.Timeout is { } timeout ? clock.GetUtcNow() + timeout : (DateTimeOffset?)null;
        using var signal = new SemaphoreSlim(0);
        using var watcher = StartWatcher(signal, trace);
        while (remaining.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arrived = ListResults();
            foreach (var operation in new List<PendingOperation>(remaining.Values))
            {
                var outcome = await TryCollectAsync(operation, arrived, trace, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    continue;
                }

                remaining.Remove(operation.OperationId);
                progress?.Invoke(++done, total);
                yield return outcome;
            }

            if (remaining.Count == 0)
            {
                yield break;
            }

            var now = clock.GetUtcNow();
            if (deadline is { } end && now >= end)
            {
                foreach (var operation in remaining.Values)
                {
                    progress?.Invoke(++done, total);
                    yield return new CallbackOutcome(operation, Array.Empty<object>(), TimedOut(operation));
                }

                yield break;
            }

            var wait = options.RescanInterval;
            if (deadline is { } limit && limit - now < wait)
            {
                wait = limit - now;
            }

            await signal.WaitAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An OperationId given twice, for two different inputs (rows exported from a server that gave every request the
    /// same id): there is one result for it, collected once, so the second input would vanish without a word.
    /// </summary>
    private static void WarnIfAnotherRequest(PendingOperation first, PendingOperation again, IRequestTrace? trace)
    {
        if (first.DescribeInput() is not { } firstInput || again.DescribeInput() is not { } againInput || first.DescribesSameRequestAs(again))
        {
            // The same request twice (a row piped twice), or one that names no input: nothing tells them apart.
            return;
        }

        trace.Warn($"Operation {first.OperationId} is given for {firstInput} and again for {againInput}: one OperationId has one result, so it is collected once, as {firstInput}'s. Khipu gave both requests the same OperationId; submit {againInput} again.");
    }

    private HashSet<string> ListResults()
    {
        // One directory listing per scan instead of one failed open per missing result.
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var path in Directory.EnumerateFiles(inbox.Root, "*.json"))
            {
                names.Add(Path.GetFileName(path));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing has arrived yet.
        }

        return names;
    }

    private async Task<CallbackOutcome?> TryCollectAsync(PendingOperation operation, HashSet<string> arrived, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        Stream? stream;
        try
        {
            // Khipu answered this request at once with its result (a 200 with Data despite the CallbackUrl): nothing will
            // be delivered to an inbox that no receiver of this module fills, so the operation carries its result.
            stream = !string.IsNullOrEmpty(operation.ResultJson) ? new MemoryStream(Encoding.UTF8.GetBytes(operation.ResultJson))
                : arrived.Contains(CallbackInbox.FileNameFor(operation.OperationId)) ? inbox.OpenResult(operation.OperationId) : null;
        }
        catch (IOException exception)
        {
            trace?.Verbose($"The result of {operation.OperationId} could not be opened yet ({exception.Message}); trying again.");
            return null;
        }
        catch (UnauthorizedAccessException exception)
        {
            // Not a passing lock: waiting would not change it, and the other operations go on.
            return new CallbackOutcome(operation, Array.Empty<object>(), exception);
        }

        if (stream is null)
        {
            // Not delivered. Without a -Timeout, the LifeSpan (and the grace for delivery) bounds the wait.
            return options.Timeout is null && DeliveryEstimate(operation) is { } estimate && options.Clock.GetUtcNow() > estimate + options.LifeSpanGrace
                ? new CallbackOutcome(operation, Array.Empty<object>(), LifeSpanExceeded(operation, estimate))
                : null;
        }

        using (stream)
        {
            try
            {
                var rows = await KhipuClient.MapCallbackResultAsync(operation, stream, trace, cancellationToken).ConfigureAwait(false);
                return new CallbackOutcome(operation, rows, null);
            }
            catch (JsonException exception)
            {
                // A damaged file ("Invalid or truncated JSON after stream byte 59"): the message names the operation.
                return new CallbackOutcome(operation, Array.Empty<object>(), new KhipuProtocolException($"The result of {operation.Describe()} in the inbox cannot be read: {exception.Message}", exception));
            }
            catch (Exception exception) when (exception is KhipuException or KhipuProtocolException or Json.JsonStreamLimitException or IOException)
            {
                return new CallbackOutcome(operation, Array.Empty<object>(), exception);
            }
            catch (InvalidOperationException exception)
            {
                // Text that is not UTF-8 (a file written by hand, or by an older receiver): that operation's error, not
                // the end of the wait for the others.
                return new CallbackOutcome(operation, Array.Empty<object>(), new KhipuProtocolException($"The result of {operation.Describe()} in the inbox cannot be read: {exception.Message}", exception));
            }
        }
    }

    /// <summary>
    /// The LifeSpan, unless it is earlier than the submission: such a LifeSpan estimates nothing (a server that echoes
    /// the TGR document's example, from 2017, or writes Chile's clock time without an offset, read as UTC as the
    /// document says), and taking it literally would give up on every operation at the first scan. The operation is
    /// then waited for like one without a LifeSpan: until it arrives, or -Timeout.
    /// </summary>
    private static DateTimeOffset? DeliveryEstimate(PendingOperation operation) =>
        operation.LifeSpan is { } lifeSpan && operation.SubmittedAt is { } submitted && lifeSpan < submitted ? null : operation.LifeSpan;

    // No Error.Type: Khipu sent no error; the operation stays pending, so a later wait still collects a late result.
    private KhipuException LifeSpanExceeded(PendingOperation operation, DateTimeOffset estimate) =>
        new(
            string.Format(CultureInfo.InvariantCulture, "No result for {0} arrived by {1:u}, {2} after its estimated latest delivery (LifeSpan {3}). Khipu has most likely given up on it: submit the request again, or run Wait-KhipuOperation again to collect a result that comes late.", operation.Describe(), (estimate + options.LifeSpanGrace).ToUniversalTime(), TimeFormat.InWords(options.LifeSpanGrace), operation.LifeSpanRaw ?? estimate.ToString("u", CultureInfo.InvariantCulture)),
            null,
            operation.OperationId,
            "LIFESPAN_EXCEEDED",
            null,
            "The asynchronous request was not finished within its LifeSpan.");

    private TimeoutException TimedOut(PendingOperation operation) =>
        new(string.Format(
            CultureInfo.InvariantCulture,
            "No result for {0} arrived within {1}. It stays pending: run Wait-KhipuOperation again to collect it.",
            operation.Describe(),
            options.Timeout is { } timeout ? TimeFormat.Duration(timeout) : "the wait"));

    private FileSystemWatcher? StartWatcher(SemaphoreSlim signal, IRequestTrace? trace)
    {
        try
        {
            inbox.EnsureExists();
            var watcher = new FileSystemWatcher(inbox.Root, "*.json") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            void Wake(object sender, FileSystemEventArgs e)
            {
                if (signal.CurrentCount == 0)
                {
                    signal.Release();
                }
            }

            watcher.Created += Wake;
            watcher.Renamed += (sender, e) => Wake(sender, e);
            watcher.Changed += Wake;
            watcher.Error += (sender, e) => Wake(sender, new FileSystemEventArgs(WatcherChangeTypes.All, inbox.Root, null));
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Out of inotify watches, a network share, and so on: the periodic rescan still finds every result.
            trace?.Verbose($"Not watching {inbox.Root} for changes ({exception.Message}); scanning it every {options.RescanInterval.TotalSeconds:0.#} s.");
            return null;
        }
    }
}
