using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// Invoke-NeuRequest's items have the same columns, in the same order, on every item of a response (Export-Csv takes
/// its columns from the first row, so a field the first row lacked was lost on every other row), and, through
/// <see cref="OutputColumns"/>, on every item of one command.
/// </summary>
public sealed class NeuInvokeColumnsTests
{
    // Service 283's first bills: unpaid (platform_payments null), then paid (an object), as the tester saw them.
    private const string Bills =
        "[{\"id_bill\":9001,\"date_payment\":null,\"platform_payments\":null,\"state\":\"Pendiente\"}," +
        "{\"id_bill\":9004,\"date_payment\":\"2021-05-03\",\"platform_payments\":{\"date\":\"2021-05-03\",\"method\":\"PSE\",\"payment_Value\":253000},\"state\":\"Pagada\"}," +
        "{\"id_bill\":9007,\"date_payment\":null,\"platform_payments\":null,\"state\":\"Pendiente\"}]";

    private static readonly string[] BillColumns = ["id_bill", "date_payment", "platform_payments.date", "platform_payments.method", "platform_payments.payment_Value", "state"];

    [Fact]
    public async Task Every_item_of_a_response_has_the_same_columns_in_the_same_order_the_first_too()
    {
        var items = await InvokeAsync(Bills);

        Assert.Equal(3, items.Count);
        Assert.All(items, item => Assert.Equal(BillColumns, Names(item)));
        Assert.Null(Value(items[0], "platform_payments.method"));
        Assert.Equal("PSE", Value(items[1], "platform_payments.method"));
        Assert.Equal(253000m, Value(items[1], "platform_payments.payment_Value"));
        Assert.Equal("Pendiente", Value(items[2], "state"));
        Assert.Equal([0, 1, 2], items.Select(item => item.ItemIndex));
        Assert.Contains("\"platform_payments\":null", items[0].RawJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paid_first_row_gives_the_same_columns_as_an_unpaid_one()
    {
        var items = await InvokeAsync("[{\"id_bill\":1,\"platform_payments\":{\"method\":\"PSE\"}},{\"id_bill\":2,\"platform_payments\":null}]");

        Assert.All(items, item => Assert.Equal(["id_bill", "platform_payments.method"], Names(item)));
        Assert.Null(Value(items[1], "platform_payments.method"));
    }

    [Fact]
    public async Task A_field_of_a_later_item_takes_its_place_among_the_fields_of_the_first()
    {
        var items = await InvokeAsync("[{\"a\":1,\"c\":3},{\"a\":1,\"b\":2,\"c\":3},{\"x\":0,\"c\":3},{\"z\":true}]");

        // b after a (the name before it in its row), x before c (no known name before it), z last (no known name at all).
        Assert.All(items, item => Assert.Equal(["a", "b", "x", "c", "z"], Names(item)));
        Assert.Equal(true, Value(items[3], "z"));
        Assert.Null(Value(items[0], "z"));
    }

    [Fact]
    public async Task A_name_that_is_a_value_on_one_item_and_an_object_on_another_keeps_both_columns()
    {
        var items = await InvokeAsync("[{\"p\":\"none\"},{\"p\":{\"m\":\"PSE\"}}]");

        Assert.All(items, item => Assert.Equal(["p", "p.m"], Names(item)));
        Assert.Equal("none", Value(items[0], "p"));
        Assert.Null(Value(items[1], "p"));
    }

    [Fact]
    public async Task Names_differing_only_in_case_are_one_column_as_PowerShell_properties_are()
    {
        var items = await InvokeAsync("[{\"Date\":\"2021-04-01\"},{\"date\":\"2021-04-02\"}]");

        Assert.All(items, item => Assert.Equal(["Date"], Names(item)));
        Assert.Equal("2021-04-02", Value(items[1], "Date"));
    }

    [Fact]
    public async Task Scalar_items_and_objects_together_share_the_columns()
    {
        var items = await InvokeAsync("[{\"a\":1},7]");

        Assert.All(items, item => Assert.Equal(["a", "Value"], Names(item)));
        Assert.Equal(7m, Value(items[1], "Value"));
    }

    [Fact]
    public async Task The_items_of_a_data_list_have_the_same_columns()
    {
        var items = await InvokeAsync("{\"nextPage\":null,\"maxPage\":1,\"data\":" + Bills + "}");

        Assert.All(items, item => Assert.Equal(BillColumns, Names(item)));
    }

    [Fact]
    public async Task After_the_items_held_later_items_take_their_columns_and_keep_new_fields_after_them()
    {
        var items = await InvokeAsync(
            "[{\"a\":1,\"p\":null},{\"a\":2,\"p\":{\"m\":\"PSE\"}},{\"a\":3,\"p\":null},{\"b\":4,\"p\":{\"m\":\"X\"}},{\"a\":5,\"c\":null}]",
            new NeuClientOptions { ColumnScanItems = 2 });

        Assert.Equal(["a", "p.m"], Names(items[0]));
        Assert.Equal(["a", "p.m"], Names(items[1]));
        Assert.Equal(["a", "p.m"], Names(items[2]));
        Assert.Equal(["a", "p.m", "b"], Names(items[3]));
        Assert.Null(Value(items[3], "a"));
        Assert.Equal(4m, Value(items[3], "b"));
        Assert.Equal(["a", "p.m", "c"], Names(items[4]));
        Assert.Equal([0, 1, 2, 3, 4], items.Select(item => item.ItemIndex));
    }

    [Fact]
    public async Task The_items_held_end_at_the_one_whose_JSON_text_reaches_the_character_limit()
    {
        // Each item is 7 characters ({"a":1}): a limit of 10 holds two, so the third item's field comes after them.
        var items = await InvokeAsync("[{\"a\":1},{\"a\":2},{\"b\":3}]", new NeuClientOptions { ColumnScanChars = 10 });

        Assert.Equal(["a"], Names(items[0]));
        Assert.Equal(["a"], Names(items[1]));
        Assert.Equal(["a", "b"], Names(items[2]));
    }

    [Fact]
    public async Task Items_read_before_a_broken_body_are_handed_out_before_the_error()
    {
        var handler = new StubNeuHandler(_ => "[{\"a\":1},{\"b\":2},{\"c\"");
        var items = new List<NeuResponseItem>();

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var item in handler.CreateClient().InvokeAsync("GET", "things/", null, null, CancellationToken.None))
            {
                items.Add(item);
            }
        });

        Assert.NotNull(error);
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal(["a", "b"], Names(item)));
    }

    [Fact]
    public async Task A_broken_body_with_no_item_read_is_the_error_alone()
    {
        var handler = new StubNeuHandler(_ => "[{\"c\"");

        var error = await Record.ExceptionAsync(() => handler.CreateClient().InvokeAsync("GET", "things/", null, null, CancellationToken.None).ToListAsync());

        Assert.NotNull(error);
    }

    [Fact]
    public async Task A_command_gives_the_items_of_later_responses_the_columns_of_its_first_item()
    {
        var first = await InvokeAsync(Bills);
        var second = await InvokeAsync("[{\"id_bill\":9031,\"platform_payments\":null,\"state\":\"Pendiente\"}]");
        var columns = new OutputColumns();

        var (written, notInFirst) = columns.Arrange(first[0].GetFields());
        Assert.Same(first[0].GetFields(), written);
        Assert.Empty(notInFirst);

        (written, notInFirst) = columns.Arrange(second[0].GetFields());
        Assert.Equal(BillColumns, written.Select(field => field.Key));
        Assert.Null(written.Single(field => field.Key == "date_payment").Value);
        Assert.Equal(9031m, written.Single(field => field.Key == "id_bill").Value);
        Assert.Empty(notInFirst);
    }

    [Fact]
    public async Task A_command_names_the_fields_of_a_later_item_that_the_first_item_has_not()
    {
        var columns = new OutputColumns();
        columns.Arrange((await InvokeAsync("[{\"id_bill\":\"9001\",\"days\":6}]"))[0].GetFields());

        var (written, notInFirst) = columns.Arrange((await InvokeAsync("[{\"id_bill\":9001,\"service\":\"Local\",\"note\":null}]"))[0].GetFields());

        Assert.Equal(["id_bill", "days", "service", "note"], written.Select(field => field.Key));
        Assert.Equal(["service"], notInFirst);
    }

    [Fact]
    public void Columns_keep_the_first_of_two_names_in_different_case_and_leave_the_second_out()
    {
        var columns = FlatColumns.Of(["id", "ID", "name"]);

        var arranged = columns.Arrange([new("name", "x"), new("Id", 1), new("id", 2)], out var unwritten);

        Assert.Equal(["id", "name"], arranged.Select(field => field.Key));
        Assert.Equal(1, arranged[0].Value);
        Assert.Equal(0, unwritten);
    }

    private static async Task<List<NeuResponseItem>> InvokeAsync(string json, NeuClientOptions? options = null)
    {
        var handler = new StubNeuHandler(_ => json);
        var client = new NeuClient(new HttpClient(handler), StubNeuHandler.BaseUri, options: options);
        return await client.InvokeAsync("POST", "bills/", null, null, CancellationToken.None).ToListAsync();
    }

    private static IEnumerable<string> Names(NeuResponseItem item) => item.GetFields().Select(field => field.Key);

    private static object? Value(NeuResponseItem item, string name) => item.GetFields().Single(field => field.Key == name).Value;
}
