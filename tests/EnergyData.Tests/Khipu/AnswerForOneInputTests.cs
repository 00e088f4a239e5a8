using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// What one input gets from an answer that is not a plain result: a row or an error, never both, and an error whose
/// message names the service and the input (in a bulk run, the message alone must say which input failed).
/// </summary>
public sealed class AnswerForOneInputTests : ScriptedKhipuTests
{
    private const string CenItem = """{"IdCaso":1,"Monto":"1000"}""";
    private const string Resolution = """{"ResolutionId":1,"NetBalance":{"Amount":1000,"Currency":"CLP"}}""";

    /// <summary>An answer without Status gave CEN's and TGR's rows and then an InvalidResponse error for the same input; Enel gave the error alone.</summary>
    [Theory]
    [InlineData("""{"OperationId":"x","Data":{"NonconformitiesList":{"TotalDisconformidades":1,"Disconformidades":[""" + CenItem + """]}}}""")]
    [InlineData("""{"Data":{"NonconformitiesList":{"TotalDisconformidades":1,"Disconformidades":[""" + CenItem + """]}},"OperationId":"x","Status":null}""")]
    public async Task A_cen_answer_without_status_is_an_error_naming_the_rut_and_gives_no_row(string body)
    {
        Server.Enqueue(200, body);

        var (rows, error) = await Drain(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, null, CancellationToken.None));

        Assert.Empty(rows);
        var failure = Assert.IsType<KhipuProtocolException>(error);
        Assert.StartsWith("The Khipu response to CenNonconformity for RutDeudor 76999999, page 1, Paginas 0 (HTTP 200) is not a Khipu envelope: it has no Status.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tgr_answer_without_status_is_an_error_naming_the_account_and_gives_no_row()
    {
        Server.Enqueue(200, $$$"""{"OperationId":"z","Data":{"Resolutions":[{{{Resolution}}}]}}""");

        var (rows, error) = await Drain(Client().GetTgrExpiredAgreementsAsync(Account(), true, null, CancellationToken.None));

        Assert.Empty(rows);
        Assert.StartsWith("The Khipu response to TgrExpiredAgreement for account tgr-user (HTTP 200) is not a Khipu envelope: it has no Status.", Assert.IsType<KhipuProtocolException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enel_answer_without_status_is_an_error_naming_the_client()
    {
        Server.Enqueue(200, """{"OperationId":"y","Data":{"Bill":{"ClientIdentifier":"1","Document":"JVBERi0xLjQK"}}}""");

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => Client().GetEnelBillDocumentAsync("1", "a@b.cl", null, null, CancellationToken.None));

        Assert.StartsWith("The Khipu response to EnelBillDocument for ClientIdentifier 1 (HTTP 200) is not a Khipu envelope: it has no Status.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Keys in sorted order put Data before Error and Status: an error answer's Data gave rows before its error.</summary>
    [Fact]
    public async Task An_error_whose_status_comes_after_its_data_gives_the_error_alone()
    {
        Server.Enqueue(200, $$$"""{"AdditionalInformation":null,"Data":{"Resolutions":[{{{Resolution}}}]},"Error":{"Code":"E201","Type":"DO_NOT_RETRY","Description":"caido"},"LifeSpan":null,"OperationId":"e","Status":"ERROR"}""");

        var (rows, error) = await Drain(Client().GetTgrExpiredAgreementsAsync(Account(), true, null, CancellationToken.None));

        Assert.Empty(rows);
        Assert.Equal("E201", Assert.IsType<KhipuException>(error).ErrorCode);
    }

    /// <summary>A Status after Data still makes a result, and the rows carry the OperationId and note that follow them.</summary>
    [Fact]
    public async Task A_result_whose_status_comes_after_its_data_streams_its_rows()
    {
        Server.Enqueue(200, $$$"""{"AdditionalInformation":"parcial","Data":{"Resolutions":[{{{Resolution}}},{{{Resolution}}}]},"Error":null,"LifeSpan":null,"OperationId":"ok-1","Status":"OK"}""");

        var (rows, error) = await Drain(Client().GetTgrExpiredAgreementsAsync(Account(), true, null, CancellationToken.None));

        Assert.Null(error);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(("ok-1", "parcial"), (row.OperationId, row.AdditionalInformation)));
    }

    [Fact]
    public async Task A_tgr_error_names_the_account_or_says_it_is_an_account_link()
    {
        Server.Enqueue(200, ScriptedServer.KhipuError("DO_NOT_RETRY", "E101"));
        Server.Enqueue(200, ScriptedServer.KhipuError("DO_NOT_RETRY", "E101"));

        var (_, byName) = await Drain(Client().GetTgrExpiredAgreementsAsync(Account(), true, null, CancellationToken.None));
        var (_, byLink) = await Drain(Client().GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromAccountLink("bGluay1zZWNyZXQ=".ToSecureString()), true, null, CancellationToken.None));

        Assert.StartsWith("Khipu TgrExpiredAgreement for account tgr-user failed: Status ERROR, code E101", Assert.IsType<KhipuException>(byName).Message, StringComparison.Ordinal);
        Assert.StartsWith("Khipu TgrExpiredAgreement for an account link failed: Status ERROR, code E101", Assert.IsType<KhipuException>(byLink).Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bGluay1zZWNyZXQ=", byLink!.Message, StringComparison.Ordinal);
    }

    /// <summary>A Data of another shape said only "CEN Data is not an object." (or TGR's), naming neither the input nor the answer.</summary>
    [Fact]
    public async Task A_data_that_is_not_an_object_names_the_input_and_what_it_is()
    {
        Server.Enqueue(200, """{"OperationId":"c1","Status":"OK","Data":[]}""").Enqueue(200, """{"OperationId":"t1","Status":"OK","Data":"sin datos"}""");

        var (cenRows, cenError) = await Drain(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, null, CancellationToken.None));
        var (tgrRows, tgrError) = await Drain(Client().GetTgrExpiredAgreementsAsync(Account(), true, null, CancellationToken.None));

        Assert.Empty(cenRows);
        Assert.Empty(tgrRows);
        Assert.Equal("The CenNonconformity answer for RutDeudor 76999999, Paginas 0 has a Data that is a list, not an object holding NonconformitiesList; OperationId c1.", Assert.IsType<KhipuProtocolException>(cenError).Message);
        Assert.Equal("The TgrExpiredAgreement answer for account tgr-user has a Data that is a text, not an object holding Resolutions; OperationId t1.", Assert.IsType<KhipuProtocolException>(tgrError).Message);
    }

    /// <summary>A 200 whose body is not JSON gave "Invalid or truncated JSON after stream byte 0", naming neither service nor input.</summary>
    [Fact]
    public async Task A_body_that_is_not_json_names_the_service_and_the_input()
    {
        Server.Enqueue(200, "this is not json");

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => Client().GetEnelBillDocumentAsync("9001", "a@b.cl", null, null, CancellationToken.None));

        Assert.StartsWith("The Khipu response to EnelBillDocument for ClientIdentifier 9001 (HTTP 200) cannot be read: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    /// <summary>A 400 whose JSON body is not Khipu's Error gave only "HTTP 400 BadRequest.", though a 500 HTML page's text is quoted.</summary>
    [Theory]
    [InlineData("""{"message":"RequestData.Email: formato invalido"}""", "HTTP 400 BadRequest: the body is not a Khipu error: message 'RequestData.Email: formato invalido'.")]
    [InlineData("""{"type":"about:blank","title":"Bad Request","detail":"Email invalido"}""", "HTTP 400 BadRequest: the body is not a Khipu error: detail 'Email invalido'.")]
    [InlineData("""{"Error":{},"errors":{"Email":["invalido"]}}""", """HTTP 400 BadRequest: the body is not a Khipu error: {"Error":{},"errors":{"Email":["invalido"]}}.""")]
    [InlineData("""{"password":"hunter2","code":7}""", """HTTP 400 BadRequest: the body is not a Khipu error: {"password":"***","code":7}.""")]
    public async Task An_error_body_in_json_without_khipus_error_is_quoted(string body, string expected)
    {
        Server.Enqueue(400, body);

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelBillDocumentAsync("9002", "a@b.cl", null, null, CancellationToken.None));

        Assert.Equal("Khipu EnelBillDocument for ClientIdentifier 9002 failed: " + expected, error.Message);
    }

    [Fact]
    public async Task An_error_body_with_khipus_error_is_not_quoted_as_well()
    {
        Server.Enqueue(400, """{"OperationId":"o","Status":"ERROR","Error":{"Code":"E400","Type":"DO_NOT_RETRY","Description":"Email invalido"},"message":"otro"}""");

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelBillDocumentAsync("9002", "a@b.cl", null, null, CancellationToken.None));

        Assert.Equal("Khipu EnelBillDocument for ClientIdentifier 9002 failed: HTTP 400 BadRequest, code E400 (DO_NOT_RETRY): Email invalido. OperationId o.", error.Message);
    }

    /// <summary>
    /// " 76999999 " was sent as "76999999", but the rows kept the raw text, so they did not join or group with the
    /// value sent; the same for an asynchronous operation's InputIdentifier, which then did not match its request's input.
    /// </summary>
    [Fact]
    public async Task The_rows_and_operations_echo_the_input_as_it_was_sent()
    {
        Server.Enqueue(200, """{"OperationId":"x","Status":"OK","Data":{"NonconformitiesList":{"TotalDisconformidades":1,"Disconformidades":[""" + CenItem + """]}}}""");
        Server.Enqueue(202, """{"OperationId":"op-async","Status":"OK","Data":null,"Error":null}""");
        var query = CenQuery();
        query.RutDeudor = " 76999999 ";

        var (rows, error) = await Drain(Client().GetCenNonconformitiesAsync(query, false, null, null, null, CancellationToken.None));
        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest(" 7001 ", new Uri("https://hooks.example.com/khipu")), " 7001 ", null, CancellationToken.None);

        Assert.Null(error);
        Assert.Equal("76999999", Assert.Single(rows).RutDeudor);
        Assert.Contains("\"RutDeudor\":\"76999999\"", System.Text.Encoding.UTF8.GetString(Server.Requests[0].Body), StringComparison.Ordinal);
        Assert.Equal("7001", operation.InputIdentifier);
        Assert.Equal(" 76999999 ", query.RutDeudor);
    }

    private static CenQuery CenQuery() => new() { RutDeudor = "76999999", From = new DateTime(2020, 1, 1), To = new DateTime(2020, 2, 1) };

    private static KhipuAccountCredential Account() => KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());

    private static async Task<(List<T> Rows, Exception? Error)> Drain<T>(IAsyncEnumerable<T> source)
    {
        var rows = new List<T>();
        try
        {
            await foreach (var row in source)
            {
                rows.Add(row);
            }
        }
        catch (Exception exception) when (exception is KhipuException or KhipuProtocolException)
        {
            return (rows, exception);
        }

        return (rows, null);
    }
}
