using System;
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

/// <summary>
/// Dates read from NEU are its clock times, of kind Unspecified, whatever form a server writes them in: with a zone,
/// with nanoseconds, or as Unix time. The same rule holds in the generic field reader and in the consumption reader.
/// </summary>
public sealed class NeuDateReadingTests
{
    [Theory]
    [InlineData("2021-04-01T00:00:00", "2021-04-01T00:00:00.0000000")]
    [InlineData("2021-04-01T00:00:00-05:00", "2021-04-01T00:00:00.0000000")]
    [InlineData("2021-04-01T00:00:00+05:30", "2021-04-01T00:00:00.0000000")]
    [InlineData("2021-04-01T13:15:00-0500", "2021-04-01T13:15:00.0000000")]
    [InlineData("2021-04-01T13:15:00+00", "2021-04-01T13:15:00.0000000")]
    [InlineData("2021-04-01T00:00:00Z", "2021-04-01T00:00:00.0000000")]
    [InlineData("2021-04-01 23:59:59.5+00:00", "2021-04-01T23:59:59.5000000")]
    [InlineData("2021-04-01T00:00:00.123456789Z", "2021-04-01T00:00:00.1234567")]
    [InlineData("2021-04-01T00:00:00.123456789", "2021-04-01T00:00:00.1234567")]
    [InlineData("2021-04-01T00:00:00.123456789-05:00", "2021-04-01T00:00:00.1234567")]
    [InlineData("2021-04-01T00:00:00.1234567", "2021-04-01T00:00:00.1234567")]
    [InlineData(" 2021-04-01 ", "2021-04-01T00:00:00.0000000")]
    public void A_text_keeps_its_clock_time_as_written_without_a_zone(string text, string expected)
    {
        var date = NeuFields.ParseDate(text);

        Assert.Equal(expected, date!.Value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Unspecified, date.Value.Kind);
    }

    [Theory]
    [InlineData("Thu, 01 Apr 2021 00:00:00 GMT", "2021-04-01T00:00:00.0000000")]
    [InlineData("Thu, 01 Apr 2021 13:15:30 GMT", "2021-04-01T13:15:30.0000000")]
    [InlineData("thu, 01 apr 2021 13:15:30 gmt", "2021-04-01T13:15:30.0000000")]
    [InlineData("Thu, 1 Apr 2021 13:15:30 UTC", "2021-04-01T13:15:30.0000000")]
    [InlineData("Thu, 01 Apr 2021 13:15:30 +0000", "2021-04-01T13:15:30.0000000")]
    [InlineData("Thu, 01 Apr 2021 08:15:30 -0500", "2021-04-01T08:15:30.0000000")]
    [InlineData("01 Apr 2021 13:15:30 GMT", "2021-04-01T13:15:30.0000000")]
    [InlineData("Wed, 31 Dec 1969 19:00:00 GMT", "1969-12-31T19:00:00.0000000")]
    [InlineData(" Fri, 31 Dec 9999 23:59:59 GMT ", "9999-12-31T23:59:59.0000000")]
    public void Flasks_HTTP_date_keeps_its_clock_time_as_written_without_a_zone(string text, string expected)
    {
        // Flask's default JSON provider writes every date and datetime this way (RFC 1123, always GMT).
        var date = NeuFields.ParseDate(text);

        Assert.Equal(expected, date!.Value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Unspecified, date.Value.Kind);
    }

    [Theory]
    [InlineData("Thu, 01 Apr 2021 00:00:00")]
    [InlineData("Thu, 31 Apr 2021 00:00:00 GMT")]
    [InlineData("Thu, 01 Avr 2021 00:00:00 GMT")]
    [InlineData("Thu, 01 Apr 2021 24:00:00 GMT")]
    [InlineData("Thu, 01 Apr 2021 00:00:00 EST")]
    [InlineData("Thu, 01 Apr 2021 00:00:00 +05")]
    [InlineData("Thursday, 01 Apr 2021 00:00:00 GMT")]
    [InlineData("Thu, 01 Apr 2021 GMT")]
    public void A_text_like_an_HTTP_date_but_not_one_gives_no_date(string text)
    {
        Assert.Null(NeuFields.ParseDate(text));
    }

    [Theory]
    [InlineData("01/04/2021")]
    [InlineData("2021-04-01T00:00:00+5")]
    [InlineData("2021-04-01T00:00:00-05:00:00")]
    [InlineData("2021-04-01T00:00:00ZZ")]
    [InlineData("1617235200")]
    [InlineData("")]
    public void Anything_else_gives_no_date(string text)
    {
        Assert.Null(NeuFields.ParseDate(text));
    }

    [Theory]
    [InlineData("1617235200", "2021-04-01T00:00:00.0000000")]
    [InlineData("1617235200.25", "2021-04-01T00:00:00.2500000")]
    [InlineData("1617235200000", "2021-04-01T00:00:00.0000000")]
    [InlineData("1617235200123", "2021-04-01T00:00:00.1230000")]
    [InlineData("0", "1970-01-01T00:00:00.0000000")]
    [InlineData("-86400", "1969-12-31T00:00:00.0000000")]
    [InlineData("99999999999", "5138-11-16T09:46:39.0000000")]
    [InlineData("100000000000", "1973-03-03T09:46:40.0000000")]
    [InlineData("253402300799999", "9999-12-31T23:59:59.9990000")]
    public void A_number_is_Unix_time_in_seconds_or_from_10_to_the_11_in_milliseconds_as_its_UTC_clock_time(string json, string expected)
    {
        using var document = JsonDocument.Parse("{\"date\":" + json + "}");

        var date = new NeuFields(document.RootElement).Date("date");

        Assert.Equal(expected, date!.Value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Unspecified, date.Value.Kind);
    }

    [Theory]
    [InlineData("253402300800000")]
    [InlineData("1e20")]
    [InlineData("1e300")]
    [InlineData("true")]
    [InlineData("{}")]
    public void A_number_beyond_the_range_of_dates_or_another_kind_gives_no_date(string json)
    {
        using var document = JsonDocument.Parse("{\"date\":" + json + "}");

        Assert.Null(new NeuFields(document.RootElement).Date("date"));
    }

    [Fact]
    public async Task A_bill_written_with_offsets_and_Unix_times_gives_NEU_clock_times()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_bill\":1,\"date\":\"2021-04-01T00:00:00-05:00\",\"date_expiration\":1618531200,\"date_payment\":\"2021-04-11T10:30:00.123456789Z\"," +
            "\"platform_payments\":{\"date\":1618137000000}}]");

        var bill = Assert.Single(await handler.CreateClient().GetBillsAsync(null, null, null, new NeuPaging { First = 1 }, null, CancellationToken.None).ToListAsync()).Bill;

        Assert.Equal(new DateTime(2021, 4, 1), bill.Date);
        Assert.Equal(DateTimeKind.Unspecified, bill.Date!.Value.Kind);
        Assert.Equal(new DateTime(2021, 4, 16), bill.ExpirationDate);
        Assert.Equal(new DateTime(2021, 4, 11, 10, 30, 0).AddTicks(1234567), bill.PaymentDate);
        Assert.Equal(DateTimeKind.Unspecified, bill.PaymentDate!.Value.Kind);
        Assert.Equal(new DateTime(2021, 4, 11, 10, 30, 0), bill.PlatformPaymentDate);
    }

    [Fact]
    public async Task A_bill_written_by_Flask_gives_NEU_clock_times()
    {
        var handler = new StubNeuHandler(_ =>
            "[{\"id_bill\":1,\"date\":\"Thu, 01 Apr 2021 00:00:00 GMT\",\"date_expiration\":\"Fri, 16 Apr 2021 00:00:00 GMT\",\"date_payment\":\"Sun, 11 Apr 2021 10:30:00 GMT\","
            + "\"platform_payments\":{\"date\":\"Sun, 11 Apr 2021 10:30:05 GMT\"}}]");

        var bill = Assert.Single(await handler.CreateClient().GetBillsAsync(null, null, null, new NeuPaging { First = 1 }, null, CancellationToken.None).ToListAsync()).Bill;

        Assert.Equal(new DateTime(2021, 4, 1), bill.Date);
        Assert.Equal(DateTimeKind.Unspecified, bill.Date!.Value.Kind);
        Assert.Equal(new DateTime(2021, 4, 16), bill.ExpirationDate);
        Assert.Equal(new DateTime(2021, 4, 11, 10, 30, 0), bill.PaymentDate);
        Assert.Equal(new DateTime(2021, 4, 11, 10, 30, 5), bill.PlatformPaymentDate);
    }

    [Fact]
    public async Task Notification_and_rule_dates_written_by_Flask_are_read()
    {
        var handler = new StubNeuHandler(request => request.RequestUri!.AbsolutePath.Contains("interactions", StringComparison.Ordinal)
            ? "{\"nextPage\":null,\"maxPage\":1,\"total\":1,\"data\":[{\"interaction_date\":\"Fri, 02 Apr 2021 08:00:00 GMT\",\"date\":\"Thu, 01 Apr 2021 07:00:00 GMT\",\"title\":\"t\"}]}"
            : "[{\"id_alarm\":7,\"creation_date\":\"Mon, 01 Mar 2021 12:00:00 GMT\"}]");
        var client = handler.CreateClient();

        var interaction = Assert.Single(await client.GetNotificationInteractionsAsync(null, null, null, null, CancellationToken.None).ToListAsync());
        var rule = (await client.GetRulesAsync(null, null, null, new NeuPaging { First = 1 }, null, CancellationToken.None).ToListAsync())[0];

        Assert.Equal(new DateTime(2021, 4, 2, 8, 0, 0), interaction.InteractionDate);
        Assert.Equal(new DateTime(2021, 4, 1, 7, 0, 0), interaction.Date);
        Assert.Equal(new DateTime(2021, 3, 1, 12, 0, 0), rule.CreationDate);
    }

    [Fact]
    public async Task Consumption_and_frontier_dates_written_by_Flask_are_read()
    {
        var consumption = "[{\"id_account\":41,\"data\":[{\"id_service\":282,\"date\":\"Thu, 01 Apr 2021 05:00:00 GMT\",\"cons\":1}]}]";
        var frontier = "[{\"sic_code\":\"Frt00123\",\"data\":[{\"date\":\"Mon, 01 Jan 2024 01:00:00 GMT\",\"cons\":2}]}]";
        using var consumptionReader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(consumption)));
        using var frontierReader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(frontier)));

        var consumptionRow = Assert.Single(await NeuConsumptionReader.ReadAsync(consumptionReader, "Hourly", CancellationToken.None).ToListAsync());
        var frontierRow = Assert.Single(await NeuConsumptionReader.ReadFrontierAsync(frontierReader, null, CancellationToken.None).ToListAsync());

        Assert.Equal(new DateTime(2021, 4, 1, 5, 0, 0), consumptionRow.Date);
        Assert.Equal(DateTimeKind.Unspecified, consumptionRow.Date!.Value.Kind);
        Assert.Equal(new DateTime(2024, 1, 1, 1, 0, 0), frontierRow.Date);
    }

    [Fact]
    public async Task Consumption_dates_other_than_the_plain_shape_follow_the_same_rules()
    {
        var dates = new[]
        {
            "\"2021-04-01T00:00:00\"",
            "\"2021-04-01T01:00:00-05:00\"",
            "\"2021-04-01T02:00:00.123456789Z\"",
            "\"2021-04-01\\u005403:00:00\"",
            "1617246000",
            "1617249600000",
            "null",
            "\"not a date\"",
        };
        var json = "[{\"id_account\":41,\"data\":[" + string.Join(",", dates.Select(date => "{\"id_service\":282,\"date\":" + date + ",\"cons\":1}")) + "]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadAsync(reader, "Hourly", CancellationToken.None).ToListAsync();

        var day = new DateTime(2021, 4, 1);
        Assert.Equal(
            [day, day.AddHours(1), day.AddHours(2).AddTicks(1234567), day.AddHours(3), day.AddHours(3), day.AddHours(4), null, null],
            rows.Select(row => row.Date));
        Assert.All(rows.Where(row => row.Date is not null), row => Assert.Equal(DateTimeKind.Unspecified, row.Date!.Value.Kind));
        Assert.All(rows, row => Assert.Equal(1.0, row.Consumption));
    }

    [Fact]
    public async Task Frontier_dates_follow_the_same_rules()
    {
        var json = "[{\"sic_code\":\"Frt00123\",\"data\":[{\"date\":\"2024-01-01T00:00:00Z\",\"cons\":1},{\"date\":1704070800,\"cons\":2}]}]";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var rows = await NeuConsumptionReader.ReadFrontierAsync(reader, null, CancellationToken.None).ToListAsync();

        Assert.Equal([new DateTime(2024, 1, 1), new DateTime(2024, 1, 1, 1, 0, 0)], rows.Select(row => row.Date));
        Assert.All(rows, row => Assert.Equal(DateTimeKind.Unspecified, row.Date!.Value.Kind));
    }
}
