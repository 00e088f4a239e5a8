using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;

namespace EnergyData.Benchmarks;

/// <summary>
/// callbacks: n Enel debt lookups submitted in asynchronous mode with the receiver's CallbackUrl; the emulator
/// delivers each result to the receiver after a delay with jitter (so they arrive spread out, while the waiter is
/// already waiting), and a CallbackWaiter collects them as Wait-KhipuOperation does. Each latency runs from the
/// callback accepted (the receiver stores the result in the inbox before answering 200: the result file's
/// last-write time) to the waiter yielding that operation's rows. Target: p99 <= 50 ms.
/// </summary>
internal static class CallbackScenario
{
    private const int SubmitThrottle = 16;

    public static async Task<BenchLine> RunAsync(BenchSize size)
    {
        var n = size == BenchSize.Quick ? 200 : 1_000;

        // Deliveries start after every submission has been made (1,000 submissions take about a second here) and
        // spread over the jitter window, so the waiter sees them one by one as a real wait would.
        var deliveryDelay = size == BenchSize.Quick ? 1_500 : 4_000;
        var jitter = size == BenchSize.Quick ? 1_000 : 3_000;
        await using var server = await BenchHarness.StartEmulatorAsync(0);
        server.State.Options.CallbackDelayMilliseconds = deliveryDelay;
        server.State.Callbacks.Options.JitterMilliseconds = jitter;
        using var connection = BenchHarness.Connect(server);
        var client = connection.GetKhipuClient();
        var inboxPath = Path.Combine(Path.GetTempPath(), "energydata-bench-inbox-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = inboxPath });
            var identifiers = Enumerable.Range(0, n).Select(index => (2_000_000 + index).ToString(CultureInfo.InvariantCulture) + "-" + "0123456789K"[index % 11]).ToArray();
            var submitted = new ConcurrentBag<KhipuOperation>();
            var submitting = Stopwatch.StartNew();
            var submitSink = BenchHarness.RunPump(identifiers, SubmitThrottle, async (id, context) =>
                submitted.Add(await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest(id, receiver.CallbackUrl), id, null, receiver, null, context.CancellationToken)));
            submitting.Stop();

            var waitStarted = DateTime.UtcNow;
            var latencies = new List<double>(n);
            var early = 0;
            var failed = 0;
            var rows = 0;
            var waiter = new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromMilliseconds(deliveryDelay + jitter) + TimeSpan.FromSeconds(30) });
            var waiting = Stopwatch.StartNew();
            await foreach (var outcome in waiter.WaitAsync(submitted.Select(PendingOperation.FromOperation).ToArray(), null, null, CancellationToken.None))
            {
                var yielded = DateTime.UtcNow;
                var accepted = File.GetLastWriteTimeUtc(receiver.Inbox.ResultPath(outcome.Operation.OperationId));
                if (outcome.Error is not null)
                {
                    failed++;
                    continue;
                }

                rows += outcome.Results.Count;
                if (accepted < waitStarted)
                {
                    // Delivered before the wait began: its latency would be the submission time, not the waiter's.
                    early++;
                    continue;
                }

                latencies.Add((yielded - accepted).TotalMilliseconds);
            }

            waiting.Stop();
            await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
            latencies.Sort();
            var p50 = Percentile(latencies, 0.50);
            var p99 = Percentile(latencies, 0.99);
            var status = receiver.GetStatus();
            return new BenchLine("callbacks")
                .Add("n", n)
                .Add("submit_seconds", submitting.Elapsed.TotalSeconds)
                .Add("seconds", waiting.Elapsed.TotalSeconds)
                .Add("delivery_delay_ms", deliveryDelay)
                .Add("jitter_ms", jitter)
                .Add("accepted", status.Accepted)
                .Add("measured", latencies.Count)
                .Add("early", early)
                .Add("p50_ms", p50, 1)
                .Add("p99_ms", p99, 1)
                .Add("max_ms", latencies.Count == 0 ? double.NaN : latencies[^1], 1)
                .Add("errors", failed + submitSink.Errors.Count)
                .Target("p99_ms <= 50", p99 <= 50)
                .Target("every operation completed once", rows == n && failed == 0 && submitSink.Errors.IsEmpty && status.Accepted == n)
                .Target("every callback arrived while the waiter was waiting", early == 0);
        }
        finally
        {
            try
            {
                Directory.Delete(inboxPath, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
