using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Json;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// Group fields written after the group's data list, as a server that sorts its keys writes them (Flask's jsonify,
/// Go maps, Python's sort_keys: account_name, data, id_account; data, sic_code): every row still carries them.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuGroupKeyOrderTests : IDisposable
{
    private readonly EmulatorServer server;
    private readonly EnergyDataConnection connection;

    public NeuGroupKeyOrderTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        connection = NeuTestConnection.Create(server);
    }

    public void Dispose() => connection.Dispose();

    [Fact]
    public async Task Account_fields_after_the_data_list_reach_every_row_of_their_group_in_any_order_and_case()
    {
        var json = "[" +
            "{\"account_name\":\"Cuenta Norte\",\"data\":[" + Reading(282, 1) + "," + Reading(283, 2) + "],\"id_account\":41}," +
            "{\"data\":[" + Reading(450, 3) + "],\"ID_ACCOUNT\":42.0,\"Account_Name\":\"Cuenta Sur\"}," +
            "{\"id_account\":43,\"data\":[" + Reading(500, 4) + "],\"account_name\":\"Cuenta Este\",\"id_account\":99}," +
            "{\"id_account\":44,\"account_name\":\"Cuenta Oeste\",\"data\":[" + Reading(600, 5) + "]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadAsync(reader, "Daily", CancellationToken.None).ToListAsync();

        // An id written before data is the one the rows carry; a second one after it does not replace it.
        Assert.Equal([41L, 41L, 42L, 43L, 44L], rows.Select(row => row.AccountId));
        Assert.Equal(["Cuenta Norte", "Cuenta Norte", "Cuenta Sur", "Cuenta Este", "Cuenta Oeste"], rows.Select(row => row.AccountName));
        Assert.Equal([282L, 283L, 450L, 500L, 600L], rows.Select(row => row.ServiceId));
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], rows.Select(row => row.Consumption));
    }

    [Fact]
    public async Task A_frontier_code_after_the_data_list_reaches_its_rows()
    {
        var json = "[{\"data\":[{\"cons\":2.5,\"date\":\"2024-01-01T00:00:00\"},{\"cons\":3,\"date\":\"2024-01-01T01:00:00\"}],\"sic_code\":\"Frt00123\"}," +
            "{\"data\":[{\"cons\":4,\"date\":\"2024-01-01T00:00:00\"}],\"Sic_Code\":\"Frt00456\"}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["Frt00123", "Frt00123", "Frt00456"], rows.Select(row => row.SicCode));
        Assert.Equal([2.5, 3.0, 4.0], rows.Select(row => row.Consumption));
    }

    [Fact]
    public async Task A_server_that_sorts_group_keys_still_gives_every_consumption_row_its_account()
    {
        server.State.Neu.SortedGroupKeys = true;
        var query = new NeuConsumptionQuery { ServiceIds = [282, 283, 450], Interval = NeuInterval.Daily, From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 8) };

        var rows = await connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync();

        Assert.Equal(21, rows.Count);
        Assert.All(rows.Where(row => row.ServiceId is 282 or 283), row => Assert.Equal(((long?)41, (string?)"Cuenta Norte"), (row.AccountId, row.AccountName)));
        Assert.All(rows.Where(row => row.ServiceId == 450), row => Assert.Equal(((long?)42, (string?)"Cuenta Sur"), (row.AccountId, row.AccountName)));
        Assert.Equal(7, rows.Count(row => row.ServiceId == 450));
    }

    [Fact]
    public async Task A_server_that_sorts_group_keys_still_gives_every_frontier_row_its_code()
    {
        server.State.Neu.SortedGroupKeys = true;

        var rows = await connection.GetNeuClient().GetFrontierConsumptionAsync(["Frt00123", "Frt00456"], new DateTime(2024, 1, 1), new DateTime(2024, 1, 1, 23, 0, 0), null, CancellationToken.None).ToListAsync();

        Assert.Equal(48, rows.Count);
        Assert.Equal(Enumerable.Repeat("Frt00123", 24).Concat(Enumerable.Repeat("Frt00456", 24)), rows.Select(row => row.SicCode));
    }

    [Fact]
    public async Task A_group_larger_than_the_look_ahead_limit_streams_without_the_fields_after_its_data_and_a_smaller_one_gets_them()
    {
        // Some 375 bytes a row: the 60,000 rows before the gate are over 21 MB, past the 16 MiB look-ahead, so the
        // reader must give up looking for id_account and stream the first account's rows while the server waits.
        const long largeRows = 70_000;
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.State.Neu.SortedGroupKeys = true;
        server.State.Neu.LargeConsumptionRows = largeRows;
        server.State.Neu.GateAfterRows = 60_000;
        server.State.Neu.ConsumptionGate = gate;
        var query = new NeuConsumptionQuery { ServiceIds = [282, 450], Interval = NeuInterval.Hourly, From = new DateTime(2021, 1, 1), To = new DateTime(2021, 1, 2) };

        await using var rows = connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await rows.MoveNextAsync());

        // The server is still holding back the rest of the body: the first row did not wait for its end.
        Assert.False(gate.Task.IsCompleted);
        Assert.Null(rows.Current.AccountId);
        Assert.Equal("Cuenta Norte", rows.Current.AccountName);

        gate.SetResult(true);
        long firstAccountRows = 1;
        var secondAccount = new System.Collections.Generic.List<NeuConsumption>();
        while (await rows.MoveNextAsync())
        {
            if (rows.Current.ServiceId == 450)
            {
                secondAccount.Add(rows.Current);
            }
            else
            {
                Assert.Null(rows.Current.AccountId);
                firstAccountRows++;
            }
        }

        Assert.Equal(largeRows, firstAccountRows);
        Assert.Equal(24, secondAccount.Count);
        Assert.All(secondAccount, row => Assert.Equal(((long?)42, (string?)"Cuenta Sur"), (row.AccountId, row.AccountName)));
    }

    private static string Reading(long serviceId, double consumption) =>
        $$"""{"cons":{{consumption.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"date":"2021-04-01T00:00:00","id_service":{{serviceId}},"name":"S{{serviceId}}"}""";
}
