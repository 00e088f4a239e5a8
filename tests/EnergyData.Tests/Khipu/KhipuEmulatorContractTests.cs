using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using EnergyData.Emulator;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>The emulator's Khipu contract over raw HTTP, without the client: what a faithful stand-in must answer.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class KhipuEmulatorContractTests : IDisposable
{
    private const string CenBody = "{\"RequestData\":{\"FechaCreacionDelCasoDesde\":\"11/14/2019\",\"FechaCreacionDelCasoHasta\":\"11/05/2025\",\"RutDeudor\":\"76999999\",\"Filas\":\"200\",\"Paginas\":\"0\"}}";
    private readonly EmulatorServer server;
    private readonly HttpClient http;

    public KhipuEmulatorContractTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        http = new HttpClient { BaseAddress = server.BaseUri };
    }

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task A_success_has_every_envelope_field_of_the_document()
    {
        var (status, body) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1234567-8\"}}", apiKey: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(36, body.GetProperty("OperationId").GetString()!.Length);
        Assert.Equal("OK", body.GetProperty("Status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("AdditionalInformation").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("Error").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("LifeSpan").ValueKind);
        Assert.Equal(10000, body.GetProperty("Data").GetProperty("DebtStatus").GetProperty("Debt").GetProperty("TotalAmount").GetInt32());
    }

    [Fact]
    public async Task Missing_credentials_are_a_401_in_khipus_error_shape()
    {
        var (status, body) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"}}", apiKey: false);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("ERROR", body.GetProperty("Status").GetString());
        Assert.Equal("A000", body.GetProperty("Error").GetProperty("Code").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("Data").ValueKind);
    }

    [Fact]
    public async Task Api_key_and_bearer_together_are_refused()
    {
        using var request = Request(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"}}", apiKey: true);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.State.IssueKhipuToken());

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cen_and_tgr_with_the_api_key_require_the_account_credential()
    {
        var (cen, cenBody) = await PostAsync(KhipuEndpoints.CenNonconformitiesPath, CenBody, apiKey: true);
        var (tgr, _) = await PostAsync(KhipuEndpoints.TgrExpiredAgreementsPath, "{\"RequestData\":{}}", apiKey: true);
        var (enel, _) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"}}", apiKey: true);

        Assert.Equal(HttpStatusCode.BadRequest, cen);
        Assert.Equal("P002", cenBody.GetProperty("Error").GetProperty("Code").GetString());
        Assert.Contains("AccountCredential", cenBody.GetProperty("Error").GetProperty("Description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tgr);
        Assert.Equal(HttpStatusCode.OK, enel);
    }

    [Fact]
    public async Task Cen_with_a_bearer_token_needs_no_account_credential()
    {
        var (status, body) = await PostAsync(KhipuEndpoints.CenNonconformitiesPath, CenBody, bearer: server.State.IssueKhipuToken());

        Assert.Equal(HttpStatusCode.OK, status);
        var list = body.GetProperty("Data").GetProperty("NonconformitiesList");
        Assert.Equal(4575, list.GetProperty("TotalDisconformidades").GetInt32());
        Assert.Equal(200, list.GetProperty("Disconformidades").GetArrayLength());
    }

    [Theory]
    [InlineData("\"FechaCreacionDelCasoDesde\":\"2019-11-14\"", "FechaCreacionDelCasoDesde")]
    [InlineData("\"FechaCreacionDelCasoDesde\":\"02/30/2019\"", "FechaCreacionDelCasoDesde")]
    [InlineData("\"Filas\":200", "Filas")]
    [InlineData("\"Filas\":\"0\"", "Filas")]
    [InlineData("\"Filas\":\"1001\"", "Filas")]
    [InlineData("\"Paginas\":\"-1\"", "Paginas")]
    [InlineData("\"RutDeudor\":\"76.999.999-9\"", "RutDeudor")]
    public async Task Cen_fields_that_break_the_document_are_a_400_naming_the_field(string replacement, string field)
    {
        var json = ReplaceField(CenBody, field, replacement);

        var (status, body) = await PostAsync(KhipuEndpoints.CenNonconformitiesPath, json, bearer: server.State.IssueKhipuToken());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("P003", body.GetProperty("Error").GetProperty("Code").GetString());
        Assert.StartsWith(field, body.GetProperty("Error").GetProperty("Description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cen_reversed_dates_run_and_report_a_caller_error()
    {
        var json = ReplaceField(CenBody, "FechaCreacionDelCasoDesde", "\"FechaCreacionDelCasoDesde\":\"12/01/2025\"");

        var (status, body) = await PostAsync(KhipuEndpoints.CenNonconformitiesPath, json, bearer: server.State.IssueKhipuToken());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ERROR", body.GetProperty("Status").GetString());
        Assert.Equal("E401", body.GetProperty("Error").GetProperty("Code").GetString());
    }

    [Fact]
    public async Task A_page_past_the_total_is_empty_but_keeps_the_total()
    {
        server.State.KhipuOptions.CenTotal = 5;
        var json = ReplaceField(CenBody, "Paginas", "\"Paginas\":\"3\"");

        var (_, body) = await PostAsync(KhipuEndpoints.CenNonconformitiesPath, json, bearer: server.State.IssueKhipuToken());

        var list = body.GetProperty("Data").GetProperty("NonconformitiesList");
        Assert.Equal(5, list.GetProperty("TotalDisconformidades").GetInt32());
        Assert.Equal(0, list.GetProperty("Disconformidades").GetArrayLength());
    }

    [Theory]
    [InlineData("not json", "application/json")]
    [InlineData("{\"RequestData\":{\"ClientIdentifier\":\"1\"}}", "text/plain")]
    [InlineData("{\"ClientIdentifier\":\"1\"}", "application/json")]
    [InlineData("[]", "application/json")]
    public async Task A_malformed_body_is_a_400_p001(string json, string mediaType)
    {
        using var request = Request(KhipuEndpoints.EnelDebtStatusPath, json, apiKey: true);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue(mediaType);

        using var response = await http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("P001", body.RootElement.GetProperty("Error").GetProperty("Code").GetString());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("application/jsonx")]
    public async Task The_content_type_must_be_exactly_application_json(string contentType)
    {
        using var request = Request(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"}}", apiKey: true);
        request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("P001", body.RootElement.GetProperty("Error").GetProperty("Code").GetString());
    }

    [Fact]
    public async Task The_email_follows_the_documented_pattern()
    {
        var (good, _) = await PostAsync(KhipuEndpoints.EnelBillDocumentPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\",\"Email\":\"a.b-c@mail.example.cl\"}}", apiKey: true);
        var (bad, body) = await PostAsync(KhipuEndpoints.EnelBillDocumentPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\",\"Email\":\"a@b\"}}", apiKey: true);

        Assert.Equal(HttpStatusCode.OK, good);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.StartsWith("Email", body.GetProperty("Error").GetProperty("Description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_asynchronous_answer_is_202_with_the_documented_fields()
    {
        var callback = new Uri(server.BaseUri, KhipuEndpoints.CallbackSinkPath).AbsoluteUri;

        var (status, body) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"},\"CallbackUrl\":\"" + callback + "\"}", apiKey: true);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("OK", body.GetProperty("Status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("Data").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("Error").ValueKind);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$", body.GetProperty("LifeSpan").GetString());
        var delivered = await KhipuCallbackSink.WaitForAsync(server, body.GetProperty("OperationId").GetString()!);
        Assert.Equal(body.GetProperty("LifeSpan").GetString(), delivered.GetProperty("LifeSpan").GetString());
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("not a url")]
    public async Task A_bad_callback_url_is_a_400(string callback)
    {
        var (status, _) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1\"},\"CallbackUrl\":\"" + callback + "\"}", apiKey: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, server.State.Callbacks.Pending);
    }

    [Fact]
    public async Task The_token_endpoint_follows_rfc_6749()
    {
        using var wrongGrant = await http.PostAsync(new Uri(KhipuEndpoints.TokenPath, UriKind.Relative), Form(("grant_type", "password"), ("client_id", "emulator-client"), ("client_secret", "emulator-client-secret")));
        using var json = await http.PostAsync(new Uri(KhipuEndpoints.TokenPath, UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        using var both = new HttpRequestMessage(HttpMethod.Post, new Uri(KhipuEndpoints.TokenPath, UriKind.Relative))
        {
            Content = Form(("grant_type", "client_credentials"), ("client_id", "emulator-client"), ("client_secret", "emulator-client-secret")),
        };
        both.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("emulator-client:emulator-client-secret")));
        using var bothResponse = await http.SendAsync(both);
        using var badBasic = new HttpRequestMessage(HttpMethod.Post, new Uri(KhipuEndpoints.TokenPath, UriKind.Relative)) { Content = Form(("grant_type", "client_credentials")) };
        badBasic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("emulator-client:nope")));
        using var badBasicResponse = await http.SendAsync(badBasic);
        using var good = await http.PostAsync(new Uri(KhipuEndpoints.TokenPath, UriKind.Relative), Form(("grant_type", "client_credentials"), ("client_id", "emulator-client"), ("client_secret", "emulator-client-secret")));

        Assert.Equal(HttpStatusCode.BadRequest, wrongGrant.StatusCode);
        Assert.Contains("unsupported_grant_type", await wrongGrant.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bothResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badBasicResponse.StatusCode);
        Assert.Equal("Basic", badBasicResponse.Headers.WwwAuthenticate.ToString().Split(' ')[0]);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var token = JsonDocument.Parse(await good.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", token.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, token.RootElement.GetProperty("access_token").GetString()!.Split('.').Length);
        Assert.Equal(5, server.State.KhipuTokenRequests);
    }

    [Fact]
    public async Task The_khipu_switches_can_be_changed_over_http()
    {
        using var set = await http.PostAsync(new Uri("_emulator/khipu/options", UriKind.Relative), new StringContent("{\"cenTotal\":12,\"legacyErrorShape\":true}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.Equal(12, server.State.KhipuOptions.CenTotal);
        Assert.True(server.State.KhipuOptions.LegacyErrorShape);
        server.Reset();
        Assert.Null(server.State.KhipuOptions.CenTotal);
        Assert.False(server.State.KhipuOptions.LegacyErrorShape);
    }

    [Fact]
    public async Task Every_response_has_a_new_operation_id()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            var (_, body) = await PostAsync(KhipuEndpoints.EnelDebtStatusPath, "{\"RequestData\":{\"ClientIdentifier\":\"1234567-8\"}}", apiKey: true);
            ids.Add(body.GetProperty("OperationId").GetString()!);
        }

        Assert.Equal(10, ids.Count);
    }

    // Replaces "Field":"value" (every CenBody value is a string) with the given text.
    private static string ReplaceField(string json, string field, string replacement)
    {
        var start = json.IndexOf("\"" + field + "\"", StringComparison.Ordinal);
        var valueEnd = json.IndexOf('"', json.IndexOf(':', start) + 2) + 1;
        return json[..start] + replacement + json[valueEnd..];
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in fields)
        {
            pairs.Add(new(name, value));
        }

        return new FormUrlEncodedContent(pairs);
    }

    private HttpRequestMessage Request(string path, string json, bool apiKey = false, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };

        // StringContent adds "; charset=utf-8", which the emulator refuses as the documents' servers may.
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (apiKey)
        {
            request.Headers.Add("x-api-key", server.State.Options.KhipuApiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json, bool apiKey = false, string? bearer = null)
    {
        using var request = Request(path, json, apiKey, bearer);
        using var response = await http.SendAsync(request);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }
}
