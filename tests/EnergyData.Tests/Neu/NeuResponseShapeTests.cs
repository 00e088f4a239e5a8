using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>Shapes a server built from the document may send that the emulator does not: null lists, ids as 41.0.</summary>
public sealed class NeuResponseShapeTests
{
    private const string Service282 = "{\"id_service\":282,\"id_account\":41,\"account_name\":\"Cuenta Norte\",\"type_service\":\"Energía\",\"name\":\"Casa principal\",\"address\":\"Calle 10\"}";
    private const string Service450 = "{\"id_service\":450,\"id_account\":42,\"account_name\":\"Cuenta Sur\",\"type_service\":\"Energía\",\"name\":\"Bodega\",\"address\":\"Calle 5 Sur\"}";
    private const string Reading = "{\"id_service\":450,\"name\":\"Bodega\",\"date\":\"2021-04-01T00:00:00\",\"cons\":1.5}";
    private const string Account41 = "{\"id_account\":41,\"account_name\":\"Cuenta Norte\",\"data\":[" + Reading + "]}";
    private const string Account42 = "{\"id_account\":42,\"account_name\":\"Cuenta Sur\",\"data\":[" + Reading + "," + Reading + "]}";

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

        var rows = await NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync();

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

    /// <summary>
    /// The document gives <c>"days": number</c>: a fraction is kept (it was read as a whole number, so 12.5 gave an
    /// empty Days), a number written as text is read as every other NEU number is, and a whole number stays 12 when
    /// written out (Export-Csv converts with the invariant culture).
    /// </summary>
    [Theory]
    [InlineData("12.5", 12.5, "12.5")]
    [InlineData("\"7\"", 7.0, "7")]
    [InlineData("12", 12.0, "12")]
    public async Task Days_overdue_are_any_number_the_document_allows(string days, double expected, string written)
    {
        var handler = new StubNeuHandler(_ => "[{\"id_bill\":\"F-1\",\"due_date\":\"2021-04-16T00:00:00\",\"days\":" + days + "}]");

        var overdue = Assert.Single(await handler.CreateClient().GetBillsOverdueAsync(null, CancellationToken.None).ToListAsync());

        Assert.Equal("F-1", overdue.BillId);
        Assert.Equal(new DateTime(2021, 4, 16), overdue.DueDate);
        Assert.Equal<double?>(expected, overdue.Days);
        Assert.Equal(written, overdue.Days!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The list of every service is read as the accounts list is: an array, a data list, or one object.</summary>
    [Theory]
    [InlineData("[" + Service282 + "," + Service450 + "]", new long[] { 282, 450 })]
    [InlineData("{\"data\":[" + Service282 + "," + Service450 + "]}", new long[] { 282, 450 })]
    [InlineData(Service450, new long[] { 450 })]
    [InlineData("[]", new long[0])]
    public async Task Every_service_is_read_from_an_array_a_data_list_or_one_object(string json, long[] expected)
    {
        var handler = new StubNeuHandler(_ => json);

        var services = await handler.CreateClient().GetServicesAsync(null, CancellationToken.None).ToListAsync();

        Assert.Equal(expected, services.Select(service => service.ServiceId!.Value));
        Assert.All(services, service => Assert.NotNull(service.AccountId));
        var request = Assert.Single(handler.Requests);
        Assert.Equal(("GET", StubNeuHandler.BaseUri + "services/", (string?)null), request);
    }

    [Fact]
    public async Task The_services_route_can_be_overridden_like_every_route()
    {
        var handler = new StubNeuHandler(_ => "[" + Service282 + "]");

        var services = await handler.CreateClient(new Dictionary<string, string?> { ["Services"] = "POST v2/services/list" }).GetServicesAsync(null, CancellationToken.None).ToListAsync();

        Assert.Equal(282, Assert.Single(services).ServiceId);
        Assert.Equal(("POST", StubNeuHandler.BaseUri + "v2/services/list"), (handler.Requests.Single().Method, handler.Requests.Single().Uri));
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
    public async Task A_due_date_answer_in_the_flat_shape_without_a_bill_gives_no_row()
    {
        var handler = new StubNeuHandler(_ => "{\"nextPage\":null,\"maxPage\":0,\"total\":0,\"service\":null,\"id_bill\":null,\"id_service\":null,\"date_expiration\":null}");
        var paging = new NeuPaging();

        var dueDates = await handler.CreateClient().GetBillDueDatesAsync(41, null, null, paging, null, CancellationToken.None).ToListAsync();

        Assert.Empty(dueDates);
        Assert.Single(handler.Requests);
        Assert.Equal(0, paging.TotalCount);
    }

    [Fact]
    public async Task A_due_date_answer_in_the_flat_shape_with_a_bill_is_one_row_even_with_some_fields_null()
    {
        var handler = new StubNeuHandler(_ => "{\"nextPage\":null,\"maxPage\":1,\"total\":1,\"service\":null,\"id_bill\":9001,\"id_service\":41,\"date_expiration\":null}");

        var dueDates = await handler.CreateClient().GetBillDueDatesAsync(41, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(9001, Assert.Single(dueDates).BillId);
    }

    [Fact]
    public async Task A_data_list_element_with_nothing_but_paging_fields_and_nulls_gives_no_row()
    {
        var handler = new StubNeuHandler(_ => "{\"maxPage\":1,\"data\":[{\"id_bill\":5,\"id_service\":41},{\"maxPage\":1,\"id_bill\":null}]}");

        var dueDates = await handler.CreateClient().GetBillDueDatesAsync(41, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(5, Assert.Single(dueDates).BillId);
    }

    [Fact]
    public async Task Invoke_keeps_every_element_of_an_array_answer_whatever_its_fields()
    {
        // Raw access: an element of paging fields alone is an item there, and ItemIndex stays its position.
        var handler = new StubNeuHandler(_ => "[{\"total\":3},{\"id\":1}]");

        var items = await handler.CreateClient().InvokeAsync("POST", "accounts/count/", null, null, CancellationToken.None).ToListAsync();

        Assert.Equal([0, 1], items.Select(item => item.ItemIndex));
        Assert.Equal(3, Convert.ToInt32(items[0].GetFields().Single(field => field.Key == "total").Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_object_with_fields_of_its_own_and_null_data_is_still_one_item()
    {
        var handler = new StubNeuHandler(_ => "{\"Id_alarm\":7,\"rule_name\":\"Consumo diario alto\",\"data\":null}");

        var items = await handler.CreateClient().InvokeAsync("POST", "rules/history/", null, null, CancellationToken.None).ToListAsync();

        Assert.Equal("Consumo diario alto", Assert.Single(items).GetFields().Single(field => field.Key == "rule_name").Value);
    }

    [Theory]
    [InlineData("41", 41L)]
    [InlineData("41.0", 41L)]
    [InlineData("41.000", 41L)]
    [InlineData("4.1e1", 41L)]
    [InlineData("-3.0", -3L)]
    [InlineData("9007199254740993.0", 9007199254740993L)]
    [InlineData("\"41.0\"", 41L)]
    [InlineData("\"41\"", 41L)]
    [InlineData("41.5", null)]
    [InlineData("1e19", null)]
    [InlineData("1e30", null)]
    [InlineData("\"41.5\"", null)]
    [InlineData("true", null)]
    public void A_whole_number_written_with_a_fraction_is_an_id(string json, long? expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, NeuFields.ToLong(document.RootElement));
    }

    [Fact]
    public async Task Consumption_ids_written_with_a_fraction_are_read()
    {
        var json = "[{\"id_account\":41.0,\"account_name\":\"Cuenta Norte\",\"data\":[{\"id_service\":282.0,\"name\":\"Casa principal\",\"date\":\"2021-04-01T00:00:00\",\"cons\":1}]}]";

        var row = Assert.Single(await ReadConsumptionAsync(json));

        Assert.Equal(41, row.AccountId);
        Assert.Equal(282, row.ServiceId);
    }

    [Fact]
    public async Task Account_and_service_ids_written_with_a_fraction_are_read_and_a_missing_one_stays_null()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_account\":41.0,\"account_name\":\"Cuenta Norte\",\"services\":[{\"id_service\":282.0,\"name\":\"Casa\"},{\"name\":\"Sin id\"}]}," +
            "{\"account_name\":\"Cuenta sin id\",\"services\":[]}]");

        var accounts = await handler.CreateClient().GetAccountsAsync(null, null, CancellationToken.None).ToListAsync();

        Assert.Equal([41L, null], accounts.Select(entry => entry.Account.AccountId));
        Assert.Equal([282L, null], accounts[0].Services.Select(service => service.ServiceId));
        Assert.Equal("282", accounts[0].Account.ServiceIds);
        Assert.Equal(2, accounts[0].Account.ServiceCount);
    }

    [Fact]
    public async Task An_account_without_an_id_is_skipped_with_an_error_instead_of_being_asked_for_as_account_0()
    {
        var handler = new StubNeuHandler(request => request.RequestUri!.AbsolutePath.EndsWith("/accounts/", StringComparison.Ordinal)
            ? "[{\"id_account\":41.0,\"account_name\":\"Cuenta Norte\"},{\"account_name\":\"Cuenta sin id\"}]"
            : "[{\"id_account\":41,\"date\":\"2021-04-01T00:00:00\",\"value\":3}]");
        var context = new RecordingContext { RecordErrors = true };

        var neugets = await handler.CreateClient().GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync();

        Assert.Equal(41, Assert.Single(neugets).AccountId);
        Assert.Equal(["https://neu.test/api/accounts/", "https://neu.test/api/neugets/41/"], handler.Requests.Select(request => request.Uri));
        var error = Assert.Single(context.Errors);
        Assert.Equal("InvalidResponse", error.ErrorId);
        Assert.Contains("Cuenta sin id", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumption_field_names_in_another_case_are_read_as_every_other_NEU_field_is()
    {
        // Group fields, row fields in another case (one escaped: \u0043ons is Cons), an unknown field, and the exact
        // names again in the next row.
        var json = "[{\"ID_ACCOUNT\":41,\"Account_Name\":\"Cuenta Norte\",\"Data\":[" +
            "{\"Id_Service\":282,\"Name\":\"Casa\",\"Is_Backup\":true,\"Date\":\"2021-04-01T00:00:00\",\"\\u0043ons\":1.5,\"INJEC\":0.5,\"Extra\":{\"cons\":9},\"VC\":120}," +
            "{\"id_service\":282,\"name\":\"Casa\",\"is_backup\":true,\"date\":\"2021-04-02T00:00:00\",\"cons\":2.5,\"injec\":0.5,\"vc\":121}]}]";

        var rows = await ReadConsumptionAsync(json);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(41, row.AccountId);
            Assert.Equal("Cuenta Norte", row.AccountName);
            Assert.Equal(282, row.ServiceId);
            Assert.Equal("Casa", row.ServiceName);
            Assert.True(row.IsBackup);
            Assert.Equal(0.5, row.Injection);
        });
        Assert.Equal([new DateTime(2021, 4, 1), new DateTime(2021, 4, 2)], rows.Select(row => row.Date));
        Assert.Equal([1.5, 2.5], rows.Select(row => row.Consumption));
        Assert.Equal([120.0, 121.0], rows.Select(row => row.VoltageC));
    }

    [Fact]
    public async Task Frontier_field_names_in_another_case_are_read()
    {
        var json = "[{\"SIC_CODE\":\"Frt00123\",\"DATA\":[{\"Date\":\"2024-01-01T00:00:00\",\"Cons\":2.5}]},{\"Sic_code\":\"Frt00456\",\"data\":[{\"date\":\"2024-01-01T01:00:00\",\"cons\":3}]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["Frt00123", "Frt00456"], rows.Select(row => row.SicCode));
        Assert.Equal([new DateTime(2024, 1, 1), new DateTime(2024, 1, 1, 1, 0, 0)], rows.Select(row => row.Date));
        Assert.Equal([2.5, 3.0], rows.Select(row => row.Consumption));
    }

    /// <summary>
    /// Other NEU lists come wrapped in <c>{"data":[...]}</c> and every other reader takes that; consumption read the
    /// wrapper as one account, its accounts as readings, and gave one row of nulls. A bare account (no surrounding
    /// array) is still read, whichever its field order: a group field before data shows it, and otherwise the first
    /// element of data does.
    /// </summary>
    [Theory]
    [InlineData("{\"data\":[" + Account41 + "," + Account42 + "],\"total\":2}", new long[] { 41, 42, 42 })]
    [InlineData("{\"nextPage\":null,\"maxPage\":1,\"total\":2,\"data\":[" + Account41 + "," + Account42 + "]}", new long[] { 41, 42, 42 })]
    [InlineData("{\"data\":[{\"account_name\":\"Cuenta Norte\",\"data\":[" + Reading + "],\"id_account\":41}],\"total\":1}", new long[] { 41 })]
    [InlineData("{\"Data\":[" + Account41 + "]}", new long[] { 41 })]
    [InlineData("{\"data\":null,\"total\":0}", new long[0])]
    [InlineData("{\"data\":[],\"total\":0}", new long[0])]
    [InlineData(Account41, new long[] { 41 })]
    [InlineData("{\"account_name\":\"Cuenta Norte\",\"data\":[" + Reading + "],\"id_account\":41}", new long[] { 41 })]
    [InlineData("{\"data\":[" + Reading + "],\"id_account\":41}", new long[] { 41 })]

    // The document lists id_account among a reading's fields: a reading that carries it is still a reading, and an
    // account's "name" before its data list does not make the account a reading.
    [InlineData("{\"data\":[{\"id_account\":41,\"id_service\":450,\"date\":\"2021-04-01T00:00:00\",\"cons\":1.5}],\"id_account\":41}", new long[] { 41 })]
    [InlineData("{\"data\":[{\"name\":\"Cuenta\",\"id_account\":41,\"data\":[" + Reading + "]}]}", new long[] { 41 })]
    public async Task Consumption_wrapped_in_a_data_list_gives_its_accounts_and_a_bare_account_is_still_read(string json, long[] accounts)
    {
        var rows = await ReadConsumptionAsync(json);

        Assert.Equal(accounts, rows.Select(row => row.AccountId!.Value));
        Assert.All(rows, row =>
        {
            Assert.Equal(450, row.ServiceId);
            Assert.Equal(new DateTime(2021, 4, 1), row.Date);
            Assert.Equal(1.5, row.Consumption);
        });
    }

    [Theory]
    [InlineData("{\"data\":[{\"sic_code\":\"Frt00123\",\"data\":[{\"date\":\"2024-01-01T00:00:00\",\"cons\":2.5}]}],\"total\":1}")]
    [InlineData("{\"data\":[{\"data\":[{\"cons\":2.5,\"date\":\"2024-01-01T00:00:00\"}],\"sic_code\":\"Frt00123\"}],\"total\":1}")]
    [InlineData("{\"data\":[{\"cons\":2.5,\"date\":\"2024-01-01T00:00:00\"}],\"sic_code\":\"Frt00123\"}")]
    [InlineData("{\"data\":[{\"sic_code\":\"Frt00123\",\"date\":\"2024-01-01T00:00:00\",\"cons\":2.5}],\"sic_code\":\"Frt00123\"}")]
    [InlineData("{\"sic_code\":\"Frt00123\",\"data\":[{\"date\":\"2024-01-01T00:00:00\",\"cons\":2.5}]}")]
    public async Task Frontier_consumption_wrapped_in_a_data_list_or_bare_is_read(string json)
    {
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var row = Assert.Single(await NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync());

        Assert.Equal("Frt00123", row.SicCode);
        Assert.Equal(new DateTime(2024, 1, 1), row.Date);
        Assert.Equal(2.5, row.Consumption);
    }

    /// <summary>
    /// A reading with none of a reading's fields is no reading (the answer's shape was misread, or the server sent
    /// something else): an InvalidResponse error after the rows before it, not a row of nulls.
    /// </summary>
    [Theory]
    [InlineData("{\"id_account\":41,\"account_name\":\"x\",\"data\":[]}")]
    [InlineData("{\"unknown\":1}")]
    [InlineData("{}")]
    public async Task A_reading_with_none_of_a_readings_fields_is_refused_after_the_rows_before_it(string notAReading)
    {
        var json = "[{\"id_account\":42,\"data\":[" + Reading + "," + notAReading + "," + Reading + "]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        var rows = new List<NeuConsumption>();

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var row in NeuConsumptionReader.ReadAsync(reader, "Daily", CancellationToken.None))
            {
                rows.Add(row);
            }
        });

        Assert.Equal(450, Assert.Single(rows).ServiceId);
        Assert.Contains("none of a reading's fields", failure.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", EnergyData.Errors.ErrorMapper.FromException(failure, null).ErrorId);
    }

    [Fact]
    public async Task A_frontier_reading_with_none_of_a_readings_fields_is_refused()
    {
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes("[{\"sic_code\":\"Frt00123\",\"data\":[{\"sic_code\":\"x\",\"data\":[]}]}]")));

        await Assert.ThrowsAsync<NeuProtocolException>(() => NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task A_wrapped_consumption_answer_still_streams_its_first_row_before_the_rest_of_the_body_arrives()
    {
        var head = "{\"data\":[{\"id_account\":41,\"account_name\":\"Cuenta Norte\",\"data\":[" + Reading + ",";
        var stream = new Json.GatedStream(Encoding.UTF8.GetBytes(head), Encoding.UTF8.GetBytes(Reading + "]}],\"total\":1}"));
        using var reader = new JsonStreamReader(stream);
        await using var rows = NeuConsumptionReader.ReadAsync(reader, "Daily", CancellationToken.None).GetAsyncEnumerator();

        // A reader that waited for the rest of the body would wait for ever: the gate opens only after the first row.
        var first = rows.MoveNextAsync().AsTask();
        var firstCameFirst = await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(10))) == first;
        stream.Release();
        Assert.True(firstCameFirst, "No row came before the rest of the body.");
        Assert.True(await first);
        Assert.Equal(41, rows.Current.AccountId);
        Assert.True(await rows.MoveNextAsync());
        Assert.Equal(41, rows.Current.AccountId);
        Assert.False(await rows.MoveNextAsync());
    }

    private static async Task<List<NeuConsumption>> ReadConsumptionAsync(string json)
    {
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        return await NeuConsumptionReader.ReadAsync(reader, "Daily", CancellationToken.None).ToListAsync();
    }
}
