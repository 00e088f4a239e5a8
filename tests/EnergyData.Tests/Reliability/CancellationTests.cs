using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Http;
using EnergyData.Tests.Pipeline;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Reliability;

/// <summary>
/// Ctrl+C (StopProcessing cancels the pump's token): wherever the work is waiting, control comes back within
/// 250 ms and the server sees every request aborted, so no request or socket is left running.
/// </summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan ControlReturns = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Cancel_while_connecting_for_a_token()
    {
        var hanging = new HangingEndpoint();
        await using var server = await ScriptedServer.StartAsync(hanging.HandleAsync);
        using var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuClientId = "client",
            KhipuClientSecret = "client-secret".ToSecureString(),
            KhipuTokenUri = server.Url("token"),
        });
        using var cancellation = new CancellationTokenSource();

        var call = connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567", null, cancellation.Token);
        await hanging.WaitForRequestsAsync(1);
        var elapsed = await CancelAndMeasureAsync(cancellation, call);

        Assert.True(elapsed < ControlReturns, $"returned after {elapsed.TotalMilliseconds} ms");
        Assert.Equal("token", server.Requests.Single().Path.Trim('/'));
        await hanging.WaitForAllAbortedAsync();
    }

    [Theory]
    // Every envelope field the rows carry comes before Data.
    [InlineData("{\"OperationId\":\"op\",\"Status\":\"OK\",\"AdditionalInformation\":null,\"Data\":{\"NonconformitiesList\":{\"TotalDisconformidades\":500,\"Disconformidades\":[{\"Id\":1},{\"Id\":2},")]
    // The document's order: AdditionalInformation after Data, so the rows wait for it while the body arrives.
    [InlineData("{\"OperationId\":\"op\",\"Status\":\"OK\",\"Data\":{\"NonconformitiesList\":{\"TotalDisconformidades\":500,\"Disconformidades\":[{\"Id\":1},{\"Id\":2},")]
    public async Task Cancel_while_a_first_page_arrives(string prefix)
    {
        // The first page is read whole before its rows leave (for its columns and the fields after Data): a cancelled
        // read hands none of them out, whatever the order of the envelope's fields.
        var streaming = new HangingEndpoint { Prefix = prefix };
        await using var server = await ScriptedServer.StartAsync(streaming.HandleAsync);
        using var connection = ApiKeyConnection(server);
        using var cancellation = new CancellationTokenSource();
        var rows = 0;
        var reading = ReadCenRowsAsync(connection, () => Interlocked.Increment(ref rows), cancellation.Token);
        await streaming.WaitForRequestsAsync(1);
        await Task.Delay(100);
        var elapsed = await CancelAndMeasureAsync(cancellation, reading);

        Assert.True(elapsed < ControlReturns, $"returned after {elapsed.TotalMilliseconds} ms");
        Assert.Equal(0, rows);
        await streaming.WaitForAllAbortedAsync();
    }

    /// <summary>Reads CEN rows on another task, calling <paramref name="onRow"/> for each, until the body ends or is cancelled.</summary>
    private static Task ReadCenRowsAsync(EnergyDataConnection connection, Action onRow, CancellationToken cancellationToken)
    {
        var query = new CenQuery { RutDeudor = "76543210", From = new DateTime(2025, 1, 1), To = new DateTime(2025, 2, 1), AccountCredential = KhipuAccountCredential.FromUserName("u", "p".ToSecureString()) };
        return Task.Run(async () =>
        {
            await foreach (var unused in connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, cancellationToken))
            {
                onRow();
            }
        }, CancellationToken.None);
    }

    [Fact]
    public async Task Cancel_during_a_retry_wait()
    {
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.Headers.RetryAfter = "30";
            return ScriptedServer.Status(context, 503, "{}");
        });
        var settings = ApiKeySettings(server);
        settings.Resilience.MaxRetryAttempts = 3;
        using var connection = EnergyDataConnection.Create(settings);
        using var cancellation = new CancellationTokenSource();
        var trace = new RecordingTrace();

        var call = connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567", trace, cancellation.Token);
        await WaitUntilAsync(() => server.RequestCount == 1 && trace.VerboseLines.Any(line => line.Contains("retry", StringComparison.OrdinalIgnoreCase)));
        var elapsed = await CancelAndMeasureAsync(cancellation, call);

        Assert.True(elapsed < ControlReturns, $"returned after {elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Cancel_during_concurrent_bulk_calls_through_the_pump()
    {
        var hanging = new HangingEndpoint();
        await using var server = await ScriptedServer.StartAsync(hanging.HandleAsync);
        using var connection = ApiKeyConnection(server);
        var client = connection.GetKhipuClient();
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 16 }, stop.Token);
        var stopwatch = new Stopwatch();

        // The pipeline thread: submits 100 inputs then waits in Complete, as EndProcessing does.
        var pipeline = Task.Run(() =>
        {
            try
            {
                // The 17th Submit blocks (16 in flight): cancellation must release it too.
                for (var index = 0; index < 100; index++)
                {
                    var id = (1_000_000 + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    pump.Submit(id, context => context.WriteResultAsync(client.GetEnelDebtStatusAsync(id, context, context.CancellationToken)));
                }

                pump.Complete();
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                stopwatch.Stop();
                pump.Dispose();
            }
        });
        await hanging.WaitForRequestsAsync(16);
        stopwatch.Start();
        pump.Cancel();
        await pipeline.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stopwatch.Elapsed < ControlReturns, $"returned after {stopwatch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(16, server.RequestCount);
        Assert.Empty(sink.Objects);
        await hanging.WaitForAllAbortedAsync();
    }

    [Fact]
    public async Task Cancel_while_waiting_for_callbacks_leaves_the_inbox_as_it_was()
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "energydata-cancel-wait-" + Guid.NewGuid().ToString("N"));
        try
        {
            var inbox = new EnergyData.Callbacks.CallbackInbox(root);
            inbox.EnsureExists();
            var arrived = System.Text.Encoding.UTF8.GetBytes("{\"OperationId\":\"op-1\",\"Status\":\"OK\",\"Data\":{\"DebtStatus\":{}}}");
            Assert.Equal(EnergyData.Callbacks.InboxWriteResult.Added, await inbox.TryAddResultAsync("op-1", arrived, CancellationToken.None));
            var pending = new[] { "op-1", "op-2", "op-3" }.Select(id => new EnergyData.Callbacks.PendingOperation { OperationId = id, ServicePath = KhipuServices.EnelDebtStatus, InputIdentifier = id }).ToArray();
            foreach (var operation in pending)
            {
                await inbox.WritePendingAsync(operation, CancellationToken.None);
            }

            var before = Snapshot(root);
            using var cancellation = new CancellationTokenSource();
            var outcomes = 0;
            var waiting = Task.Run(async () =>
            {
                var waiter = new EnergyData.Callbacks.CallbackWaiter(inbox, new EnergyData.Callbacks.CallbackWaiterOptions { Timeout = TimeSpan.FromMinutes(5) });
                await foreach (var unused in waiter.WaitAsync(pending, null, null, cancellation.Token))
                {
                    Interlocked.Increment(ref outcomes);
                }
            });
            await WaitUntilAsync(() => Volatile.Read(ref outcomes) == 1);
            var elapsed = await CancelAndMeasureAsync(cancellation, waiting);

            Assert.True(elapsed < ControlReturns, $"returned after {elapsed.TotalMilliseconds} ms");
            Assert.Equal(before, Snapshot(root));
            Assert.Empty(System.IO.Directory.EnumerateFiles(root, "*.tmp", System.IO.SearchOption.AllDirectories));
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }

    private static string Snapshot(string root) => string.Join(
        "\n",
        System.IO.Directory.EnumerateFiles(root, "*", System.IO.SearchOption.AllDirectories)
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => System.IO.Path.GetRelativePath(root, path) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(path)))));

    private static ConnectionSettings ApiKeySettings(ScriptedServer server) => new()
    {
        KhipuBaseUri = server.BaseUri,
        KhipuApiKey = "api-key".ToSecureString(),
    };

    private static EnergyDataConnection ApiKeyConnection(ScriptedServer server) => EnergyDataConnection.Create(ApiKeySettings(server));

    private static async Task<TimeSpan> CancelAndMeasureAsync(CancellationTokenSource cancellation, Task work)
    {
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work.WaitAsync(TimeSpan.FromSeconds(10)));
        return stopwatch.Elapsed;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not reached within 10 s");
            await Task.Delay(5);
        }
    }

    /// <summary>An endpoint that (optionally) starts a body and then never finishes, counting requests still open.</summary>
    private sealed class HangingEndpoint
    {
        private int started;
        private int open;

        public string? Prefix { get; init; }

        public async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref open);
            Interlocked.Increment(ref started);
            try
            {
                if (Prefix is not null)
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(Prefix, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }

                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        }

        public Task WaitForRequestsAsync(int count) => WaitUntilAsync(() => Volatile.Read(ref started) >= count);

        /// <summary>Every request the client started has been aborted: the client let go of its sockets.</summary>
        public Task WaitForAllAbortedAsync() => WaitUntilAsync(() => Volatile.Read(ref open) == 0);
    }
}
