using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Pipeline;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Pipeline;

public sealed class OperationPumpTests
{
    [Fact]
    public void Every_sink_call_happens_on_the_driving_thread()
    {
        var sink = new RecordingSink();
        var driver = Environment.CurrentManagedThreadId;
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 4 }, CancellationToken.None))
        {
            for (var i = 0; i < 40; i++)
            {
                var n = i;
                pump.Submit(n, async context =>
                {
                    await Task.Yield();
                    context.Verbose($"working on {n} on thread {Environment.CurrentManagedThreadId}");
                    context.Debug("debug " + n);
                    context.Progress(new ProgressInfo(1, "test", "item " + n));
                    await context.WriteObjectAsync(n);
                    if (n % 10 == 0)
                    {
                        context.Warning("warn " + n);
                        throw new InvalidOperationException("boom " + n);
                    }
                });
            }

            pump.Complete();
        }

        Assert.Equal(40, sink.Objects.Count);
        Assert.Equal(4, sink.Errors.Count);
        Assert.Equal(40, sink.Verbose.Count);
        Assert.NotEmpty(sink.Threads);
        Assert.All(sink.Threads, thread => Assert.Equal(driver, thread));
    }

    [Fact]
    public void Ordered_mode_keeps_input_order_whatever_the_completion_order()
    {
        var sink = new RecordingSink();
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 8, Ordered = true }, CancellationToken.None))
        {
            for (var i = 0; i < 50; i++)
            {
                var n = i;
                pump.Submit(n, async context =>
                {
                    // Later inputs finish first.
                    await Task.Delay((50 - n) % 7 * 3);
                    await context.WriteObjectAsync($"{n}-a");
                    await context.WriteObjectAsync($"{n}-b");
                });
            }

            pump.Complete();
        }

        var expected = Enumerable.Range(0, 50).SelectMany(n => new[] { $"{n}-a", $"{n}-b" }).ToArray();
        Assert.Equal(expected, sink.Objects.Cast<string>().ToArray());
    }

    [Fact]
    public void Errors_stay_in_place_of_their_input_and_do_not_stop_the_others()
    {
        var sink = new RecordingSink();
        var order = new System.Collections.Generic.List<object?>();
        sink.OnObject = item => order.Add(item);
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 3 }, CancellationToken.None))
        {
            for (var i = 0; i < 9; i++)
            {
                var n = i;
                pump.Submit("input" + n, async context =>
                {
                    await Task.Delay(9 - n);
                    if (n == 4)
                    {
                        throw new ParameterValidationException("ClientIdentifier", "must be at most 20 characters");
                    }

                    await context.WriteObjectAsync(n);
                });
            }

            pump.Complete();
        }

        Assert.Equal(new object[] { 0, 1, 2, 3, 5, 6, 7, 8 }, sink.Objects.ToArray());
        var error = Assert.Single(sink.Errors);
        Assert.Equal("InvalidParameter", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("input4", error.Target);
        Assert.Contains("ClientIdentifier", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unordered_mode_emits_every_result_once()
    {
        var sink = new RecordingSink();
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 16, Ordered = false }, CancellationToken.None))
        {
            for (var i = 0; i < 200; i++)
            {
                var n = i;
                pump.Submit(n, async context =>
                {
                    await Task.Delay(n % 5);
                    await context.WriteObjectAsync(n);
                });
            }

            pump.Complete();
        }

        Assert.Equal(Enumerable.Range(0, 200), sink.Objects.Cast<int>().OrderBy(n => n));
    }

    [Fact]
    public void Never_more_operations_in_flight_than_the_throttle_limit()
    {
        var sink = new RecordingSink();
        var inFlight = 0;
        var peak = 0;
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 5 }, CancellationToken.None))
        {
            for (var i = 0; i < 60; i++)
            {
                pump.Submit(i, async context =>
                {
                    var now = Interlocked.Increment(ref inFlight);
                    InterlockedMax(ref peak, now);
                    await Task.Delay(2);
                    Interlocked.Decrement(ref inFlight);
                    await context.WriteObjectAsync("x");
                });
            }

            pump.Complete();
        }

        Assert.Equal(60, sink.Objects.Count);
        Assert.InRange(peak, 2, 5);
    }

    [Fact]
    public async Task A_writer_far_ahead_of_the_reader_is_made_to_wait()
    {
        var sink = new RecordingSink();
        var headGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = 0;
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2, BufferPerOperation = 16 }, CancellationToken.None);
        try
        {
            pump.Submit("head", async context =>
            {
                await headGate.Task;
                await context.WriteObjectAsync("head");
            });
            pump.Submit("bulk", async context =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    await context.WriteObjectAsync(i);
                    Interlocked.Increment(ref written);
                }
            });

            // The bulk operation cannot pass the head one (ordered), so it stalls at its buffer.
            for (var spin = 0; spin < 50 && Volatile.Read(ref written) < 16; spin++)
            {
                await Task.Delay(10);
            }

            await Task.Delay(100);
            Assert.InRange(Volatile.Read(ref written), 16, 16);
            headGate.SetResult();
            pump.Complete();
            Assert.Equal(1001, sink.Objects.Count);
            Assert.Equal("head", sink.Objects[0]);
        }
        finally
        {
            pump.Dispose();
        }
    }

    [Fact]
    public void Cancel_from_another_thread_stops_work_in_flight_and_returns_control()
    {
        var sink = new RecordingSink();
        var observedCancellation = 0;
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 4 }, CancellationToken.None);
        for (var i = 0; i < 4; i++)
        {
            pump.Submit(i, async context =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref observedCancellation);
                    throw;
                }
            });
        }

        using var timer = new Timer(_ => pump.Cancel(), null, 50, Timeout.Infinite);
        Assert.ThrowsAny<OperationCanceledException>(pump.Complete);
        pump.Dispose();
        Assert.Equal(4, observedCancellation);
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public void A_sink_that_throws_stops_the_remaining_operations()
    {
        var sink = new RecordingSink { OnObject = _ => throw new InvalidOperationException("pipeline stopped") };
        var cancelled = 0;
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 3 }, CancellationToken.None);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Submit(0, async context =>
        {
            await gate.Task;
            await context.WriteObjectAsync("first");
        });
        for (var i = 1; i < 3; i++)
        {
            pump.Submit(i, async context =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }
            });
        }

        gate.SetResult();
        Assert.Throws<InvalidOperationException>(pump.Complete);
        pump.Dispose();
        Assert.Equal(2, cancelled);
    }

    /// <summary>
    /// Answers that arrive together: the later input's completion frees a slot while the first input's answer is
    /// queued behind it. The answer is written before the next operation starts, so a downstream Select-Object -First 1
    /// (a sink that stops the pipeline) stops it before another billed request. Found in a real engine: up to seven
    /// further Khipu requests went out after the first result had arrived.
    /// </summary>
    [Fact]
    public void An_answer_already_received_is_written_before_the_next_operation_starts()
    {
        var sink = new RecordingSink { OnObject = _ => throw new InvalidOperationException("pipeline stopped") };
        using var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2 }, CancellationToken.None);
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Submit(0, async context =>
        {
            await firstGate.Task;
            await context.WriteObjectAsync("r0");
        });
        pump.Submit(1, async context =>
        {
            await secondGate.Task;
            await context.WriteObjectAsync("r1");
        });

        // The second input's answer and completion are queued first, then the first input's.
        secondGate.SetResult();
        Assert.True(SpinWait.SpinUntil(() => pump.QueuedEnvelopes == 2, TimeSpan.FromSeconds(30)));
        firstGate.SetResult();
        Assert.True(SpinWait.SpinUntil(() => pump.QueuedEnvelopes == 4, TimeSpan.FromSeconds(30)));

        Assert.Throws<InvalidOperationException>(() => pump.Submit(2, _ => Task.CompletedTask));
        Assert.Equal(2, pump.Submitted);
    }

    [Fact]
    public void A_terminating_error_ends_the_command_and_cancels_the_rest()
    {
        var sink = new RecordingSink();
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2 }, CancellationToken.None);
        var cancelled = false;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Submit(0, async _ =>
        {
            await gate.Task;
            throw new EnergyData.Connection.NotConnectedException();
        });
        pump.Submit(1, async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
        });

        gate.SetResult();
        var exception = Assert.Throws<InvalidOperationException>(pump.Complete);
        Assert.Contains("NotConnected", exception.Message, StringComparison.Ordinal);
        pump.Dispose();
        Assert.True(cancelled);
    }

    /// <summary>
    /// A terminating error (a refused credential) ended the command without the answers already received for other
    /// inputs, held back for input order: Khipu had billed them. They now go out, in input order, before it.
    /// </summary>
    [Fact]
    public void A_terminating_error_first_writes_the_answers_held_for_input_order()
    {
        var sink = new RecordingSink();
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The operations run on the thread pool: on a loaded machine the first could start after the terminating error
        // had cancelled the pump, and then rightly write nothing. The last input fails only once the others have written.
        var firstWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCancelled = false;
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 3, Ordered = true }, CancellationToken.None);
        pump.Submit(0, async context =>
        {
            await context.WriteObjectAsync("r0");
            firstWritten.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                firstCancelled = true;
                throw;
            }
        });
        pump.Submit(1, async context =>
        {
            await context.WriteObjectAsync("r1a");
            await context.WriteObjectAsync("r1b");
            context.WriteError(new OperationError(new InvalidOperationException("one input"), "OneInput", ErrorKind.InvalidResult, 1));
            secondDone.SetResult();
        });
        pump.Submit(2, async context =>
        {
            await Task.WhenAll(firstWritten.Task, secondDone.Task);
            await context.WriteObjectAsync("r2");
            context.WriteError(new OperationError(new InvalidOperationException("refused"), "AuthenticationFailed", ErrorKind.AuthenticationError, 2) { IsTerminating = true });
        });

        var exception = Assert.Throws<InvalidOperationException>(pump.Complete);
        pump.Dispose();

        Assert.Equal("terminating: AuthenticationFailed", exception.Message);
        Assert.Equal(["r0", "r1a", "r1b", "r2"], sink.Objects);
        Assert.Equal("OneInput", Assert.Single(sink.Errors).ErrorId);
        Assert.True(firstCancelled);
    }

    /// <summary>Answers that reached the pump after the terminating error, but before it was written, go out too.</summary>
    [Fact]
    public void A_terminating_error_first_writes_the_answers_queued_behind_it()
    {
        var sink = new RecordingSink();
        var allSubmitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstBeingWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var terminatingPosted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastPosted = new ManualResetEventSlim();
        sink.OnObject = item =>
        {
            if (Equals(item, "r0"))
            {
                // The pipeline thread is busy with r0 while the terminating error and r2 arrive behind it.
                firstBeingWritten.SetResult();
                Assert.True(lastPosted.Wait(TimeSpan.FromSeconds(30)));
            }
        };
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 3, Ordered = false }, CancellationToken.None);
        pump.Submit(0, async context =>
        {
            await allSubmitted.Task;
            await context.WriteObjectAsync("r0");
        });
        pump.Submit(1, async context =>
        {
            await firstBeingWritten.Task;
            context.WriteError(new OperationError(new InvalidOperationException("refused"), "AuthenticationFailed", ErrorKind.AuthenticationError, 1) { IsTerminating = true });
            terminatingPosted.SetResult();
        });
        pump.Submit(2, async context =>
        {
            await terminatingPosted.Task;
            await context.WriteObjectAsync("r2");
            lastPosted.Set();
        });
        allSubmitted.SetResult();

        var exception = Assert.Throws<InvalidOperationException>(pump.Complete);
        pump.Dispose();

        Assert.Equal("terminating: AuthenticationFailed", exception.Message);
        Assert.Equal(["r0", "r2"], sink.Objects);
    }

    /// <summary>After Ctrl+C nothing more goes out, not even ahead of a terminating error that comes after it.</summary>
    [Fact]
    public void A_terminating_error_after_a_stop_writes_nothing_more()
    {
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2, Ordered = true }, stop.Token);
        using var heldWritten = new ManualResetEventSlim();
        using var terminatingPosted = new ManualResetEventSlim();
        pump.Submit(0, async context => await Task.Delay(Timeout.Infinite, context.CancellationToken));
        pump.Submit(1, async context =>
        {
            await context.WriteObjectAsync("held");
            heldWritten.Set();
            await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            context.WriteError(new OperationError(new InvalidOperationException("refused"), "AuthenticationFailed", ErrorKind.AuthenticationError, 1) { IsTerminating = true });
            terminatingPosted.Set();
        });
        Assert.True(heldWritten.Wait(TimeSpan.FromSeconds(30)));
        pump.Drain();

        stop.Cancel();
        Assert.True(terminatingPosted.Wait(TimeSpan.FromSeconds(30)));
        var exception = Assert.Throws<InvalidOperationException>(pump.Drain);
        pump.Dispose();

        Assert.Equal("terminating: AuthenticationFailed", exception.Message);
        Assert.Empty(sink.Objects);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Throttle_limit_out_of_range_is_refused_with_its_name(int limit)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => new OperationPump(new RecordingSink(), new PumpOptions { ThrottleLimit = limit }, CancellationToken.None));
        Assert.Contains("'ThrottleLimit'", exception.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
