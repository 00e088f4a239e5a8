using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Diagnostics;
using EnergyData.Errors;

namespace EnergyData.Pipeline;

/// <summary>
/// Runs operations on the thread pool and carries their results and messages back to the one thread that
/// owns the sink (a cmdlet's pipeline thread), because PowerShell allows Write* calls only there.
/// Submit starts work and emits what is ready without waiting; it blocks only when the throttle limit is
/// reached (backpressure). Complete waits for the rest. Cancelling stops everything in flight.
/// </summary>
public sealed class OperationPump : IDisposable
{
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);

    // Short enough that a cancellation is still noticed at once by the Take that follows it.
    private const int ShortWaitMilliseconds = 1;

    private readonly IPipelineSink sink;
    private readonly PumpOptions options;
    private readonly CancellationTokenSource cancellation;
    private readonly BlockingCollection<Envelope> inbox = new(new ConcurrentQueue<Envelope>());
    private readonly LinkedList<Operation> unreleased = new();
    private readonly HashSet<Task> active = new();
    private readonly List<Operation> owingCredits = new();
    private readonly ConcurrentDictionary<string, bool> warnedTopics = new(StringComparer.Ordinal);
    private readonly int creditBatch;
    private int running;
    private long sequence;
    private bool disposed;

    /// <summary>Set while the answers already received are written ahead of a terminating error (sink's thread).</summary>
    private bool writingReceived;

    public OperationPump(IPipelineSink sink, PumpOptions options, CancellationToken cancellationToken)
    {
        this.sink = sink ?? throw new ArgumentNullException(nameof(sink));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        creditBatch = Math.Max(1, options.BufferPerOperation / 8);
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public CancellationToken CancellationToken => cancellation.Token;

    /// <summary>Operations submitted so far.</summary>
    public long Submitted => sequence;

    /// <summary>Envelopes posted and not yet taken by the sink's thread (for tests that need a known inbox).</summary>
    internal int QueuedEnvelopes => inbox.Count;

    /// <summary>Operations whose results have all been written.</summary>
    public long Released { get; private set; }

    /// <summary>Called on the sink's thread each time an operation's results have all been written (for progress).</summary>
    public Action<OperationPump>? ReleasedCallback { get; set; }

    /// <summary>Starts one operation. Call on the sink's thread.</summary>
    public void Submit(object? target, Func<IOperationContext, Task> operation)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        ThrowIfDisposed();

        // Everything already received is written before another operation starts, also after each wait for a free
        // slot: answers that arrive together free several slots at once, and the first in input order may be queued
        // behind another's completion. A downstream Select-Object -First satisfied by it stops the pipeline here,
        // before a request (billed, for Khipu) is sent that nobody would read.
        Drain();
        while (running >= options.ThrottleLimit || unreleased.Count >= options.ReorderWindow)
        {
            ProcessNext(block: true);
            Drain();
        }

        cancellation.Token.ThrowIfCancellationRequested();
        var op = new Operation(this, ++sequence, target);
        unreleased.AddLast(op);
        running++;
        op.Task = Task.Run(() => RunAsync(op, operation));
        active.Add(op.Task);
        Drain();
    }

    /// <summary>Writes whatever is ready, without waiting. Call on the sink's thread.</summary>
    public void Drain()
    {
        while (ProcessNext(block: false))
        {
        }
    }

    /// <summary>Waits for every submitted operation and writes all it produced. Call on the sink's thread.</summary>
    public void Complete()
    {
        ThrowIfDisposed();
        while (unreleased.Count > 0)
        {
            ProcessNext(block: true);
        }

        Drain();
    }

    /// <summary>Stops all operations in flight. Safe from any thread (StopProcessing calls it).</summary>
    public void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down: nothing left to stop.
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Cancel();

        // Leave no request running behind the cmdlet's back: cancelled HTTP calls end promptly.
        try
        {
            var remaining = new Task[active.Count];
            active.CopyTo(remaining);
            Task.WaitAll(remaining, DisposeGrace);
        }
        catch (AggregateException)
        {
            // Operations report their own failures through the inbox; here we only wait for them to end.
        }

        cancellation.Dispose();
        inbox.Dispose();
    }

    private async Task RunAsync(Operation op, Func<IOperationContext, Task> operation)
    {
        try
        {
            await operation(op).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Stopped on purpose: the user or the pipeline asked for it; no error record.
        }
        catch (Exception exception)
        {
            op.WriteError(ErrorMapper.FromException(exception, op.Target));
        }
        finally
        {
            op.PostInOrder(EnvelopeKind.Completed, null);
        }
    }

    private void Post(Envelope envelope)
    {
        try
        {
            inbox.Add(envelope);
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet is gone; nobody is left to show this.
        }
        catch (InvalidOperationException)
        {
            // Same as above: adding was completed during teardown.
        }
    }

    private bool ProcessNext(bool block)
    {
        Envelope? envelope;
        try
        {
            // A blocking call on a cancelled pump ends with OperationCanceledException even when results are
            // queued (as BlockingCollection.Take with the token does): Ctrl+C must unwind, not drain.
            if (block)
            {
                cancellation.Token.ThrowIfCancellationRequested();
            }

            if (!inbox.TryTake(out envelope))
            {
                // Nothing to write now: hand back every credit held for batching before waiting or returning, so
                // no writer waits for room that has already been made.
                ReturnOwedCredits();
                if (!block)
                {
                    return false;
                }

                // A short wait without the token first: BlockingCollection links a new CancellationTokenSource on
                // every Take that has a token, which a fast writer would otherwise cost once per result.
                if (!inbox.TryTake(out envelope, ShortWaitMilliseconds))
                {
                    envelope = inbox.Take(cancellation.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            cancellation.Token.ThrowIfCancellationRequested();
            throw;
        }

        try
        {
            Dispatch(envelope);
        }
        catch
        {
            // A downstream command stopped the pipeline, or the sink threw a terminating error:
            // no further billable request may start.
            Cancel();
            throw;
        }

        return true;
    }

    private void Dispatch(Envelope envelope)
    {
        var op = envelope.Operation;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Verbose:
                sink.WriteVerbose((string)envelope.Payload!);
                return;
            case EnvelopeKind.Debug:
                sink.WriteDebug((string)envelope.Payload!);
                return;
            case EnvelopeKind.Warning:
                sink.WriteWarning((string)envelope.Payload!);
                return;
            case EnvelopeKind.Progress:
                sink.WriteProgress((ProgressInfo)envelope.Payload!);
                return;
            case EnvelopeKind.Error when ((OperationError)envelope.Payload!).IsTerminating:
                // A terminating error ends the command: stop the others first (no further billable request may start),
                // write the answers already received (unless Ctrl+C came first: then nothing more goes out), then let
                // the sink throw.
                var stoppedAlready = cancellation.IsCancellationRequested;
                Cancel();
                if (!stoppedAlready)
                {
                    WriteReceived();
                }

                sink.WriteError((OperationError)envelope.Payload!);
                return;
            case EnvelopeKind.Completed:
                op.Finished = true;
                running--;
                if (op.Task is not null)
                {
                    active.Remove(op.Task);
                }

                ReleaseReady();
                return;
            default:
                // Objects and non-terminating errors keep their input's place in ordered mode: an operation behind
                // the head has them held (a held batch stays open to its writer, within its credits).
                if (!options.Ordered || ReferenceEquals(unreleased.First?.Value, op))
                {
                    Write(envelope);
                }
                else
                {
                    op.Held.Enqueue(envelope);
                }

                return;
        }
    }

    /// <summary>
    /// Before a terminating error ends the command: the results and errors already received for other inputs, held
    /// back for input order or still queued, are written in input order, since Khipu has billed them and nothing
    /// received may be lost. What is still in flight was cancelled and gives nothing.
    /// </summary>
    private void WriteReceived()
    {
        while (inbox.TryTake(out var queued))
        {
            switch (queued.Kind)
            {
                case EnvelopeKind.Objects:
                case EnvelopeKind.Error when !((OperationError)queued.Payload!).IsTerminating:
                    queued.Operation.Held.Enqueue(queued);
                    break;
                case EnvelopeKind.Verbose or EnvelopeKind.Debug or EnvelopeKind.Warning:
                    Dispatch(queued);
                    break;
                default:
                    // Progress, completions and a second terminating error mean nothing once the command ends.
                    break;
            }
        }

        writingReceived = true;
        try
        {
            foreach (var op in unreleased)
            {
                while (op.Held.Count > 0)
                {
                    Write(op.Held.Dequeue());
                }
            }
        }
        finally
        {
            writingReceived = false;
        }
    }

    private void ReleaseReady()
    {
        if (!options.Ordered)
        {
            for (var node = unreleased.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Finished)
                {
                    unreleased.Remove(node);
                    Released++;
                    ReleasedCallback?.Invoke(this);
                }

                node = next;
            }

            return;
        }

        while (unreleased.First?.Value is { } head)
        {
            while (head.Held.Count > 0)
            {
                Write(head.Held.Dequeue());
            }

            if (!head.Finished)
            {
                return;
            }

            // The next operation becomes the head; its held results go out on the next turn, in order.
            unreleased.RemoveFirst();
            Released++;
            ReleasedCallback?.Invoke(this);
        }
    }

    private void Write(Envelope envelope)
    {
        if (envelope.Kind != EnvelopeKind.Objects)
        {
            sink.WriteError((OperationError)envelope.Payload!);
            return;
        }

        var op = envelope.Operation;
        var batch = (List<object>)envelope.Payload!;
        op.Detach(batch);

        foreach (var item in batch)
        {
            // Once cancelled (Ctrl+C), no further row goes out, as when each row had its own envelope: the rest of
            // the batch is dropped like everything still queued behind it. Rows received before a terminating error
            // still go out ahead of it.
            if (cancellation.IsCancellationRequested && !writingReceived)
            {
                return;
            }

            // The credit is owed only once the sink has taken the row, so the writer is never more than
            // BufferPerOperation rows ahead of what was really written.
            sink.WriteObject(item);
            OweCredit(op);
        }

        op.Recycle(batch);
    }

    /// <summary>
    /// Counts a written result's credit and returns credits to the writer in batches. Returned one at a time, a
    /// writer that is faster than this thread and waiting for room wakes (a thread-pool hop) once per result; in
    /// batches it writes a batch per wake-up. The writer is still never more than BufferPerOperation ahead.
    /// </summary>
    private void OweCredit(Operation op)
    {
        if (op.OwedCredits++ == 0)
        {
            owingCredits.Add(op);
        }

        if (op.OwedCredits >= creditBatch)
        {
            op.ReturnCredits(op.OwedCredits);
            op.OwedCredits = 0;
            owingCredits.Remove(op);
        }
    }

    private void ReturnOwedCredits()
    {
        foreach (var op in owingCredits)
        {
            op.ReturnCredits(op.OwedCredits);
            op.OwedCredits = 0;
        }

        owingCredits.Clear();
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw new ObjectDisposedException(nameof(OperationPump));
        }
    }

    private enum EnvelopeKind
    {
        /// <summary>A batch of objects (a List of object), still open to the writer until the sink detaches it.</summary>
        Objects,
        Error,
        Verbose,
        Debug,
        Warning,
        Progress,
        Completed,
    }

    private sealed class Envelope
    {
        public Envelope(Operation operation, EnvelopeKind kind, object? payload)
        {
            Operation = operation;
            Kind = kind;
            Payload = payload;
        }

        public Operation Operation { get; }

        public EnvelopeKind Kind { get; }

        public object? Payload { get; }
    }

    /// <summary>
    /// One operation's state. Objects are not posted one by one: the writer appends to an open batch and posts one
    /// envelope only when it opens a new batch; the sink detaches the batch when it gets to that envelope. A fast
    /// sink thus sees small batches and a fast writer large ones, and the inbox and the sink's wake-ups are paid
    /// per batch, not per row. Any other post first closes the open batch, so within one operation objects,
    /// errors and messages reach the sink in the order they were written.
    /// </summary>
    private sealed class Operation : IOperationContext, IBatchWriter
    {
        private readonly OperationPump pump;

        // Guards credits, the open batch, the spare list and the room waiter: taken by the writer per row and by
        // the sink per batch and per credit return, so it is almost never contended.
        private readonly object gate = new();

        /// <summary>Rows the writer may still append before it must wait: BufferPerOperation minus rows not yet written.</summary>
        private int credits;

        /// <summary>The batch the writer appends to; its envelope is already in the inbox (or held).</summary>
        private List<object>? open;

        /// <summary>A written batch handed back by the sink, so a steady stream does not allocate a list per batch.</summary>
        private List<object>? spare;

        /// <summary>Completed when credits are returned; the writer waits on it only when it has none.</summary>
        private TaskCompletionSource<bool>? room;

        public Operation(OperationPump pump, long sequence, object? target)
        {
            this.pump = pump;
            Sequence = sequence;
            Target = target;
            credits = pump.options.BufferPerOperation;
        }

        public long Sequence { get; }

        public object? Target { get; }

        public CancellationToken CancellationToken => pump.cancellation.Token;

        /// <summary>Credits of results already written and not yet returned (sink's thread only).</summary>
        public int OwedCredits { get; set; }

        public Queue<Envelope> Held { get; } = new();

        public bool Finished { get; set; }

        public Task? Task { get; set; }

        public ValueTask WriteObjectAsync(object item)
        {
            if (item is null)
            {
                throw new ArgumentNullException(nameof(item));
            }

            // As a cancelled wait for room did: a writer stops at its next row once the pump is cancelled.
            var token = pump.cancellation.Token;
            if (token.IsCancellationRequested)
            {
                return new ValueTask(System.Threading.Tasks.Task.FromCanceled(token));
            }

            List<object>? opened = null;
            bool full;
            lock (gate)
            {
                full = credits == 0;
                if (!full)
                {
                    credits--;
                    opened = AppendLocked(item);
                }
            }

            if (full)
            {
                // A full buffer ahead of the sink: wait for room (backpressure).
                return WriteWhenRoomAsync(item);
            }

            if (opened is not null)
            {
                pump.Post(new Envelope(this, EnvelopeKind.Objects, opened));
            }

            return default;
        }

        /// <summary>
        /// Writes a run of results with one lock and at most one envelope for as many as there is room for, instead
        /// of once per result; waits for room (backpressure) only when there is none, like WriteObjectAsync.
        /// </summary>
        public async ValueTask WriteObjectsAsync<T>(ArraySegment<T> items)
            where T : class
        {
            var array = items.Array;
            var next = items.Offset;
            var end = items.Offset + items.Count;
            for (var i = next; i < end; i++)
            {
                if (array![i] is null)
                {
                    throw new ArgumentNullException(nameof(items), "A result is null.");
                }
            }

            var token = pump.cancellation.Token;
            while (next < end)
            {
                token.ThrowIfCancellationRequested();
                List<object>? opened = null;
                int taken;
                lock (gate)
                {
                    taken = Math.Min(credits, end - next);
                    if (taken > 0)
                    {
                        credits -= taken;
                        opened = AppendLocked(array![next]);
                        for (var i = next + 1; i < next + taken; i++)
                        {
                            this.open!.Add(array[i]);
                        }
                    }
                }

                if (opened is not null)
                {
                    pump.Post(new Envelope(this, EnvelopeKind.Objects, opened));
                }

                next += taken;
                if (taken == 0)
                {
                    // No room: wait for it as a single write does, then go on with the rest.
                    await WriteWhenRoomAsync(array![next]).ConfigureAwait(false);
                    next++;
                }
            }
        }

        public void WriteError(OperationError failure) =>
            PostInOrder(EnvelopeKind.Error, (failure ?? throw new ArgumentNullException(nameof(failure))).WithoutKnownSecrets());

        // Every line and error a command shows passes here: a server that echoes the session's token in its text must
        // not put it on screen, in a transcript or in a CSV of failures (on this writer's thread, not the pipeline's).
        public void Verbose(string message) => PostInOrder(EnvelopeKind.Verbose, KnownSecrets.Redact(message));

        public void Debug(string message) => PostInOrder(EnvelopeKind.Debug, KnownSecrets.Redact(message));

        public void Warning(string message) => PostInOrder(EnvelopeKind.Warning, KnownSecrets.Redact(message));

        public bool ClaimWarning(string topic) => pump.warnedTopics.TryAdd(topic, true);

        public void Progress(ProgressInfo progress) => PostInOrder(EnvelopeKind.Progress, progress);

        /// <summary>
        /// Posts anything but an object. The open batch is closed first: its envelope is already ahead of this one in
        /// the inbox, and later objects go to a new batch behind it, so nothing written after this overtakes it.
        /// </summary>
        public void PostInOrder(EnvelopeKind kind, object? payload)
        {
            lock (gate)
            {
                open = null;
            }

            pump.Post(new Envelope(this, kind, payload));
        }

        /// <summary>Closes the batch to the writer (sink's thread). After this the sink may read it without the lock.</summary>
        public void Detach(List<object> batch)
        {
            lock (gate)
            {
                if (ReferenceEquals(open, batch))
                {
                    open = null;
                }
            }
        }

        /// <summary>Hands a written batch back for reuse (sink's thread).</summary>
        public void Recycle(List<object> batch)
        {
            batch.Clear();
            lock (gate)
            {
                spare = batch;
            }
        }

        /// <summary>Gives the writer room for more rows and wakes it if it waits (sink's thread).</summary>
        public void ReturnCredits(int count)
        {
            TaskCompletionSource<bool>? waiter;
            lock (gate)
            {
                credits += count;
                waiter = room;
                room = null;
            }

            waiter?.TrySetResult(true);
        }

        /// <summary>Appends under the lock; returns the batch when it had to open one, which the caller must post.</summary>
        private List<object>? AppendLocked(object item)
        {
            if (open is not null)
            {
                open.Add(item);
                return null;
            }

            open = spare ?? new List<object>();
            spare = null;
            open.Add(item);
            return open;
        }

        private async ValueTask WriteWhenRoomAsync(object item)
        {
            var token = pump.cancellation.Token;
            List<object>? opened;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                TaskCompletionSource<bool> waiter;
                lock (gate)
                {
                    if (credits > 0)
                    {
                        credits--;
                        opened = AppendLocked(item);
                        break;
                    }

                    // Continuations run asynchronously so that the sink's thread, which returns credits, never runs
                    // the writer's code.
                    waiter = room ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                // Cancellation only wakes the writer: the check at the top of the loop then throws with the pump's token.
                using (token.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), waiter))
                {
                    await waiter.Task.ConfigureAwait(false);
                }
            }

            if (opened is not null)
            {
                pump.Post(new Envelope(this, EnvelopeKind.Objects, opened));
            }
        }
    }
}
