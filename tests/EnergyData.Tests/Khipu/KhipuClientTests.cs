using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Errors;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Khipu;

public sealed class KhipuClientTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly EmulatorServer server;
    private readonly EnergyDataConnection connection;
    private readonly RecordingTrace trace = new();

    public KhipuClientTests(EmulatorFixture fixture)
    {
        server = fixture.Server;
        server.Faults.Clear();
        server.Counters.Reset();
        server.Options.Latency = TimeSpan.Zero;
        connection = Connections.ApiKey(server);
    }

    public void Dispose() => connection.Dispose();

    [Fact]
    public async Task Debt_status_maps_the_documented_example_field_by_field()
    {
        var row = await connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        Assert.Equal("1234567-8", row.ClientIdentifier);
        Assert.Equal("12345-6", row.ResponseClientIdentifier);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", row.Address);
        Assert.Equal(10000m, row.DebtAmount);
        Assert.Equal("CLP", row.DebtCurrency);
        Assert.Equal(new DateTime(2017, 7, 22), row.DebtDueDate);
        Assert.Equal(10000m, row.LastPaymentAmount);
        Assert.Equal("CLP", row.LastPaymentCurrency);
        Assert.Equal(10000m, row.PreviousDebtAmount);
        Assert.Equal(new DateTime(2017, 7, 22), row.PreviousDebtDueDate);
        Assert.False(string.IsNullOrEmpty(row.OperationId));
        Assert.Contains("\"Address\"", row.RawJson, StringComparison.Ordinal);
        Assert.Equal(1, server.Counters.Total);
    }

    [Fact]
    public async Task Debt_status_of_other_clients_is_read_too()
    {
        var first = await connection.Khipu.GetEnelDebtStatusAsync("3049812-1", trace, CancellationToken.None);
        var again = await connection.Khipu.GetEnelDebtStatusAsync("3049812-1", trace, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(first.Address));
        Assert.NotNull(first.DebtAmount);
        Assert.Equal(first.DebtAmount, again.DebtAmount);
        Assert.NotEqual(first.OperationId, again.OperationId);
    }

    [Fact]
    public async Task Status_error_becomes_a_khipu_exception_with_code_type_and_one_attempt()
    {
        var exception = await Assert.ThrowsAsync<KhipuException>(() => connection.Khipu.GetEnelDebtStatusAsync("555-0", trace, CancellationToken.None));
        Assert.Equal("E301", exception.ErrorCode);
        Assert.Equal(KhipuErrorType.DoNotRetry, exception.ErrorType);
        Assert.Equal(1, exception.Attempts);
        Assert.Contains("E301", exception.Message, StringComparison.Ordinal);
        Assert.Contains("DO_NOT_RETRY", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Counters.Total);
        var error = ErrorMapper.FromException(exception, "555-0");
        Assert.Equal("Khipu.E301", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.False(error.IsTerminating);
    }

    [Theory]
    [InlineData("123456789012345678901", "ClientIdentifier")]
    [InlineData("12.345.678-9", "ClientIdentifier")]
    [InlineData("", "ClientIdentifier")]
    public async Task Bad_input_is_refused_before_any_request(string identifier, string parameter)
    {
        var exception = await Assert.ThrowsAsync<ParameterValidationException>(() => connection.Khipu.GetEnelDebtStatusAsync(identifier, trace, CancellationToken.None));
        Assert.Equal(parameter, exception.ParamName);
        Assert.Equal(0, server.Counters.Total);
    }

    [Fact]
    public async Task Bill_document_is_decoded_and_saved_atomically()
    {
        var folder = Directory.CreateTempSubdirectory("energydata-bills-").FullName;
        try
        {
            var inMemory = await connection.Khipu.GetEnelBillDocumentAsync("1234567-8", "facturas@example.cl", null, trace, CancellationToken.None);
            Assert.Equal("application/pdf", inMemory.ContentType);
            Assert.False(string.IsNullOrEmpty(inMemory.Document));
            Assert.Null(inMemory.Path);

            var saved = await connection.Khipu.GetEnelBillDocumentAsync("1234567-8", "facturas@example.cl", folder, trace, CancellationToken.None);
            Assert.NotNull(saved.Path);
            Assert.Null(saved.Document);
            var bytes = await File.ReadAllBytesAsync(saved.Path!);
            Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
            Assert.Equal(bytes.Length, saved.Length);
            Assert.Single(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Bill_document_checks_the_email_pattern_first()
    {
        var exception = await Assert.ThrowsAsync<ParameterValidationException>(() => connection.Khipu.GetEnelBillDocumentAsync("1234567-8", "not-an-address", null, trace, CancellationToken.None));
        Assert.Equal("Email", exception.ParamName);
        Assert.Equal(0, server.Counters.Total);
    }

    [Fact]
    public async Task Cen_follows_every_page_until_the_total()
    {
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 1000, AccountCredential = Connections.Account };
        var state = new CenPagingState();
        var pages = 0;
        var rows = await connection.Khipu.GetCenNonconformitiesAsync(query, true, state, _ => pages++, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(4575, rows.Count);
        Assert.Equal(Enumerable.Range(0, 4575).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(4575, state.TotalCount);
        Assert.Equal(5, state.TotalPages);
        Assert.Equal(5, pages);
        Assert.Equal(5, server.Counters.Total);
        Assert.All(rows, row => Assert.Equal("76999999", row.RutDeudor));
        Assert.NotEmpty(rows[0].GetFields());
        Assert.StartsWith("{", rows[0].RawJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cen_skip_and_first_request_only_the_pages_they_need()
    {
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 200, Skip = 250, First = 100, AccountCredential = Connections.Account };
        var rows = await connection.Khipu.GetCenNonconformitiesAsync(query, true, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(100, rows.Count);
        Assert.Equal(250, rows[0].Index);
        Assert.Equal(349, rows[^1].Index);
        Assert.Equal(2, server.Counters.Total);
    }

    [Fact]
    public async Task Cen_with_an_api_key_needs_the_account_credential_before_sending()
    {
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 1, 1), To = new DateTime(2019, 2, 1) };
        var exception = await Assert.ThrowsAsync<ParameterValidationException>(async () => await connection.Khipu.GetCenNonconformitiesAsync(query, true, null, null, trace, CancellationToken.None).ToListAsync());
        Assert.Equal("AccountCredential", exception.ParamName);
        Assert.Equal(0, server.Counters.Total);
    }

    [Fact]
    public async Task Tgr_maps_resolutions_and_expands_debts_and_instalments()
    {
        var resolutions = await connection.Khipu.GetTgrExpiredAgreementsAsync(Connections.Account, true, trace, CancellationToken.None).ToListAsync();

        Assert.NotEmpty(resolutions);
        var first = resolutions[0];
        Assert.Equal(1000, first.ResolutionId);
        Assert.Equal("CONVENIO CON CONDONACION", first.PaymentType);
        Assert.Equal("Ley 20.780", first.DealType);
        Assert.Equal("KHIPU SPA", first.DebtorName);
        Assert.Equal("11.222.333-4", first.DebtorIdentifier);
        Assert.Equal(1000m, first.NetBalanceAmount);
        Assert.Equal("CONVENIO ACTIVO", first.Stage);
        Assert.Equal(new DateTime(2017, 7, 22), first.ResolutionDate);
        var debts = KhipuClient.Expand(first, TgrDetail.Debt).Cast<TgrDebt>().ToList();
        Assert.NotEmpty(debts);
        Assert.All(debts, debt => Assert.Equal(1000, debt.ResolutionId));
        Assert.Equal(20000m, debts[0].Amount);
        var instalments = KhipuClient.Expand(first, TgrDetail.Instalment).Cast<TgrInstalment>().ToList();
        Assert.NotEmpty(instalments);
        Assert.Contains(instalments, instalment => instalment.Status is "Paid" or "Unpaid");
        Assert.Single(KhipuClient.Expand(first, TgrDetail.Resolution));
    }

    [Fact]
    public async Task Debug_shows_bodies_without_the_account_password_or_the_key()
    {
        await connection.Khipu.GetTgrExpiredAgreementsAsync(Connections.Account, true, trace, CancellationToken.None).ToListAsync();
        Assert.Contains(trace.DebugLines, line => line.StartsWith("Request body:", StringComparison.Ordinal) && line.Contains("\"Password\":\"***\"", StringComparison.Ordinal));
        Assert.Contains(trace.DebugLines, line => line.StartsWith("Response body:", StringComparison.Ordinal));
        Assert.DoesNotContain(Connections.AccountPassword, trace.All, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Options.KhipuApiKey, trace.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_immediately_is_retried_within_the_budget()
    {
        server.Faults.Enqueue(new FaultSpec { Kind = FaultKind.KhipuError, StatusCode = 200, ErrorType = "RETRY_IMMEDIATELY", ErrorCode = "E201" });
        var row = await connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", row.Address);
        Assert.Equal(2, server.Counters.Total);
        Assert.Contains(trace.VerboseLines, line => line.Contains("RETRY_IMMEDIATELY", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DO_NOT_RETRY", KhipuErrorType.DoNotRetry)]
    [InlineData("RETRY_AFTER_NOTIFICATION", KhipuErrorType.RetryAfterNotification)]
    [InlineData("WAIT_4_HOURS_BEFORE_RETRY", KhipuErrorType.Wait4HoursBeforeRetry)]
    public async Task Non_retryable_error_types_are_sent_once(string type, KhipuErrorType expected)
    {
        server.Faults.Enqueue(new FaultSpec { Kind = FaultKind.KhipuError, StatusCode = 200, ErrorType = type, ErrorCode = "E202" }, 5);
        var exception = await Assert.ThrowsAsync<KhipuException>(() => connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal(expected, exception.ErrorType);
        Assert.Equal(1, server.Counters.Total);
        if (expected == KhipuErrorType.Wait4HoursBeforeRetry)
        {
            Assert.NotNull(exception.EarliestRetry);
            Assert.InRange(exception.EarliestRetry!.Value, DateTimeOffset.UtcNow.AddHours(3.9), DateTimeOffset.UtcNow.AddHours(4.1));
        }
    }

    [Fact]
    public async Task Server_errors_in_the_http_layer_follow_the_khipu_type_too()
    {
        server.Faults.Enqueue(new FaultSpec { Kind = FaultKind.KhipuError, StatusCode = 500, ErrorType = "DO_NOT_RETRY", ErrorCode = "E999" }, 5);
        var exception = await Assert.ThrowsAsync<KhipuException>(() => connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal(HttpStatusCode.InternalServerError, exception.StatusCode);
        Assert.Equal("E999", exception.ErrorCode);
        Assert.Equal(1, server.Counters.Total);
    }

    [Fact]
    public async Task Transient_503_is_retried_and_each_attempt_is_traced()
    {
        server.Faults.Enqueue(new FaultSpec { Kind = FaultKind.Status, StatusCode = 503, RetryAfter = "0" }, 2);
        var row = await connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", row.Address);
        Assert.Equal(3, server.Counters.Total);
        Assert.Contains(trace.VerboseLines, line => line.Contains("503", StringComparison.Ordinal));
        Assert.Contains(trace.VerboseLines, line => line.Contains("attempt 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Attempts_stop_at_the_budget()
    {
        server.Faults.Enqueue(new FaultSpec { Kind = FaultKind.Status, StatusCode = 503, RetryAfter = "0" }, 50);
        using var limited = Connections.ApiKey(server, settings => settings.Resilience.MaxRetryAttempts = 2);
        var exception = await Assert.ThrowsAsync<KhipuException>(() => limited.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exception.StatusCode);
        Assert.Equal(3, server.Counters.Total);
    }

    [Fact]
    public async Task Bearer_tokens_work_and_a_rejected_one_is_terminating()
    {
        using var bearer = EnergyDataConnection.Create(new ConnectionSettings { KhipuBaseUri = server.BaseUri, KhipuAccessToken = "emu-static-jwt".ToSecureString() });
        Assert.Equal("Bearer", bearer.KhipuAuthenticationScheme);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", (await bearer.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None)).Address);

        using var expired = EnergyDataConnection.Create(new ConnectionSettings { KhipuBaseUri = server.BaseUri, KhipuAccessToken = server.IssueExpiredToken().ToSecureString() });
        var exception = await Assert.ThrowsAsync<KhipuException>(() => expired.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        Assert.Equal("A000", exception.ErrorCode);
        var error = ErrorMapper.FromException(exception, "1234567-8");
        Assert.True(error.IsTerminating);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
    }

    [Fact]
    public async Task Client_credentials_fetch_one_token_for_many_calls()
    {
        using var oauth = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuClientId = server.Options.KhipuClientId,
            KhipuClientSecret = server.Options.KhipuClientSecret.ToSecureString(),
            KhipuTokenUri = server.TokenUri,
            KhipuAccountCredential = Connections.Account,
        });
        Assert.Equal("ClientCredentials", oauth.KhipuAuthenticationScheme);
        Assert.False(oauth.KhipuRequiresAccountCredential);
        var rows = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => oauth.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None)));
        Assert.All(rows, row => Assert.Equal("AGUSTINAS 1234, SANTIAGO", row.Address));
        Assert.Equal(1, server.Counters.Count("/oauth"));
        Assert.DoesNotContain(server.Options.KhipuClientSecret, trace.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_url_gives_an_accepted_operation()
    {
        var request = KhipuClient.EnelDebtStatusRequest("1234567-8", new Uri("http://127.0.0.1:9/callback"));
        var operation = await connection.Khipu.SubmitAsync(request, "1234567-8", trace, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(operation.OperationId));
        Assert.Equal("EnelDebtStatus", operation.Service);
        Assert.Equal("1234567-8", operation.InputIdentifier);
        Assert.NotNull(operation.LifeSpan);
        Assert.False(string.IsNullOrEmpty(operation.LifeSpanRaw));
        Assert.Null(operation.ResultJson);
    }

    [Fact]
    public async Task Generic_call_returns_data_as_json()
    {
        var response = await connection.Khipu.InvokeAsync(KhipuServices.EnelDebtStatus, new System.Collections.Generic.Dictionary<string, object?> { ["ClientIdentifier"] = "1234567-8" }, trace, CancellationToken.None);
        Assert.Equal("OK", response.Status);
        Assert.Contains("AGUSTINAS 1234, SANTIAGO", response.DataJson, StringComparison.Ordinal);
        Assert.Equal(200, response.HttpStatusCode);
    }

    [Fact]
    public async Task Unknown_service_path_is_a_not_found_error()
    {
        var exception = await Assert.ThrowsAsync<KhipuException>(() => connection.Khipu.InvokeAsync("v1/cl/services/nothing-here", null, trace, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, exception.StatusCode);
        Assert.Equal(ErrorKind.ObjectNotFound, ErrorMapper.FromException(exception, null).Kind);
    }

    [Fact]
    public async Task Cancellation_stops_a_slow_call_promptly()
    {
        server.Options.Latency = TimeSpan.FromSeconds(30);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.Khipu.GetEnelDebtStatusAsync("1234567-8", trace, cancellation.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "cancellation did not reach the request in flight");
        server.Options.Latency = TimeSpan.Zero;
    }
}
