using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>Shapes a server built from the document may send that the emulator does not: null lists, ids as 41.0.</summary>
public sealed class NeuResponseShapeTests
{
    private const string Reading = "{\"id_service\":450,\"name\":\"Bodega\",\"date\":\"2021-04-01T00:00:00\",\"cons\":1.5}";

    [Fact]
    public async Task An_account_whose_data_is_null_gives_no_consumption_rows_and_the_next_account_still_does()
    {
        var json = "[{\"id_account\":41,\"account_name\":\"Cuenta Norte\",\"data\":null},{\"id_account\":42,\"account_name\":\"Cuenta Sur\",\"data\":[" + Reading + "]}]";

        var rows = await ReadConsumptionAsync(json);

        var row = Assert.Single(rows);
        Assert.Equal(42, row.AccountId);
        Assert.Equal(450, row.ServiceId);
    }

    [Fact]
    public async Task A_frontier_code_whose_data_is_null_gives_no_rows()
    {
        var json = "[{\"sic_code\":\"Frt00123\",\"data\":null},{\"sic_code\":\"Frt00456\",\"data\":[{\"date\":\"2024-01-01T00:00:00\",\"cons\":2.5}]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadFrontierAsync(reader, CancellationToken.None).ToListAsync();

        Assert.Equal("Frt00456", Assert.Single(rows).SicCode);
    }

    [Fact]
    public async Task Data_of_another_kind_than_a_list_is_still_refused()
    {
        var json = "[{\"id_account\":41,\"data\":\"none\"}]";

        await Assert.ThrowsAsync<InvalidOperationException>(() => ReadConsumptionAsync(json));
    }

    [Fact]
    public async Task A_list_envelope_with_null_data_gives_no_rows()
    {
        var handler = new StubNeuHandler(_ => "{\"nextPage\":null,\"maxPage\":1,\"total\":0,\"data\":null}");
        var client = handler.CreateClient();

        var notifications = await client.GetNotificationsAsync(null, null, null, null, CancellationToken.None).ToListAsync();
        var interactions = await client.GetNotificationInteractionsAsync(null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Empty(notifications);
        Assert.Empty(interactions);
    }

    [Fact]
    public async Task A_bills_page_with_null_data_ends_the_paging_without_a_row()
    {
        var handler = new StubNeuHandler(_ => "{\"data\":null}");

        var bills = await handler.CreateClient().GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Empty(bills);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task An_object_with_fields_of_its_own_and_null_data_is_still_one_item()
    {
        var handler = new StubNeuHandler(_ => "{\"Id_alarm\":7,\"rule_name\":\"Consumo diario alto\",\"data\":null}");

        var items = await handler.CreateClient().InvokeAsync("POST", "rules/history/", null, null, CancellationToken.None).ToListAsync();

        Assert.Equal("Consumo diario alto", Assert.Single(items).GetFields().Single(field => field.Key == "rule_name").Value);
    }

    private static async Task<List<NeuConsumption>> ReadConsumptionAsync(string json)
    {
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        return await NeuConsumptionReader.ReadAsync(reader, "Daily", CancellationToken.None).ToListAsync();
    }
}
