using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using EnergyData.Pipeline;

namespace EnergyData.Benchmarks;

/// <summary>
/// bulk: n Enel debt lookups at a fixed emulator latency, one at a time and at ThrottleLimit 16, through the pump
/// that Get-EnelDebtStatus uses. Targets: efficiency (ideal/actual) >= 0.9, speedup >= 14.
/// </summary>
internal static class BulkScenario
{
    private const int Throttle = 16;

    public static async Task<BenchLine> RunAsync(BenchSize size)
    {
        var n = size == BenchSize.Quick ? 96 : 640;
        var latency = size == BenchSize.Quick ? 50 : 200;
        await using var server = await BenchHarness.StartEmulatorAsync(latency);
        using var connection = BenchHarness.Connect(server);
        var client = connection.GetKhipuClient();
        var identifiers = Enumerable.Range(0, n).Select(index => (1_000_000 + index).ToString(CultureInfo.InvariantCulture) + "-" + CheckDigit(index)).ToArray();

        // Warm up the connection pool and JIT so neither leg pays for them.
        BenchHarness.RunPump(identifiers.Take(Throttle).ToArray(), Throttle, (id, context) => context.WriteResultAsync(client.GetEnelDebtStatusAsync(id, context, context.CancellationToken)));

        var sequentialCount = size == BenchSize.Quick ? n / 4 : n / 8;
        var sequential = Stopwatch.StartNew();
        var sequentialSink = BenchHarness.RunPump(identifiers.Take(sequentialCount).ToArray(), 1, (id, context) => context.WriteResultAsync(client.GetEnelDebtStatusAsync(id, context, context.CancellationToken)));
        sequential.Stop();

        var concurrent = Stopwatch.StartNew();
        var sink = BenchHarness.RunPump(identifiers, Throttle, (id, context) => context.WriteResultAsync(client.GetEnelDebtStatusAsync(id, context, context.CancellationToken)));
        concurrent.Stop();

        var seconds = concurrent.Elapsed.TotalSeconds;
        var ideal = Math.Ceiling(n / (double)Throttle) * latency / 1000.0;
        var efficiency = ideal / seconds;
        var sequentialThroughput = sequentialCount / sequential.Elapsed.TotalSeconds;
        var speedup = n / seconds / sequentialThroughput;
        var line = new BenchLine("bulk")
            .Add("n", n)
            .Add("latency_ms", latency)
            .Add("throttle", Throttle)
            .Add("seconds", seconds)
            .Add("ideal_seconds", ideal)
            .Add("efficiency", efficiency)
            .Add("sequential_n", sequentialCount)
            .Add("sequential_seconds", sequential.Elapsed.TotalSeconds)
            .Add("speedup", speedup, 2)
            .Add("results", sink.Objects)
            .Add("errors", sink.Errors.Count + sequentialSink.Errors.Count);
        return line
            .Target("efficiency >= 0.9", efficiency >= 0.9)
            .Target("speedup >= 14", speedup >= 14)
            .Target("every input gave a result", sink.Objects == n && sink.Errors.IsEmpty);
    }

    // Chilean-style check character: the emulator accepts any digit or K; vary it so inputs differ.
    private static char CheckDigit(int index) => "0123456789K"[index % 11];
}
