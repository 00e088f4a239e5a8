using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Pipeline;
using Xunit;

namespace EnergyData.Tests.Pipeline;

/// <summary>
/// What batching objects could break: the order of objects against errors and messages within one operation, a row
/// left waiting in an open batch, the bound on how far a writer may run ahead, order across operations, and
/// cancellation with batches queued or held. Timeouts here only keep a broken pump from hanging the run.
/// </summary>
public sealed class OperationPumpBatchingTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(true, 256)]
    [InlineData(false, 256)]
    [InlineData(true, 5)]
    [InlineData(false, 1)]
    public void Objects_errors_and_messages_of_a_fast_writer_keep_the_order_they_were_written_in(bool ordered, int buffer)
    {
        // A tiny buffer makes the writer wait (a thread-pool hop) at almost every row: fewer rows keep that case
        // short when the pool is busy with other tests.
        var rows = buffer < 16 ? 4_000 : 20_000;
        var sink = new LogSink();
        var driver = 0;
        RunWithin(sink, () =>
        {
            driver = Environment.CurrentManagedThreadId;
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 1, Ordered = ordered, BufferPerOperation = buffer }, CancellationToken.None);
            pump.Submit("only", async context =>
            {
                for (var i = 0; i < rows; i++)
                {
                    await context.WriteObjectAsync(i);
                    foreach (var (kind, text) in MessagesAfter(i))
                    {
                        Post(context, kind, text);
                    }
                }
            });
            pump.Complete();
        });

        var expected = new List<string>();
        for (var i = 0; i < rows; i++)
        {
            expected.Add("o:" + i);
            expected.AddRange(MessagesAfter(i).Select(message => message.Kind + ":" + message.Text));
        }

        Assert.Equal(expected, sink.Log);
        Assert.All(sink.Threads, thread => Assert.Equal(driver, thread));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(5_000, true)]
    [InlineData(5_000, false)]
    public void The_last_row_before_a_pause_reaches_the_sink_while_its_operation_still_waits(int rowsBefore, bool ordered)
    {
        var sink = new LogSink();
        var lastSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sink.OnObject = item =>
        {
            if ((int)item == rowsBefore)
            {
                lastSeen.TrySetResult();
            }
        };
        var seenWhileWaiting = false;
        RunWithin(sink, () =>
        {
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2, Ordered = ordered }, CancellationToken.None);
            pump.Submit("pausing", async context =>
            {
                for (var i = 0; i <= rowsBefore; i++)
                {
                    await context.WriteObjectAsync(i);
                }

                // No further write, error or completion follows until the sink has the last row: only a pump that
                // sends an open batch on at once lets this wait end before the guard.
                seenWhileWaiting = await Task.WhenAny(lastSeen.Task, Task.Delay(HangGuard)) == lastSeen.Task;
            });
            pump.Complete();
        });

        Assert.True(seenWhileWaiting, "the last row reached the sink only when its operation finished");
        Assert.Equal(rowsBefore + 1, sink.Log.Count);
    }

    [Theory]
    [InlineData(true, 8)]
    [InlineData(false, 8)]
    [InlineData(true, 1)]
    public void No_writer_is_ever_more_than_its_buffer_ahead_of_a_slow_sink(bool ordered, int buffer)
    {
        const int Operations = 3;
        const int Rows = 60;
        var produced = new int[Operations];
        var written = new int[Operations];
        var worst = 0;
        var sink = new LogSink();
        sink.OnObject = item =>
        {
            var op = ((int Op, int Row))item;

            // Rows the writer has had accepted beyond those the sink has finished: checked before and after a slow write.
            worst = Math.Max(worst, Volatile.Read(ref produced[op.Op]) - written[op.Op]);
            Thread.Sleep(1);
            worst = Math.Max(worst, Volatile.Read(ref produced[op.Op]) - written[op.Op]);
            written[op.Op]++;
        };
        RunWithin(sink, () =>
        {
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = Operations, Ordered = ordered, BufferPerOperation = buffer }, CancellationToken.None);
            for (var n = 0; n < Operations; n++)
            {
                var op = n;
                pump.Submit(op, async context =>
                {
                    for (var row = 0; row < Rows; row++)
                    {
                        await context.WriteObjectAsync((op, row));
                        Interlocked.Increment(ref produced[op]);
                    }
                });
            }

            pump.Complete();
        });

        Assert.InRange(worst, 0, buffer);
        Assert.Equal(Enumerable.Repeat(Rows, Operations), written);
        if (ordered)
        {
            var expected = Enumerable.Range(0, Operations).SelectMany(op => Enumerable.Range(0, Rows).Select(row => "o:" + (op, row)));
            Assert.Equal(expected, sink.Log);
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(3)]
    public void Ordered_output_of_many_fast_operations_is_exactly_input_order(int buffer)
    {
        const int Operations = 12;
        const int Rows = 1_000;
        var sink = new LogSink();
        RunWithin(sink, () =>
        {
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 4, Ordered = true, BufferPerOperation = buffer }, CancellationToken.None);
            for (var n = 0; n < Operations; n++)
            {
                var op = n;
                pump.Submit(op, async context =>
                {
                    // Later inputs tend to start writing first.
                    await Task.Delay((Operations - op) % 4);
                    for (var row = 0; row < Rows; row++)
                    {
                        await context.WriteObjectAsync(op + "/" + row);
                        if (row % 250 == 249)
                        {
                            context.WriteError(Error(op + "/" + row));
                        }
                    }
                });
            }

            pump.Complete();
        });

        var expected = new List<string>();
        for (var op = 0; op < Operations; op++)
        {
            for (var row = 0; row < Rows; row++)
            {
                expected.Add("o:" + op + "/" + row);
                if (row % 250 == 249)
                {
                    expected.Add("e:" + op + "/" + row);
                }
            }
        }

        Assert.Equal(expected, sink.Log);
    }

    [Fact]
    public void Cancelling_while_a_batch_is_being_written_stops_the_rows_at_once_and_frees_the_writer()
    {
        const int RowsBeforeCancel = 10;
        OperationPump? pump = null;
        var sink = SinkCancellingAtRow(RowsBeforeCancel, () => pump);
        var writerStopped = false;
        RunWithin(sink, () =>
        {
            pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 1 }, CancellationToken.None);
            pump.Submit("fast", async context =>
            {
                try
                {
                    for (var i = 0; i < 1_000_000; i++)
                    {
                        await context.WriteObjectAsync(i);
                    }
                }
                catch (OperationCanceledException)
                {
                    writerStopped = true;
                    throw;
                }
            });
            Assert.ThrowsAny<OperationCanceledException>(pump.Complete);
            pump.Dispose();
        });

        Assert.Equal(RowsBeforeCancel, sink.Log.Count);
        Assert.True(writerStopped);
    }

    [Fact]
    public async Task Cancelling_with_batches_held_behind_a_slow_head_unwinds_and_writes_none_of_them()
    {
        const int Buffer = 16;
        var sink = new LogSink();
        var produced = new int[3];
        var stopped = 0;
        using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 3, Ordered = true, BufferPerOperation = Buffer }, CancellationToken.None);

        // Cancels once both writers behind the head are a full buffer ahead (their batches held), from another
        // thread as StopProcessing does; cancels after the guard anyway, so a broken pump cannot hang the run.
        var canceller = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow + HangGuard;
            while ((Volatile.Read(ref produced[1]) < Buffer || Volatile.Read(ref produced[2]) < Buffer) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            pump.Cancel();
        });
        RunWithin(sink, () =>
        {
            pump.Submit("head", async context =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref stopped);
                    throw;
                }
            });
            for (var n = 1; n < 3; n++)
            {
                var op = n;
                pump.Submit(op, async context =>
                {
                    try
                    {
                        for (var row = 0; row < 100_000; row++)
                        {
                            await context.WriteObjectAsync(row);
                            Interlocked.Increment(ref produced[op]);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref stopped);
                        throw;
                    }
                });
            }

            Assert.ThrowsAny<OperationCanceledException>(pump.Complete);
            pump.Dispose();
        });
        await canceller.WaitAsync(HangGuard);

        Assert.Equal(Buffer, produced[1]);
        Assert.Equal(Buffer, produced[2]);
        Assert.Equal(3, stopped);
        Assert.Empty(sink.Log);
    }

    /// <summary>
    /// Results handed over a batch at a time (what Get-NeuConsumption does) come out exactly as if written one by one:
    /// in order, between the messages written between batches, once each, although the reader reuses one array for
    /// every batch and batches are larger than the buffer.
    /// </summary>
    [Theory]
    [InlineData(true, 256)]
    [InlineData(false, 256)]
    [InlineData(true, 7)]
    [InlineData(true, 1)]
    public void Batches_written_at_once_keep_their_order_around_messages_and_the_buffer_bound(bool ordered, int buffer)
    {
        var rows = buffer < 16 ? 3_000 : 20_000;
        var produced = 0;
        var worst = 0;
        var written = 0;
        var sink = new LogSink();
        sink.OnObject = _ =>
        {
            worst = Math.Max(worst, Volatile.Read(ref produced) - written);
            written++;
        };
        var driver = 0;
        RunWithin(sink, () =>
        {
            driver = Environment.CurrentManagedThreadId;
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 1, Ordered = ordered, BufferPerOperation = buffer }, CancellationToken.None);
            pump.Submit("batches", context => context.WriteBatchesAsync(ReusedArrayBatchesAsync(rows, context)));
            pump.Complete();

            async IAsyncEnumerable<ArraySegment<object>> ReusedArrayBatchesAsync(int count, IOperationContext context)
            {
                var array = new object[200];
                var next = 0;
                var size = 1;
                while (next < count)
                {
                    var take = Math.Min(size, count - next);
                    for (var i = 0; i < take; i++)
                    {
                        array[i] = next + i;
                    }

                    // Counted as accepted before the pump has them: the bound is then checked conservatively.
                    Interlocked.Add(ref produced, take);
                    yield return new ArraySegment<object>(array, 0, take);
                    next += take;
                    foreach (var (kind, text) in MessagesAfter(next - 1))
                    {
                        Post(context, kind, text);
                    }

                    // Overwritten at once, as the JSON reader does: the pump must have taken the batch already.
                    Array.Fill(array, -1);
                    size = (size * 7 % 199) + 1;
                    if (next % 5 == 0)
                    {
                        await Task.Yield();
                    }
                }
            }
        });

        var expected = new List<string>();
        var sizes = 1;
        for (var next = 0; next < rows;)
        {
            var take = Math.Min(sizes, rows - next);
            expected.AddRange(Enumerable.Range(next, take).Select(row => "o:" + row));
            next += take;
            expected.AddRange(MessagesAfter(next - 1).Select(message => message.Kind + ":" + message.Text));
            sizes = (sizes * 7 % 199) + 1;
        }

        Assert.Equal(expected, sink.Log);
        Assert.All(sink.Threads, thread => Assert.Equal(driver, thread));

        // The producer counts a whole batch before handing it over, so it may be up to one batch past the bound here.
        Assert.InRange(worst, 0, buffer + 200);
    }

    [Fact]
    public void A_batch_with_a_null_result_is_an_error_record_for_its_input_and_the_rows_before_it_are_written()
    {
        var sink = new LogSink();
        RunWithin(sink, () =>
        {
            using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 1 }, CancellationToken.None);
            pump.Submit("with-null", context => context.WriteBatchesAsync(Batches()));
            pump.Complete();
        });

        Assert.Equal(["o:1", "o:2", "e:with-null"], sink.Log.Select(entry => entry.StartsWith("e:", StringComparison.Ordinal) ? "e:with-null" : entry));

        static async IAsyncEnumerable<ArraySegment<object>> Batches()
        {
            await Task.Yield();
            yield return new ArraySegment<object>([1, 2]);
            yield return new ArraySegment<object>([3, null!, 4]);
        }
    }

    [Fact]
    public async Task A_context_that_is_not_the_pumps_gets_batched_results_one_by_one()
    {
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await context.WriteBatchesAsync(Batches());

        Assert.Equal(Enumerable.Range(0, 10).Cast<object>(), context.Objects);

        static async IAsyncEnumerable<ArraySegment<object>> Batches()
        {
            var array = new object[4];
            for (var start = 0; start < 10; start += 4)
            {
                var count = Math.Min(4, 10 - start);
                for (var i = 0; i < count; i++)
                {
                    array[i] = start + i;
                }

                await Task.Yield();
                yield return new ArraySegment<object>(array, 0, count);
            }
        }
    }

    [Fact]
    public void Cancelling_while_batches_are_written_stops_them_at_once()
    {
        const int RowsBeforeCancel = 10;
        OperationPump? pump = null;
        var sink = SinkCancellingAtRow(RowsBeforeCancel, () => pump);
        RunWithin(sink, () =>
        {
            pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 1, BufferPerOperation = 64 }, CancellationToken.None);
            pump.Submit("fast", context => context.WriteBatchesAsync(Endless()));
            Assert.ThrowsAny<OperationCanceledException>(pump.Complete);
            pump.Dispose();
        });

        Assert.Equal(RowsBeforeCancel, sink.Log.Count);

        static async IAsyncEnumerable<ArraySegment<object>> Endless()
        {
            var array = new object[50];
            for (var start = 0; ; start += array.Length)
            {
                for (var i = 0; i < array.Length; i++)
                {
                    array[i] = start + i;
                }

                await Task.Yield();
                yield return new ArraySegment<object>(array);
            }
        }
    }

    /// <summary>A deterministic mix of messages after some rows: dense in places (short batches), sparse in others.</summary>
    private static IEnumerable<(string Kind, string Text)> MessagesAfter(int row)
    {
        if (row % 97 == 0)
        {
            yield return ("e", "e" + row);
        }

        if (row % 89 == 0)
        {
            yield return ("w", "w" + row);
        }

        if (row % 2_000 < 300 && row % 3 == 0)
        {
            yield return ("v", "v" + row);
        }

        if (row % 1_000 == 1)
        {
            yield return ("d", "d" + row);
            yield return ("p", "p" + row);
        }
    }

    private static void Post(IOperationContext context, string kind, string text)
    {
        switch (kind)
        {
            case "e":
                context.WriteError(Error(text));
                break;
            case "w":
                context.Warning(text);
                break;
            case "v":
                context.Verbose(text);
                break;
            case "d":
                context.Debug(text);
                break;
            default:
                context.Progress(new ProgressInfo(1, "test", text));
                break;
        }
    }

    private static OperationError Error(string id) => new(new InvalidOperationException(id), id, ErrorKind.NotSpecified, null);

    /// <summary>A sink that cancels the pump as it is handed row <paramref name="row"/>, as Ctrl+C arriving mid-batch.</summary>
    private static LogSink SinkCancellingAtRow(int row, Func<OperationPump?> pump)
    {
        var sink = new LogSink();
        sink.OnObject = _ =>
        {
            if (sink.Log.Count == row - 1)
            {
                pump()!.Cancel();
            }
        };
        return sink;
    }

    /// <summary>
    /// Drives the pump on one thread (the sink's), failing instead of hanging if it stops. The guard is on progress,
    /// not on the total time: on a loaded machine every hand-over between a writer and the sink may wait for a core
    /// (a run of 3,000 rows through a buffer of one took over 30 s on two cores with four busy processes), so a
    /// slow run is not a hang; a stretch of HangGuard without a single sink call is.
    /// </summary>
    private static void RunWithin(LogSink sink, Action drive)
    {
        var calls = sink.Threads.Count;
        var driving = Task.Run(drive);
        while (!driving.Wait(HangGuard))
        {
            var callsNow = sink.Threads.Count;
            Assert.True(callsNow != calls, $"the pump made no progress for {HangGuard} ({callsNow} sink calls so far)");
            calls = callsNow;
        }
    }

    /// <summary>Records every sink call, of every kind, in one log, and the thread of each.</summary>
    private sealed class LogSink : IPipelineSink
    {
        public List<string> Log { get; } = new();

        public ConcurrentQueue<int> Threads { get; } = new();

        public Action<object>? OnObject { get; set; }

        public void WriteObject(object item)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            OnObject?.Invoke(item);
            Log.Add("o:" + item);
        }

        public void WriteError(OperationError failure)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            Log.Add("e:" + failure.ErrorId);
        }

        public void WriteVerbose(string message)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            Log.Add("v:" + message);
        }

        public void WriteDebug(string message)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            Log.Add("d:" + message);
        }

        public void WriteWarning(string message)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            Log.Add("w:" + message);
        }

        public void WriteProgress(ProgressInfo progress)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            Log.Add("p:" + progress.StatusDescription);
        }
    }
}
