using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Khipu;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>Envelope shapes a server may send that the emulator does not, checked with canned answers.</summary>
public sealed class KhipuEnvelopeTests
{
    private readonly RecordingTrace trace = new();

    [Fact]
    public async Task The_older_failure_reason_shape_is_an_error_too()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """{"OperationId":"op-1","Status":"ERROR","FailureReason":"LIFESPAN_EXCEEDED","Message":"Request not completed in time"}""");
        var exception = await Assert.ThrowsAsync<KhipuException>(() => CannedHandler.Client(handler).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal("LIFESPAN_EXCEEDED", exception.ErrorCode);
        Assert.Equal("Request not completed in time", exception.Description);
        Assert.Equal("op-1", exception.OperationId);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task Status_may_come_after_data_and_unknown_fields_are_reported_not_fatal()
    {
        var body = """
            {"Data":{"DebtStatus":{"Address":"X 1","ClientIdentifier":"1-1","Debt":{"Currency":"CLP","DueDate":"2024-01-31","TotalAmount":"1234.5"},"Meter":"A7","LastPayment":{"Amount":5,"Currency":"CLP","Date":"2024-01-02"}}},
             "Extra":{"a":1},"Status":"OK","OperationId":"op-2","AdditionalInformation":"partial","Error":null,"LifeSpan":null}
            """;
        var row = await CannedHandler.Client(new CannedHandler(HttpStatusCode.OK, body)).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);
        Assert.Equal("X 1", row.Address);
        Assert.Equal(1234.5m, row.DebtAmount);
        Assert.Equal(new DateTime(2024, 1, 31), row.DebtDueDate);
        Assert.Equal(new DateTime(2024, 1, 2), row.LastPaymentDate);
        Assert.Null(row.PreviousDebtAmount);
        Assert.Equal("op-2", row.OperationId);
        Assert.Equal("partial", row.AdditionalInformation);
        Assert.Contains(trace.DebugLines, line => line.Contains("Data.DebtStatus.Meter", StringComparison.Ordinal));
        Assert.Contains(trace.DebugLines, line => line.Contains("PreviousDebt", StringComparison.Ordinal) && line.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(trace.DebugLines, line => line.Contains("'Extra'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_ok_without_data_still_yields_a_row()
    {
        var body = """{"OperationId":"op-3","Status":"OK","Data":null,"AdditionalInformation":"No debt","Error":null,"LifeSpan":null}""";
        var row = await CannedHandler.Client(new CannedHandler(HttpStatusCode.OK, body)).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);
        Assert.Equal("1234567-8", row.ClientIdentifier);
        Assert.Null(row.DebtAmount);
        Assert.Equal("No debt", row.AdditionalInformation);
    }

    [Theory]
    [InlineData("[1,2,3]", "not a Khipu envelope")]
    [InlineData("""{"OperationId":"x","Data":null}""", "no Status")]
    public async Task Json_of_the_wrong_shape_is_a_protocol_error(string body, string message)
    {
        var exception = await Assert.ThrowsAsync<KhipuProtocolException>(() => CannedHandler.Client(new CannedHandler(HttpStatusCode.OK, body)).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_error_with_a_null_error_object_is_still_an_error()
    {
        var body = """{"OperationId":"op-4","Status":"ERROR","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""";
        var exception = await Assert.ThrowsAsync<KhipuException>(() => CannedHandler.Client(new CannedHandler(HttpStatusCode.OK, body)).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal("op-4", exception.OperationId);
        Assert.Equal(KhipuErrorType.Unknown, exception.ErrorType);
    }

    [Fact]
    public async Task Invalid_json_is_a_json_error_with_a_position()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """{"OperationId": "x", "Status": OK,,}""");
        var exception = await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => CannedHandler.Client(handler).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.False(string.IsNullOrEmpty(exception.Message));
    }

    [Fact]
    public async Task An_html_error_page_is_described_not_parsed()
    {
        var handler = new CannedHandler(HttpStatusCode.BadGateway, "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html");
        var exception = await Assert.ThrowsAsync<KhipuException>(() => CannedHandler.Client(handler).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadGateway, exception.StatusCode);
        Assert.Contains("not JSON (text/html)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("502 Bad Gateway nginx", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_202_for_a_synchronous_call_is_reported()
    {
        var body = """{"OperationId":"op-5","Status":"OK","Data":null,"AdditionalInformation":"Data will be sent to the callback URL.","Error":null,"LifeSpan":"2017-07-22T00:00:00-0400"}""";
        await Assert.ThrowsAsync<KhipuProtocolException>(() => CannedHandler.Client(new CannedHandler(HttpStatusCode.Accepted, body)).GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
    }

    [Fact]
    public async Task The_request_body_is_the_documented_envelope()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """{"OperationId":"op","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = CannedHandler.Client(handler);
        await client.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);
        Assert.Equal("""{"RequestData":{"ClientIdentifier":"1234567-8"}}""", handler.Bodies[0]);

        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), AccountCredential = Connections.Account };
        await client.GetCenNonconformitiesAsync(query, true, null, null, trace, CancellationToken.None).ToListAsync();
        Assert.Equal(
            """{"RequestData":{"FechaCreacionDelCasoDesde":"11/14/2019","FechaCreacionDelCasoHasta":"11/05/2025","RutDeudor":"76999999","Filas":"200","Paginas":"0","AccountCredential":{"Username":"tgr-user","Password":"tgr-secret-password-123"}}}""",
            handler.Bodies[1]);
    }

    [Theory]
    [InlineData("2017-07-22T00:00:00-0400", "2017-07-22T04:00:00Z")]
    [InlineData("2017-07-22T00:00:00-04:00", "2017-07-22T04:00:00Z")]
    [InlineData("2017-07-22T04:00:00Z", "2017-07-22T04:00:00Z")]
    public void Life_span_is_read_in_its_documented_and_iso_forms(string text, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), KhipuOperation.ParseLifeSpan(text));

    [Fact]
    public void Life_span_that_is_not_a_date_is_kept_raw_only() => Assert.Null(KhipuOperation.ParseLifeSpan("15 minutes"));
}
