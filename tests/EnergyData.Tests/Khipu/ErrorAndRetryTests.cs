using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Emulator;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>Khipu's Error.Type rules and HTTP faults, counted at the emulator: every attempt is a billed request.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class ErrorAndRetryTests
{
    private readonly EmulatorServer server;

    public ErrorAndRetryTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task Retry_immediately_is_retried_up_to_the_limit_and_the_attempts_are_reported()
    {
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.RetryImmediatelyLimit = 2);
        var trace = new RecordingTrace();

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("9990123", trace, CancellationToken.None));

        Assert.Equal("E201", error.ErrorCode);
        Assert.Equal(KhipuErrorType.RetryImmediately, error.ErrorType);
        Assert.Equal(3, error.Attempts);
        Assert.Contains("3 billed attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("RETRY_IMMEDIATELY", trace.VerboseText, StringComparison.Ordinal);
        Assert.Equal(3, server.State.Counters.Total);
    }

    /// <summary>
    /// Several inputs run at once, and every request of a service has the same path: each trace line, its waits and
    /// retries included, names the input it is for, or a log of a bulk run cannot tell which was throttled.
    /// </summary>
    [Fact]
    public async Task Every_trace_line_of_a_request_names_its_input()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 0 });
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E201", ErrorType = "RETRY_IMMEDIATELY" });
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        var lines = trace.VerboseText.Split('\n');
        Assert.Contains(lines, line => line.Contains("(ClientIdentifier 1234567-8) -> 429", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("(ClientIdentifier 1234567-8): retrying in", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("(RETRY_IMMEDIATELY) for ClientIdentifier 1234567-8; retrying", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("(ClientIdentifier 1234567-8) -> 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_immediately_is_bounded_by_the_total_attempt_budget()
    {
        using var connection = KhipuTestConnections.WithApiKey(server, settings =>
        {
            settings.RetryImmediatelyLimit = 10;
            settings.Resilience.MaxRetryAttempts = 1;
        });

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("9990123", null, CancellationToken.None));

        Assert.Equal(2, error.Attempts);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task Retry_immediately_once_then_success_returns_the_result()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E201", ErrorType = "RETRY_IMMEDIATELY" });
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task With_a_retry_limit_of_zero_retry_immediately_is_not_repeated()
    {
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.RetryImmediatelyLimit = 0);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("9990123", null, CancellationToken.None));

        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task Wait_4_hours_is_not_retried_and_gives_the_earliest_retry_time()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var before = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("9991-5", null, CancellationToken.None));

        Assert.Equal("E202", error.ErrorCode);
        Assert.Equal(KhipuErrorType.Wait4HoursBeforeRetry, error.ErrorType);
        Assert.NotNull(error.EarliestRetry);
        Assert.True(error.EarliestRetry >= before.AddHours(4), $"EarliestRetry {error.EarliestRetry:O} is not 4 hours after {before:O}.");
        Assert.Contains("Do not retry before", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task Wait_4_hours_answered_to_an_asynchronous_submission_gives_the_earliest_retry_time()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E202", ErrorType = "WAIT_4_HOURS_BEFORE_RETRY" });
        using var connection = KhipuTestConnections.WithApiKey(server);
        var before = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", KhipuCallbackSink.Url(server)), "1234567-8", null, CancellationToken.None));

        Assert.Equal(KhipuErrorType.Wait4HoursBeforeRetry, error.ErrorType);
        Assert.True(error.EarliestRetry >= before.AddHours(4), $"EarliestRetry {error.EarliestRetry:O} is not 4 hours after {before:O}.");
        Assert.Contains("Do not retry before", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task Retry_immediately_answered_to_an_asynchronous_submission_is_retried_as_a_synchronous_call_is()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E201", ErrorType = "RETRY_IMMEDIATELY" });
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        var operation = await connection.GetKhipuClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", KhipuCallbackSink.Url(server)), "1234567-8", trace, CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(operation.OperationId));
        Assert.Equal(2, server.State.Counters.Total);
        Assert.Contains("RETRY_IMMEDIATELY", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_immediately_answered_to_an_asynchronous_submission_respects_the_retry_limit()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E201", ErrorType = "RETRY_IMMEDIATELY" });
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.RetryImmediatelyLimit = 0);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", KhipuCallbackSink.Url(server)), "1234567-8", null, CancellationToken.None));

        Assert.Equal(KhipuErrorType.RetryImmediately, error.ErrorType);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task Wait_4_hours_in_a_delivered_result_gives_the_earliest_retry_time()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var operation = await connection.GetKhipuClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("9991-5", KhipuCallbackSink.Url(server)), "9991-5", null, CancellationToken.None);
        var delivered = await KhipuCallbackSink.WaitForAsync(server, operation.OperationId!);
        var before = DateTimeOffset.UtcNow;
        using var body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(delivered.GetRawText()));

        var error = await Assert.ThrowsAsync<KhipuException>(() => KhipuClient.MapCallbackResultAsync(EnergyData.Callbacks.PendingOperation.FromOperation(operation), body, null, CancellationToken.None));

        Assert.Equal("E202", error.ErrorCode);
        Assert.Equal(KhipuErrorType.Wait4HoursBeforeRetry, error.ErrorType);
        Assert.True(error.EarliestRetry >= before.AddHours(4), $"EarliestRetry {error.EarliestRetry:O} is not 4 hours after {before:O}.");
        Assert.Contains("Do not retry before", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_notification_is_not_retried()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("99925", null, CancellationToken.None));

        Assert.Equal("E103", error.ErrorCode);
        Assert.Equal(KhipuErrorType.RetryAfterNotification, error.ErrorType);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Theory]
    [InlineData("DO_NOT_RETRY", KhipuErrorType.DoNotRetry)]
    [InlineData("WAIT_4_HOURS_BEFORE_RETRY", KhipuErrorType.Wait4HoursBeforeRetry)]
    [InlineData("RETRY_AFTER_NOTIFICATION", KhipuErrorType.RetryAfterNotification)]
    [InlineData("SOMETHING_NEW", KhipuErrorType.Unknown)]
    public async Task Error_types_that_do_not_ask_for_a_retry_are_sent_once_on_every_service(string type, KhipuErrorType expected)
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E999", ErrorType = type, ErrorDescription = "Injected", Count = 0 });
        using var connection = KhipuTestConnections.WithBearer(server, server.State.IssueKhipuToken());
        var client = connection.GetKhipuClient();

        var debt = await Assert.ThrowsAsync<KhipuException>(() => client.GetEnelDebtStatusAsync("1", null, CancellationToken.None));
        var tgr = await Assert.ThrowsAsync<KhipuException>(async () =>
        {
            await foreach (var unused in client.GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None))
            {
            }
        });

        Assert.Equal(expected, debt.ErrorType);
        Assert.Equal(type, tgr.ErrorTypeText);
        Assert.Equal("E999", tgr.ErrorCode);
        Assert.Equal("Injected", tgr.Description);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task Status_error_without_an_error_object_is_still_an_error()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuErrorWithoutError });
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Null(error.ErrorCode);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Theory]
    [InlineData(FaultKind.HttpStatus)]
    [InlineData(FaultKind.ServiceUnavailable)]
    [InlineData(FaultKind.DropConnection)]
    public async Task A_transient_fault_is_retried_and_the_call_succeeds(FaultKind kind)
    {
        server.State.Faults.Add(new FaultSpec { Kind = kind, PathContains = "enel.cl" });
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(2, server.State.Counters.Total);
        Assert.Equal(1, server.State.Counters.FaultsInjected);
    }

    [Fact]
    public async Task A_persistent_500_stops_after_the_attempt_budget_and_keeps_the_khipu_fields()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.HttpStatus, HttpStatus = 500, Count = 0 });
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.Resilience.MaxRetryAttempts = 2);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("E500", error.ErrorCode);
        Assert.Equal("Injected server error", error.Description);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, server.State.Counters.Total);
    }

    [Fact]
    public async Task Rate_limiting_is_retried_after_the_retry_after_delay()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 1 });
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Contains("(Retry-After)", trace.VerboseText, StringComparison.Ordinal);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_retry_after_longer_than_allowed_is_not_waited_for()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 3600 });
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal((HttpStatusCode)429, error.StatusCode);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_body_cut_off_mid_json_is_an_error_never_a_partial_result()
    {
        // Every request is cut off. The fault flushes a partial 200 body and then aborts; when the abort wins the race
        // the client sees a dropped connection instead (and retries it), so either failure is the expected one.
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.TruncatedJson, Count = 0 });
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.True(error is IOException or System.Net.Http.HttpRequestException or RequestAttemptException or System.Text.Json.JsonException, error.ToString());
        Assert.InRange(server.State.Counters.Total, 1, 4);
    }

    [Fact]
    public async Task Invalid_json_is_an_invalid_response_error_after_one_request()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.InvalidJson });
        using var connection = KhipuTestConnections.WithApiKey(server);

        // A protocol error (InvalidResponse, as a JsonException is) that names the service and the input, the parser's own error inside.
        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
        Assert.StartsWith("The Khipu response to EnelDebtStatus for ClientIdentifier 1 (HTTP 200) cannot be read: ", error.Message, StringComparison.Ordinal);

        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_json_array_instead_of_an_envelope_is_a_protocol_error()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.WrongShape });
        using var connection = KhipuTestConnections.WithApiKey(server);

        await Assert.ThrowsAsync<KhipuProtocolException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));
    }

    [Fact]
    public async Task An_html_error_page_from_a_proxy_is_described_not_parsed()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.HtmlPage, HttpStatus = 502, Count = 0 });
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.Resilience.MaxRetryAttempts = 1);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Contains("not JSON", error.Description, StringComparison.Ordinal);
        Assert.Contains("Bad Gateway", error.Description, StringComparison.Ordinal);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_the_retry_succeeds()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.Delay, DelayMilliseconds = 10000 });
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300));

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task Every_attempt_timing_out_gives_a_timeout_error_after_the_attempt_budget()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.Delay, DelayMilliseconds = 10000, Count = 0 });
        using var connection = KhipuTestConnections.WithApiKey(server, settings =>
        {
            settings.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            settings.Resilience.MaxRetryAttempts = 1;
        });

        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(RequestTimeoutKind.Attempt, error.Kind);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task Cancelling_stops_the_request_in_flight_without_a_retry()
    {
        server.State.Options.LatencyMilliseconds = 10000;
        using var connection = KhipuTestConnections.WithApiKey(server);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, cancellation.Token));

        Assert.Equal(1, server.State.Counters.Total);
    }
}
