using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Http;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("120", 120)]
    [InlineData(" 7 ", 7)]
    [InlineData("Sun, 01 Mar 2026 12:00:30 GMT", 30)]
    [InlineData("Sunday, 01-Mar-26 12:01:00 GMT", 60)]
    [InlineData("Sun Mar  1 12:00:10 2026", 10)]
    [InlineData("Sun, 01 Mar 2026 11:00:00 GMT", 0)]
    public void Parses_delta_seconds_and_http_dates(string value, int expectedSeconds)
    {
        Assert.True(RetryAfter.TryParse(value, Now, out var delay));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void Rejects_malformed_values(string? value)
    {
        Assert.False(RetryAfter.TryParse(value, Now, out _));
    }

    [Fact]
    public void Reads_the_header_from_a_response()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "42");
        Assert.True(RetryAfter.TryGetDelay(response, Now, out var delay));
        Assert.Equal(TimeSpan.FromSeconds(42), delay);
    }
}

public sealed class KhipuErrorClassifierTests
{
    [Theory]
    [InlineData("RETRY_IMMEDIATELY", KhipuErrorType.RetryImmediately)]
    [InlineData("do_not_retry", KhipuErrorType.DoNotRetry)]
    [InlineData("Wait_4_Hours_Before_Retry", KhipuErrorType.Wait4HoursBeforeRetry)]
    [InlineData("RETRY_AFTER_NOTIFICATION", KhipuErrorType.RetryAfterNotification)]
    [InlineData("SOMETHING_NEW", KhipuErrorType.Unknown)]
    [InlineData(null, KhipuErrorType.Unknown)]
    public void Parses_types_case_insensitively(string? text, KhipuErrorType expected)
    {
        Assert.Equal(expected, KhipuErrorClassifier.Parse(text));
    }

    [Fact]
    public void Only_RETRY_IMMEDIATELY_is_retryable()
    {
        Assert.True(KhipuErrorClassifier.IsRetryable(KhipuErrorType.RetryImmediately));
        Assert.False(KhipuErrorClassifier.IsRetryable(KhipuErrorType.DoNotRetry));
        Assert.False(KhipuErrorClassifier.IsRetryable(KhipuErrorType.Wait4HoursBeforeRetry));
        Assert.False(KhipuErrorClassifier.IsRetryable(KhipuErrorType.RetryAfterNotification));
        Assert.False(KhipuErrorClassifier.IsRetryable(KhipuErrorType.Unknown));
    }

    [Theory]
    [InlineData("""{"Status":"ERROR","Error":{"Code":"E201","Type":"DO_NOT_RETRY"}}""", KhipuErrorType.DoNotRetry)]
    [InlineData("""{"status":"ERROR","error":{"type":"retry_immediately"}}""", KhipuErrorType.RetryImmediately)]
    [InlineData("""{"Status":"OK","Error":null}""", KhipuErrorType.Unknown)]
    [InlineData("<html>502 Bad Gateway</html>", KhipuErrorType.Unknown)]
    [InlineData("""{"Error":{"Type":""", KhipuErrorType.Unknown)]
    [InlineData("", KhipuErrorType.Unknown)]
    public void Reads_the_envelope_without_throwing(string body, KhipuErrorType expected)
    {
        Assert.Equal(expected, KhipuErrorClassifier.ParseEnvelope(System.Text.Encoding.UTF8.GetBytes(body)));
    }
}

public sealed class ResilienceOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new ResilienceOptions().Validate();
    }

    [Fact]
    public void An_attempt_timeout_longer_than_the_default_total_raises_the_total_unless_the_total_was_set()
    {
        // Connect-EnergyData -TimeoutSec accepts up to 3600: above 600 it had been refused (naming AttemptTimeout).
        var options = new ResilienceOptions { AttemptTimeout = TimeSpan.FromHours(1) };
        options.Validate();
        Assert.Equal(TimeSpan.FromHours(1), options.TotalTimeout);

        options.AttemptTimeout = TimeSpan.FromMinutes(2);
        Assert.Equal(TimeSpan.FromMinutes(10), options.TotalTimeout);

        var setByHand = new ResilienceOptions { TotalTimeout = TimeSpan.FromMinutes(5), AttemptTimeout = TimeSpan.FromMinutes(6) };
        Assert.Equal(TimeSpan.FromMinutes(5), setByHand.TotalTimeout);
        Assert.Throws<ParameterValidationException>(setByHand.Validate);
    }

    [Theory]
    [InlineData(nameof(ResilienceOptions.MaxRetryAttempts), "must be between 0 and 10")]
    [InlineData(nameof(ResilienceOptions.TotalTimeout), "must be between")]
    [InlineData(nameof(ResilienceOptions.AttemptTimeout), "must not be longer than TotalTimeout")]
    [InlineData(nameof(ResilienceOptions.BodyIdleTimeout), "must be between")]
    [InlineData(nameof(ResilienceOptions.MaxDelay), "must not be shorter than BaseDelay")]
    [InlineData(nameof(ResilienceOptions.BaseDelay), "must be between")]
    [InlineData(nameof(ResilienceOptions.CircuitBreakerFailureRatio), "must be greater than 0 and at most 1")]
    [InlineData(nameof(ResilienceOptions.CircuitBreakerMinimumThroughput), "must be at least 2")]
    [InlineData(nameof(ResilienceOptions.CircuitBreakerBreakDuration), "must be between")]
    [InlineData(nameof(ResilienceOptions.CircuitBreakerSamplingDuration), "must be between")]
    [InlineData(nameof(ResilienceOptions.MaxErrorBodyBytes), "must be between")]
    [InlineData(nameof(ResilienceOptions.MaxRetryAfter), "must be between")]
    public void Validate_names_the_option_and_the_rule(string option, string rule)
    {
        var options = new ResilienceOptions();
        switch (option)
        {
            case nameof(ResilienceOptions.MaxRetryAttempts): options.MaxRetryAttempts = 11; break;
            case nameof(ResilienceOptions.TotalTimeout): options.TotalTimeout = TimeSpan.Zero; break;
            case nameof(ResilienceOptions.AttemptTimeout): options.TotalTimeout = TimeSpan.FromMinutes(10); options.AttemptTimeout = TimeSpan.FromMinutes(11); break;
            case nameof(ResilienceOptions.BodyIdleTimeout): options.BodyIdleTimeout = TimeSpan.FromSeconds(-1); break;
            case nameof(ResilienceOptions.MaxDelay): options.MaxDelay = TimeSpan.FromSeconds(1); break;
            case nameof(ResilienceOptions.BaseDelay): options.BaseDelay = TimeSpan.FromSeconds(-1); break;
            case nameof(ResilienceOptions.CircuitBreakerFailureRatio): options.CircuitBreakerFailureRatio = 1.5; break;
            case nameof(ResilienceOptions.CircuitBreakerMinimumThroughput): options.CircuitBreakerMinimumThroughput = 1; break;
            case nameof(ResilienceOptions.CircuitBreakerBreakDuration): options.CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(100); break;
            case nameof(ResilienceOptions.CircuitBreakerSamplingDuration): options.CircuitBreakerSamplingDuration = TimeSpan.FromMilliseconds(100); break;
            case nameof(ResilienceOptions.MaxErrorBodyBytes): options.MaxErrorBodyBytes = -1; break;
            case nameof(ResilienceOptions.MaxRetryAfter): options.MaxRetryAfter = TimeSpan.FromSeconds(-1); break;
            default: throw new ArgumentOutOfRangeException(nameof(option));
        }

        var ex = Assert.Throws<ParameterValidationException>(options.Validate);
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(rule, ex.Rule, StringComparison.Ordinal);
        Assert.Contains($"'{option}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handler_validates_and_copies_its_options()
    {
        var bad = new ResilienceOptions { MaxRetryAttempts = -1 };
        Assert.Throws<ParameterValidationException>(() => new ResilienceHandler(bad));

        var options = new ResilienceOptions();
        var clone = options.Clone();
        clone.MaxRetryAttempts = 7;
        Assert.Equal(3, options.MaxRetryAttempts);
    }
}

public sealed class HeaderRedactionTests
{
    [Theory]
    [InlineData("x-api-key", true)]
    [InlineData("X-API-KEY", true)]
    [InlineData("Authorization", true)]
    [InlineData("Proxy-Authorization", true)]
    [InlineData("Cookie", true)]
    [InlineData("set-cookie", true)]
    [InlineData("X-Custom-ApiKey", true)]
    [InlineData("X-Auth-Token", true)]
    [InlineData("Content-Type", false)]
    [InlineData("User-Agent", false)]
    public void Knows_which_headers_carry_credentials(string name, bool sensitive)
    {
        Assert.Equal(sensitive, HeaderRedaction.IsSensitive(name));
    }

    [Fact]
    public void Formats_with_values_masked()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer eyJ.secret.sig");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        var text = HeaderRedaction.Format(request.Headers);
        Assert.Equal("Authorization: ***; Accept: application/json", text);
    }
}

public sealed class IdleTimeoutStreamTests
{
    [Fact]
    public async Task Passes_data_through_and_honours_cancellation_of_a_pending_read()
    {
        using var pipe = new BlockingStream();
        using var stream = new IdleTimeoutStream(pipe, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[4], 0, 4, cts.Token));
    }

    [Fact]
    public async Task Trips_even_when_the_inner_stream_ignores_its_token()
    {
        using var pipe = new BlockingStream(ignoreToken: true);
        using var stream = new IdleTimeoutStream(pipe, TimeSpan.FromMilliseconds(100));
        var ex = await Assert.ThrowsAsync<RequestTimeoutException>(() => stream.ReadAsync(new byte[4], 0, 4));
        Assert.Equal(RequestTimeoutKind.BodyIdle, ex.Kind);
        Assert.True(pipe.Disposed);
    }

    [Fact]
    public async Task Reads_flowing_data()
    {
        using var inner = new MemoryStream(new byte[] { 1, 2, 3 });
        using var stream = new IdleTimeoutStream(inner, TimeSpan.FromSeconds(5));
        var buffer = new byte[8];
        Assert.Equal(3, await stream.ReadAsync(buffer.AsMemory()));
        Assert.Equal(0, await stream.ReadAsync(buffer.AsMemory()));
    }

    private sealed class BlockingStream(bool ignoreToken = false) : ReadOnlyTestStream
    {
        public bool Disposed { get; private set; }

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, ignoreToken ? CancellationToken.None : cancellationToken).ContinueWith(
                t =>
                {
                    t.GetAwaiter().GetResult();
                    return 0;
                },
                TaskScheduler.Default);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(ReadAsync(Array.Empty<byte>(), 0, 0, cancellationToken));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}

public sealed class HttpClientFactoryTests
{
    [Fact]
    public void Decompression_includes_brotli_on_dotnet_core()
    {
        var methods = EnergyDataHttpClientFactory.SupportedDecompression();
        Assert.True(methods.HasFlag(DecompressionMethods.GZip));
        Assert.True(methods.HasFlag(DecompressionMethods.Deflate));
        Assert.True(methods.HasFlag(DecompressionMethods.Brotli));
    }

    [Fact]
    public void Transport_allows_enough_connections_for_the_highest_throttle_limit()
    {
        using var transport = EnergyDataHttpClientFactory.CreateTransport();
        Assert.True(transport.MaxConnectionsPerServer >= EnergyData.Pipeline.PumpOptions.MaxThrottleLimit);
        Assert.Equal(EnergyDataHttpClientFactory.SupportedDecompression(), transport.AutomaticDecompression);
    }

    [Fact]
    public void Client_has_no_own_timeout_and_a_user_agent()
    {
        using var client = EnergyDataHttpClientFactory.Create(new ResilienceOptions(), null);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.Matches(@"^EnergyData-PowerShell/\d+\.\d+\.\d+$", client.DefaultRequestHeaders.UserAgent.ToString());
    }

    [Fact]
    public void RequestContext_round_trips_and_counts_attempts()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/");
        Assert.Null(request.GetRequestContext());
        var context = new RequestContext(null, 2);
        request.SetRequestContext(context);
        Assert.Same(context, request.GetRequestContext());
        Assert.Equal(1, context.RegisterAttempt());
        Assert.True(context.CanAttemptAgain);
        Assert.Equal(2, context.RegisterAttempt());
        Assert.False(context.CanAttemptAgain);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestContext(null, 0));
    }
}
