using System;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>Consumption rows leave the reader while the body is still arriving, and memory does not grow with the body.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuStreamingTests
{
    private readonly EmulatorServer server;

    public NeuStreamingTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task The_first_row_arrives_while_the_server_is_still_holding_back_the_rest_of_the_body()
    {
        const long total = 50_000;
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.State.Neu.LargeConsumptionRows = total;
        server.State.Neu.GateAfterRows = 10;
        server.State.Neu.ConsumptionGate = gate;
        using var connection = NeuTestConnection.Create(server);
        var query = new NeuConsumptionQuery { AccountId = 41, Interval = NeuInterval.Hourly, From = new DateTime(2021, 1, 1), To = new DateTime(2021, 12, 31) };

        await using var rows = connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await rows.MoveNextAsync());

        // The server has written only the rows before the gate and is waiting: the body cannot have ended.
        Assert.False(gate.Task.IsCompleted);
        Assert.Equal(10, server.State.Neu.RowsWritten);
        Assert.Equal(new DateTime(2021, 1, 1), rows.Current.Date);

        gate.SetResult(true);
        long count = 1;
        while (await rows.MoveNextAsync())
        {
            count++;
        }

        Assert.Equal(total, count);
    }

    [Fact]
    public async Task Stopping_early_cancels_the_rest_of_a_large_response()
    {
        const long total = 1_000_000;
        server.State.Neu.LargeConsumptionRows = total;
        using var connection = NeuTestConnection.Create(server);
        using var cancellation = new CancellationTokenSource();
        var query = new NeuConsumptionQuery { AccountId = 42, Interval = NeuInterval.Hourly, From = new DateTime(2000, 1, 1), To = new DateTime(2099, 1, 1) };
        var seen = 0;

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var row in connection.GetNeuClient().GetConsumptionAsync(query, null, cancellation.Token))
            {
                if (++seen == 5)
                {
                    // What Ctrl+C or Select-Object -First does to the operation.
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(5, seen);
        Assert.Equal(cancellation.Token, error.CancellationToken);

        // The rest of the body was never read: backpressure kept the server far from its end.
        Assert.True(server.State.Neu.RowsWritten < total, $"the server wrote all {total} rows");
    }

    [Fact]
    public async Task The_large_mode_can_be_switched_on_over_http_for_the_benchmark()
    {
        using var http = new System.Net.Http.HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync(new Uri("_emulator/neu/options", UriKind.Relative), new System.Net.Http.StringContent("{\"largeConsumptionRows\":2500}", System.Text.Encoding.UTF8, "application/json"));
        using var connection = NeuTestConnection.Create(server);
        var query = new NeuConsumptionQuery { ServiceIds = [450], Interval = NeuInterval.Hourly, From = new DateTime(2021, 1, 1), To = new DateTime(2021, 1, 2) };
        var rows = await connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync();

        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2500, rows.Count);
        Assert.Equal(0, server.State.Counters.For("_emulator/neu/options"));
    }

    [Fact]
    public async Task Rows_parsed_by_the_helper_thread_carry_their_account_and_service_and_come_in_order()
    {
        // 60,000 rows (some 20 MB) over HTTP: whether stretches of them are buffered long enough to be shared with the
        // helper thread depends on how the loopback delivers them, so this checks the rows whichever thread parsed
        // them; NeuConsumptionParseAheadTests shows the helper's part on a body held in memory.
        const long total = 60_000;
        server.State.Neu.LargeConsumptionRows = total;
        using var connection = NeuTestConnection.Create(server);
        var from = new DateTime(2000, 1, 1);
        var query = new NeuConsumptionQuery { AccountId = 41, Interval = NeuInterval.Hourly, From = from, To = new DateTime(2099, 1, 1) };
        long count = 0;
        NeuConsumption? first = null;

        await foreach (var row in connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None))
        {
            first ??= row;
            Assert.Equal(from.AddHours(count), row.Date);
            Assert.Equal(41, row.AccountId);
            Assert.Equal(first.AccountName, row.AccountName);
            Assert.Equal(first.ServiceId, row.ServiceId);
            Assert.Equal(first.ServiceName, row.ServiceName);
            Assert.Equal("Hourly", row.Interval);
            Assert.NotNull(row.Consumption);
            count++;
        }

        Assert.Equal(total, count);
        Assert.NotNull(first!.AccountName);
        Assert.NotNull(first.ServiceId);
    }

    [Fact]
    public async Task A_million_row_response_streams_with_bounded_memory()
    {
        const long total = 1_000_000;
        server.State.Neu.LargeConsumptionRows = total;
        using var connection = NeuTestConnection.Create(server);
        var query = new NeuConsumptionQuery { AccountId = 41, Interval = NeuInterval.Hourly, From = new DateTime(2000, 1, 1), To = new DateTime(2099, 1, 1) };
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        long count = 0;
        double consumption = 0;

        await foreach (var row in connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None))
        {
            count++;
            consumption += row.Consumption ?? 0;
            if (count % 100_000 == 0)
            {
                // Live memory after a full collection: what the reader keeps, not garbage waiting to be collected.
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        Assert.Equal(total, count);
        Assert.True(consumption > 0);

        // Each row is about 400 bytes of JSON, so the body is some 400 MB; holding it, or the rows, would need far more.
        Assert.True(peak < 48L * 1024 * 1024, $"Live memory grew by {peak / (1024 * 1024)} MB while streaming {total} rows.");
    }
}
