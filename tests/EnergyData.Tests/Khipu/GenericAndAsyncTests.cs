using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Khipu;

[Collection(EmulatorGroup.Name)]
public sealed class GenericAndAsyncTests
{
    private readonly EmulatorServer server;

    public GenericAndAsyncTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        server.State.Options.CallbackDelayMilliseconds = 0;
    }

    [Fact]
    public async Task Invoke_calls_any_service_path_and_returns_the_data_as_json()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var response = await connection.GetKhipuClient().InvokeAsync(
            "/" + KhipuEndpoints.EnelDebtStatusPath,
            new Dictionary<string, object?> { ["ClientIdentifier"] = "1234567-8" },
            null,
            CancellationToken.None);

        using var data = JsonDocument.Parse(response.DataJson!);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", data.RootElement.GetProperty("DebtStatus").GetProperty("Address").GetString());
        Assert.Equal(KhipuEndpoints.EnelDebtStatusPath, response.ServicePath);
        Assert.Equal("OK", response.Status);
        Assert.Equal(200, response.HttpStatusCode);
        Assert.Equal(1, response.Attempts);
        Assert.Null(response.LifeSpan);
        Assert.True(Guid.TryParse(response.OperationId, out _));
    }

    [Fact]
    public async Task Invoke_passes_nested_request_data_through_unchanged()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var requestData = new Dictionary<string, object?>
        {
            ["FechaCreacionDelCasoDesde"] = "11/14/2019",
            ["FechaCreacionDelCasoHasta"] = "11/05/2025",
            ["RutDeudor"] = "76000000",
            ["Filas"] = "10",
            ["Paginas"] = "0",
            ["AccountCredential"] = new Dictionary<string, object?> { ["Username"] = "u", ["Password"] = "p" },
        };

        var response = await connection.GetKhipuClient().InvokeAsync(KhipuEndpoints.CenNonconformitiesPath, requestData, null, CancellationToken.None);

        using var data = JsonDocument.Parse(response.DataJson!);
        Assert.Equal(0, data.RootElement.GetProperty("NonconformitiesList").GetProperty("TotalDisconformidades").GetInt32());
    }

    [Fact]
    public async Task Invoke_with_a_callback_returns_the_accepted_operation_and_the_result_arrives_with_the_same_operation_id()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var operation = await connection.GetKhipuClient().InvokeAsync(
            KhipuEndpoints.EnelDebtStatusPath,
            new Dictionary<string, object?> { ["ClientIdentifier"] = "1234567-8" },
            KhipuCallbackSink.Url(server),
            null,
            CancellationToken.None);

        Assert.True(Guid.TryParse(operation.OperationId, out _));
        Assert.Equal("OK", operation.Status);
        Assert.Equal("Data will be sent to the callback URL.", operation.AdditionalInformation);
        Assert.Null(operation.ResultJson);
        Assert.Equal(KhipuCallbackSink.Url(server).AbsoluteUri, operation.CallbackUrl);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$", operation.LifeSpanRaw);
        Assert.Equal(DateTimeOffset.ParseExact(operation.LifeSpanRaw!, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), operation.LifeSpan);

        var delivered = await KhipuCallbackSink.WaitForAsync(server, operation.OperationId!);
        Assert.Equal("OK", delivered.GetProperty("Status").GetString());
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", delivered.GetProperty("Data").GetProperty("DebtStatus").GetProperty("Address").GetString());
        Assert.Equal(JsonValueKind.Null, delivered.GetProperty("Error").ValueKind);
    }

    [Fact]
    public async Task A_callback_carries_status_error_when_the_service_fails()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var request = KhipuClient.EnelDebtStatusRequest("555-0", KhipuCallbackSink.Url(server));

        var operation = await connection.GetKhipuClient().SubmitAsync(request, "555-0", null, CancellationToken.None);

        Assert.Equal("555-0", operation.InputIdentifier);
        Assert.Equal("EnelDebtStatus", operation.Service);
        var delivered = await KhipuCallbackSink.WaitForAsync(server, operation.OperationId!);
        Assert.Equal("ERROR", delivered.GetProperty("Status").GetString());
        Assert.Equal("E301", delivered.GetProperty("Error").GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Cen_and_tgr_accept_the_asynchronous_mode_too()
    {
        server.State.KhipuOptions.CenTotal = 3;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var account = KhipuAccountCredential.FromUserName("tgr-user", "p".ToSecureString());
        var client = connection.GetKhipuClient();
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2024, 1, 1), To = new DateTime(2024, 12, 31), AccountCredential = account };

        var cen = await client.SubmitAsync(KhipuClient.CenRequest(query, 0, true, KhipuCallbackSink.Url(server)), "76999999", null, CancellationToken.None);
        var tgr = await client.SubmitAsync(KhipuClient.TgrRequest(account, true, KhipuCallbackSink.Url(server)), null, null, CancellationToken.None);

        var cenBody = await KhipuCallbackSink.WaitForAsync(server, cen.OperationId!);
        var tgrBody = await KhipuCallbackSink.WaitForAsync(server, tgr.OperationId!);
        Assert.Equal(3, cenBody.GetProperty("Data").GetProperty("NonconformitiesList").GetProperty("Disconformidades").GetArrayLength());
        var resolution = KhipuClient.MapResolution(tgrBody.GetProperty("Data").GetProperty("Resolutions")[0], tgr.OperationId, null);
        Assert.NotNull(resolution.ResolutionId);
        Assert.Equal(tgr.OperationId, resolution.OperationId);
    }

    [Theory]
    [InlineData("ftp://example.com/callback")]
    [InlineData("/relative/callback")]
    public async Task A_bad_callback_url_is_refused_before_anything_is_sent(string callback)
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => connection.GetKhipuClient().InvokeAsync(
            KhipuEndpoints.EnelDebtStatusPath,
            new Dictionary<string, object?> { ["ClientIdentifier"] = "1" },
            new Uri(callback, UriKind.RelativeOrAbsolute),
            null,
            CancellationToken.None));

        Assert.IsType<ParameterValidationException>(error);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Theory]
    [InlineData("https://evil.example.com/v1/x")]
    [InlineData("v1/cl/services/../../admin")]
    [InlineData("v1/%2e%2e/outside-v1")]
    [InlineData("v1/%2E%2E/%2e%2e/root-escape")]
    [InlineData("v1/.%2e/x")]
    [InlineData("v1/%2E./x")]
    [InlineData("v1/%2f%2f/x")]
    [InlineData("v1/cl%2Fservices/x")]
    [InlineData("v1/a%5c..%5cb")]
    [InlineData("v1/a%5Cb")]
    [InlineData("cl/services/enel.cl/debt-status-by-client-identifier")]
    public async Task A_bad_service_path_is_refused_before_anything_is_sent(string path)
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => connection.GetKhipuClient().InvokeAsync(path, null, null, CancellationToken.None));

        Assert.Equal("Path", error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task An_unknown_service_path_is_a_404_with_khipu_fields()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().InvokeAsync("v1/cl/services/nowhere.cl/anything", null, null, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("E000", error.ErrorCode);
        Assert.Contains("does not exist", error.Description, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Theory]
    [InlineData("abc", "P003", "ClientIdentifier")]
    [InlineData(null, "P002", "ClientIdentifier")]
    public async Task A_request_the_server_refuses_is_a_400_with_code_type_and_description(string? clientIdentifier, string code, string mentioned)
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var requestData = new Dictionary<string, object?>();
        if (clientIdentifier is not null)
        {
            requestData["ClientIdentifier"] = clientIdentifier;
        }

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().InvokeAsync(KhipuEndpoints.EnelDebtStatusPath, requestData, null, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("DO_NOT_RETRY", error.ErrorTypeText);
        Assert.Contains(mentioned, error.Description, StringComparison.Ordinal);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task The_older_failure_reason_shape_becomes_a_khipu_error()
    {
        server.State.KhipuOptions.LegacyErrorShape = true;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("555-1", null, CancellationToken.None));

        Assert.Equal("TASK_FINISHED", error.ErrorCode);
        Assert.Contains("E301", error.Description, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Theory]
    [InlineData("TASK_FINISHED", EnergyData.Http.KhipuErrorType.Unknown)]
    [InlineData("LIFESPAN_EXCEEDED", EnergyData.Http.KhipuErrorType.DoNotRetry)]
    public async Task Older_failure_reasons_are_sent_once(string reason, EnergyData.Http.KhipuErrorType expected)
    {
        server.State.KhipuOptions.LegacyErrorShape = true;
        server.State.KhipuOptions.LegacyFailureReason = reason;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("9990-1", null, CancellationToken.None));

        Assert.Equal(reason, error.ErrorCode);
        Assert.Equal(expected, error.ErrorType);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task The_older_shape_on_an_http_error_keeps_failure_reason_and_message()
    {
        server.State.KhipuOptions.LegacyErrorShape = true;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().InvokeAsync(KhipuEndpoints.EnelDebtStatusPath, new Dictionary<string, object?>(), null, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("TASK_FINISHED", error.ErrorCode);
        Assert.Contains("P002", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_in_the_envelope_and_data_are_tolerated_and_reported_at_debug()
    {
        server.State.KhipuOptions.ExtraFields = true;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Contains("Unknown envelope field 'Trace' ignored", trace.DebugText, StringComparison.Ordinal);
        Assert.Contains("Unknown field Data.EmulatorNote ignored", trace.DebugText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_do_not_disturb_cen_paging()
    {
        server.State.KhipuOptions.ExtraFields = true;
        server.State.KhipuOptions.CenTotal = 25;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2024, 1, 1), To = new DateTime(2024, 12, 31), PageSize = 10, AccountCredential = KhipuAccountCredential.FromUserName("u", "p".ToSecureString()) };
        var count = 0;

        await foreach (var unused in connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(25, count);
        Assert.Equal(3, server.State.Counters.Total);
    }

    [Fact]
    public async Task Gzip_responses_are_decompressed()
    {
        server.State.KhipuOptions.GzipResponses = true;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(1, server.State.KhipuGzipResponses);
    }
}
