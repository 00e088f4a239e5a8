using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// A NEU value that is there but does not read as its field's type (a decimal comma, a date in a format of the
/// server's own, a fractional id) leaves its property empty, and NEU rows keep no copy of the answer as sent: without a
/// word, an export showed an empty cell, which reads as a value the server did not send. Each such field now gives a
/// warning once per command (naming the route, the field and, for the small answers, the value), later ones at
/// Verbose, as Khipu's unreadable fields do; null and an empty text stay quietly empty.
/// </summary>
public sealed class NeuUnreadableValueTests
{
    [Fact]
    public async Task A_rule_field_that_does_not_read_is_left_empty_with_one_warning_naming_route_field_and_value()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_alarm\":7,\"limit_value\":\"1,5\",\"creation_date\":\"01/03/2021\",\"rule_name\":\"a\"},"
            + "{\"id_alarm\":8,\"limit_value\":\"2,5\",\"creation_date\":\"2021-03-02T00:00:00\",\"rule_name\":\"b\"}]");
        var context = new RecordingContext();

        var rules = await handler.CreateClient().GetRulesAsync(null, null, null, new NeuPaging { First = 2 }, context, CancellationToken.None).ToListAsync();

        Assert.Equal(["a", "b"], rules.Select(rule => rule.RuleName));
        Assert.All(rules, rule => Assert.Null(rule.LimitValue));
        Assert.Null(rules[0].CreationDate);
        Assert.Equal(new DateTime(2021, 3, 2), rules[1].CreationDate);
        Assert.Equal(2, context.Warnings.Count);
        Assert.Contains(context.Warnings, warning => warning.StartsWith("NEU Rules: field limit_value is not a number ('1,5'); left empty", StringComparison.Ordinal));
        Assert.Contains(context.Warnings, warning => warning.StartsWith("NEU Rules: field creation_date is not a date ('01/03/2021'); left empty", StringComparison.Ordinal));

        // The second rule's limit_value is the same problem again: at Verbose, with its own value.
        Assert.Contains(context.VerboseLines, line => line.StartsWith("WARNING: NEU Rules: field limit_value is not a number ('2,5')", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fractional_id_and_a_nested_value_are_named_with_their_path()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_bill\":3.5,\"id_service\":282,\"concepts\":[{\"concept\":\"Energia\",\"total\":\"12.000,50\"}],"
            + "\"platform_payments\":{\"date\":\"mañana\",\"method\":\"PSE\",\"payment_Value\":1}}]");
        var context = new RecordingContext();

        var bill = Assert.Single(await handler.CreateClient().GetBillsAsync(null, null, null, new NeuPaging { First = 1 }, context, CancellationToken.None).ToListAsync());

        Assert.Null(bill.Bill.BillId);
        Assert.Null(Assert.Single(bill.Concepts).Total);
        Assert.Null(bill.Bill.PlatformPaymentDate);
        Assert.Equal("PSE", bill.Bill.PlatformPaymentMethod);
        Assert.Equal(
            [
                "NEU Bills: field concepts.total is not a number ('12.000,50')",
                "NEU Bills: field id_bill is not a whole number (3.5)",
                "NEU Bills: field platform_payments.date is not a date ('mañana')",
            ],
            context.Warnings.Select(warning => warning.Substring(0, warning.IndexOf(';', StringComparison.Ordinal))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Null_an_empty_text_and_readable_values_give_no_warning()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_alarm\":7,\"limit_value\":null,\"creation_date\":\"\",\"rule_name\":\"a\"},"
            + "{\"id_alarm\":\"8\",\"limit_value\":\" \",\"creation_date\":\"2021-03-02\",\"rule_name\":\"b\"},"
            + "{\"id_alarm\":9.0,\"limit_value\":\"2.5\",\"creation_date\":1614643200,\"rule_name\":\"c\"}]");
        var context = new RecordingContext();

        var rules = await handler.CreateClient().GetRulesAsync(null, null, null, new NeuPaging { First = 3 }, context, CancellationToken.None).ToListAsync();

        Assert.Equal([7L, 8L, 9L], rules.Select(rule => rule.RuleId!.Value));
        Assert.Equal(2.5, rules[2].LimitValue);
        Assert.Empty(context.Warnings);
        Assert.DoesNotContain(context.VerboseLines, line => line.StartsWith("WARNING:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_consumption_reading_that_does_not_read_warns_once_per_field_naming_the_first_row()
    {
        var readings = new[]
        {
            "{\"id_service\":282,\"date\":\"2021-04-01T00:00:00\",\"cons\":1.5,\"va\":120}",
            "{\"id_service\":282,\"date\":\"2021-04-01T01:00:00\",\"cons\":\"1,5\",\"va\":120}",
            "{\"id_service\":282,\"date\":\"2021-04-01T02:00:00\",\"cons\":\"2,5\",\"va\":{\"v\":1}}",
            "{\"id_service\":282,\"date\":\"2021-04-01T03:00:00\",\"cons\":null,\"va\":\"\"}",
        };
        var handler = new StubNeuHandler(_ => "[{\"id_account\":41,\"data\":[" + string.Join(",", readings) + "]}]");
        var context = new RecordingContext();

        var rows = await handler.CreateClient().GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 2) }, context, CancellationToken.None).ToListAsync();

        Assert.Equal([1.5, null, null, null], rows.Select(row => row.Consumption));
        Assert.Equal([120.0, 120.0, null, null], rows.Select(row => row.VoltageA));
        Assert.Equal(
            [
                "NEU Consumption: field cons is not a number in the reading of service 282 at 2021-04-01T01:00:00",
                "NEU Consumption: field va is not a number in the reading of service 282 at 2021-04-01T02:00:00",
            ],
            context.Warnings.Select(warning => warning.Substring(0, warning.IndexOf(',', StringComparison.Ordinal))).Order(StringComparer.Ordinal));

        // Once per field and response: the third row's cons adds nothing, not even at Verbose.
        Assert.Equal(2, context.VerboseLines.Count(line => line.Contains("NEU Consumption: field", StringComparison.Ordinal)) + context.Warnings.Count);
    }

    [Fact]
    public async Task Unreadable_readings_deep_in_a_large_body_are_reported_once_whatever_thread_parsed_them()
    {
        // Large enough for the reader's second parsing thread to take stretches of it.
        const int Rows = 20_000;
        var json = new StringBuilder("[{\"id_account\":41,\"data\":[");
        for (var i = 0; i < Rows; i++)
        {
            var cons = i % 1_000 == 999 ? "\"n/a\"" : "1.25";
            json.Append(i == 0 ? string.Empty : ",")
                .Append("{\"id_service\":282,\"date\":\"2021-04-01T00:00:00\",\"is_backup\":false,\"cons\":").Append(cons)
                .Append(",\"injec\":0,\"reactive_in\":0,\"ia\":1.5,\"ib\":1.5,\"ic\":1.5,\"va\":120,\"vb\":120,\"vc\":120}");
        }

        var handler = new StubNeuHandler(_ => json.Append("]}]").ToString());
        var context = new RecordingContext();

        var rows = await handler.CreateClient().GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 2) }, context, CancellationToken.None).ToListAsync();

        Assert.Equal(Rows, rows.Count);
        Assert.Equal(Rows / 1_000, rows.Count(row => row.Consumption is null));
        Assert.StartsWith("NEU Consumption: field cons is not a number in the reading of service 282", Assert.Single(context.Warnings), StringComparison.Ordinal);
        Assert.DoesNotContain(context.VerboseLines, line => line.StartsWith("WARNING:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_frontier_reading_that_does_not_read_warns()
    {
        var handler = new StubNeuHandler(_ => "[{\"sic_code\":\"Frt00123\",\"data\":[{\"date\":\"2024-01-01T00:00:00\",\"cons\":\"x\"},{\"date\":\"ayer\",\"cons\":2}]}]");
        var context = new RecordingContext();

        var rows = await handler.CreateClient().GetFrontierConsumptionAsync(["Frt00123"], new DateTime(2024, 1, 1), new DateTime(2024, 1, 2), context, CancellationToken.None).ToListAsync();

        Assert.Equal([null, 2.0], rows.Select(row => row.Consumption));
        Assert.Equal(
            [
                "NEU FrontierConsumption: field cons is not a number in the reading at 2024-01-01T00:00:00",
                "NEU FrontierConsumption: field date is not a date in the reading",
            ],
            context.Warnings.Select(warning => warning.Substring(0, warning.IndexOf(',', StringComparison.Ordinal))).Order(StringComparer.Ordinal));
    }
}
