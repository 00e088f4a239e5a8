using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Khipu;

namespace EnergyData.Benchmarks;

/// <summary>
/// paging: a CEN query of 20,000 nonconformities in pages of 200 at a fixed latency, pages one after another vs
/// pages fetched 8 at a time once the first page has given the total. Target: speedup >= 6.
/// </summary>
internal static class PagingScenario
{
    private const int PageSize = 200;
    private const int Concurrency = 8;

    public static async Task<BenchLine> RunAsync(BenchSize size)
    {
        var total = size == BenchSize.Quick ? 4_000 : 20_000;
        var latency = size == BenchSize.Quick ? 50 : 100;
        await using var server = await BenchHarness.StartEmulatorAsync(latency);
        server.State.KhipuOptions.CenTotal = total;
        using var connection = BenchHarness.Connect(server);
        var client = connection.GetKhipuClient();
        var credential = KhipuAccountCredential.FromUserName("bench-user", EnergyData.Auth.SecureStringExtensions.ToSecureString("bench-password"));

        var sequential = await MeasureAsync(client, credential, 1);
        var parallel = await MeasureAsync(client, credential, Concurrency);
        var pages = (int)Math.Ceiling(total / (double)PageSize);
        var speedup = sequential.Seconds / parallel.Seconds;
        return new BenchLine("paging")
            .Add("total", total)
            .Add("page_size", PageSize)
            .Add("pages", pages)
            .Add("latency_ms", latency)
            .Add("throttle", Concurrency)
            .Add("seconds", parallel.Seconds)
            .Add("sequential_seconds", sequential.Seconds)
            .Add("speedup", speedup, 2)
            .Add("rows", parallel.Rows)
            .Target("speedup >= 6", speedup >= 6)
            .Target("every row once", parallel.Rows == total && sequential.Rows == total);
    }

    private static async Task<(double Seconds, long Rows)> MeasureAsync(KhipuClient client, KhipuAccountCredential credential, int concurrency)
    {
        var query = new CenQuery
        {
            RutDeudor = "76543210",
            From = new DateTime(2025, 1, 1),
            To = new DateTime(2025, 12, 31),
            PageSize = PageSize,
            PageConcurrency = concurrency,
            AccountCredential = credential,
        };
        long rows = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var unused in client.GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
        {
            rows++;
        }

        return (watch.Elapsed.TotalSeconds, rows);
    }
}
