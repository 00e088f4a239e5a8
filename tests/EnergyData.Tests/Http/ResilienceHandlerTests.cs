using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Http;

public sealed class ResilienceHandlerTests
{
    [Fact]
    public async Task Retries_503_503_then_returns_200_with_one_verbose_line_per_attempt()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(503).Enqueue(503).Enqueue(200, """{"ok":true}""");
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        var context = new RequestContext(trace, 4);

        using var response = await client.SendAsync(TestClients.Post(server.Url("/v1/cl/x"), "{}", context));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, server.RequestCount);
        Assert.Equal(3, context.Attempts);
        var prefix = $"POST {server.BaseUri.GetLeftPart(UriPartial.Authority)}/v1/cl/x -> ";
        var attemptLines = trace.VerboseLines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, attemptLines.Count);
        Assert.Matches(@"-> 503 ServiceUnavailable in \d+ ms \(attempt 1 of 4\)$", attemptLines[0]);
        Assert.Matches(@"-> 503 ServiceUnavailable in \d+ ms \(attempt 2 of 4\)$", attemptLines[1]);
        Assert.Matches(@"-> 200 OK in \d+ ms \(attempt 3 of 4\)$", attemptLines[2]);
        Assert.Equal(2, trace.VerboseLines.Count(l => l.Contains(": retrying in ", StringComparison.Ordinal) && l.EndsWith("(backoff)", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("DO_NOT_RETRY")]
    [InlineData("RETRY_AFTER_NOTIFICATION")]
    [InlineData("do_not_retry")]
    public async Task Khipu_error_type_that_forbids_retry_is_not_retried(string type)
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 500, ScriptedServer.KhipuError(type)));
        using var client = TestClients.Create(TestClients.FastOptions());
        var context = new RequestContext(null, 4) { AppliesKhipuErrorType = true };

        using var response = await client.SendAsync(TestClients.Post(server.Url("/k"), "{}", context));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, server.RequestCount);
        Assert.Null(context.EarliestRetry);
        Assert.Contains("\"Error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Khipu_RETRY_IMMEDIATELY_on_500_is_retried()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(500, ScriptedServer.KhipuError("RETRY_IMMEDIATELY")).Enqueue(200, "{}");
        using var client = TestClients.Create(TestClients.FastOptions());

        using var response = await client.SendAsync(TestClients.Post(server.Url("/k"), "{}", new RequestContext(null, 4) { AppliesKhipuErrorType = true }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task Khipu_WAIT_4_HOURS_is_not_retried_and_sets_EarliestRetry()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 500, ScriptedServer.KhipuError("WAIT_4_HOURS_BEFORE_RETRY")));
        using var client = TestClients.Create(TestClients.FastOptions());
        var context = new RequestContext(null, 4) { AppliesKhipuErrorType = true };
        var before = DateTimeOffset.UtcNow;

        using var response = await client.SendAsync(TestClients.Post(server.Url("/k"), "{}", context));

        Assert.Equal(1, server.RequestCount);
        Assert.NotNull(context.EarliestRetry);
        Assert.InRange(context.EarliestRetry!.Value, before.AddHours(4).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(4).AddSeconds(1));
    }

    [Fact]
    public async Task Retry_After_in_seconds_overrides_backoff()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(429, "", r => r.Headers["Retry-After"] = "1").Enqueue(200, "{}");
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.SendAsync(TestClients.Get(server.Url("/r"), new RequestContext(trace, 4)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"waited only {stopwatch.Elapsed}");
        Assert.Contains(trace.VerboseLines, line => line.EndsWith(": retrying in 1.0 s (Retry-After)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_After_as_http_date_is_honoured()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = DateTimeOffset.UtcNow.AddSeconds(2).ToString("r", CultureInfo.InvariantCulture);
            return ScriptedServer.Status(ctx, 503, "");
        }).Enqueue(200, "{}");
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.SendAsync(TestClients.Get(server.Url("/r"), new RequestContext(trace, 4)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The date has one-second resolution, so the wait is between 1 and 2 s.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"waited only {stopwatch.Elapsed}");
        Assert.Contains(trace.VerboseLines, l => l.EndsWith("(Retry-After)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("past date")]
    public async Task Retry_After_asking_no_wait_keeps_the_exponential_backoff(string retryAfter)
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(ctx =>
        {
            // A server clock a minute behind ours sends a date already past.
            ctx.Response.Headers["Retry-After"] = retryAfter == "0"
                ? "0"
                : DateTimeOffset.UtcNow.AddMinutes(-1).ToString("r", CultureInfo.InvariantCulture);
            return ScriptedServer.Status(ctx, 503, "");
        }).Enqueue(200, "{}");
        var options = TestClients.FastOptions();
        options.BaseDelay = TimeSpan.FromMilliseconds(400);
        options.MaxDelay = TimeSpan.FromSeconds(1);
        options.UseJitter = false;
        using var client = TestClients.Create(options);
        var trace = new RecordingTrace();
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.SendAsync(TestClients.Get(server.Url("/r"), new RequestContext(trace, 4)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(350), $"waited only {stopwatch.Elapsed}");
        Assert.Contains(trace.VerboseLines, line => line.EndsWith(": retrying in 0.4 s (backoff)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_After_beyond_MaxRetryAfter_returns_the_response_without_waiting()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "3600";
            return ScriptedServer.Status(ctx, 429, "");
        });
        var options = TestClients.FastOptions();
        options.MaxRetryAfter = TimeSpan.FromSeconds(30);
        using var client = TestClients.Create(options);
        var trace = new RecordingTrace();
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.SendAsync(TestClients.Get(server.Url("/r"), new RequestContext(trace, 4)));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, server.RequestCount);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromHours(1), response.Headers.RetryAfter?.Delta);
        Assert.Contains(trace.VerboseLines, l => l.Contains("MaxRetryAfter", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Client_errors_are_not_retried(int status)
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, status, """{"message":"no"}"""));
        using var client = TestClients.Create(TestClients.FastOptions());

        using var response = await client.SendAsync(TestClients.Get(server.Url("/c")));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal("""{"message":"no"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dropped_connection_is_retried()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(ctx =>
        {
            ctx.Abort();
            return Task.CompletedTask;
        }).Enqueue(200, "{}");
        using var client = TestClients.Create(TestClients.FastOptions());

        using var response = await client.SendAsync(TestClients.Get(server.Url("/d")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task Connection_dropped_on_every_attempt_gives_RequestAttemptException_after_the_budget()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Abort();
            return Task.CompletedTask;
        });
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = 2;
        using var client = TestClients.Create(options);

        var ex = await Assert.ThrowsAsync<RequestAttemptException>(() => client.SendAsync(TestClients.Get(server.Url("/d?secret=none"))));

        Assert.Equal(3, server.RequestCount);
        Assert.Equal(3, ex.Attempts);
        Assert.Contains("GET ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempt_timeout_becomes_TimeoutException_naming_the_attempt_timeout_after_the_budget()
    {
        using var release = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync(async ctx =>
        {
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { });
            await ScriptedServer.Status(ctx, 200, "{}");
        });
        var options = TestClients.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetryAttempts = 1;
        using var client = TestClients.Create(options);

        var ex = await Assert.ThrowsAsync<RequestTimeoutException>(() => client.SendAsync(TestClients.Get(server.Url("/slow"))));
        release.Cancel();

        Assert.IsAssignableFrom<TimeoutException>(ex);
        Assert.Equal(RequestTimeoutKind.Attempt, ex.Kind);
        Assert.Contains("attempt timeout of 200 ms", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 attempts", ex.Message, StringComparison.Ordinal);

        // The client counted 2 attempts; on a loaded machine the second may be cut off before the server reads it.
        for (var wait = 0; wait < 40 && server.RequestCount < 2; wait++)
        {
            await Task.Delay(50);
        }

        Assert.InRange(server.RequestCount, 1, 2);
    }

    [Fact]
    public async Task Total_timeout_becomes_TimeoutException_naming_the_total_timeout()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "5";
            return ScriptedServer.Status(ctx, 503, "");
        });
        var options = TestClients.FastOptions();
        options.TotalTimeout = TimeSpan.FromMilliseconds(700);
        options.AttemptTimeout = TimeSpan.FromMilliseconds(500);
        using var client = TestClients.Create(options);

        var ex = await Assert.ThrowsAsync<RequestTimeoutException>(() => client.SendAsync(TestClients.Get(server.Url("/t"))));

        Assert.Equal(RequestTimeoutKind.Total, ex.Kind);
        Assert.Contains("total timeout of 700 ms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempt_budget_is_shared_through_the_RequestContext()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 503, ""));
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        var context = new RequestContext(trace, 2);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/b"), context));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(2, context.Attempts);
        Assert.False(context.CanAttemptAgain);
        Assert.Contains(trace.VerboseLines, l => l.EndsWith("(attempt 2 of 2)", StringComparison.Ordinal));

        // Another layer calling again with the spent budget gets exactly one more send and no retry.
        using var again = await client.SendAsync(TestClients.Get(server.Url("/b"), context));
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task Circuit_opens_after_a_burst_of_failures_and_closes_after_the_break()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 500, ""));
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = 0;
        options.CircuitBreakerMinimumThroughput = 4;
        options.CircuitBreakerFailureRatio = 0.5;
        options.CircuitBreakerSamplingDuration = TimeSpan.FromSeconds(30);
        options.CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(600);
        using var client = TestClients.Create(options);

        for (var i = 0; i < 4; i++)
        {
            using var failed = await client.SendAsync(TestClients.Get(server.Url("/cb")));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        var trace = new RecordingTrace();
        var ex = await Assert.ThrowsAsync<ServiceUnavailableException>(() => client.SendAsync(TestClients.Get(server.Url("/cb"), new RequestContext(trace, 1))));
        Assert.Equal(4, server.RequestCount);
        Assert.NotNull(ex.RetryAfter);
        Assert.Contains("paused for another", ex.Message, StringComparison.Ordinal);
        Assert.Contains(trace.VerboseLines, l => l.Contains("circuit breaker open", StringComparison.Ordinal));

        await Task.Delay(TimeSpan.FromMilliseconds(800));
        server.Enqueue(200, "{}");
        using var recovered = await client.SendAsync(TestClients.Get(server.Url("/cb")));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(5, server.RequestCount);
    }

    [Fact]
    public async Task Cancellation_during_a_retry_wait_returns_promptly_as_OperationCanceledException()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "60";
            return ScriptedServer.Status(ctx, 503, "");
        });
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        using var cts = new CancellationTokenSource();

        var send = client.SendAsync(TestClients.Get(server.Url("/w"), new RequestContext(trace, 4)), cts.Token);
        await WaitUntil(() => trace.VerboseLines.Any(l => l.Contains(": retrying in 60.0 s", StringComparison.Ordinal)));
        var stopwatch = Stopwatch.StartNew();
        cts.Cancel();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.IsNotType<RequestTimeoutException>(ex);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Cancellation_during_an_attempt_returns_promptly_as_OperationCanceledException()
    {
        using var release = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync(async ctx =>
        {
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { });
        });
        using var client = TestClients.Create(TestClients.FastOptions());
        using var cts = new CancellationTokenSource();

        var send = client.SendAsync(TestClients.Get(server.Url("/w")), cts.Token);
        await WaitUntil(() => server.RequestCount == 1);
        var stopwatch = Stopwatch.StartNew();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        release.Cancel();
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Post_body_and_headers_are_resent_identically_on_each_attempt()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(502).Enqueue(504).Enqueue(200, "{}");
        using var client = TestClients.Create(TestClients.FastOptions());
        var json = """{"RequestData":{"ClientIdentifier":"12345678-9","Texto":"ñandú €"}}""";
        using var request = TestClients.Post(server.Url("/p"), json);
        request.Headers.Add("X-Correlation", "abc");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        var expected = System.Text.Encoding.UTF8.GetBytes(json);
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal(expected, r.Body);
            Assert.Equal("abc", r.Header("X-Correlation"));
            Assert.StartsWith("application/json", r.Header("Content-Type"), StringComparison.Ordinal);
            Assert.StartsWith("EnergyData-PowerShell/", r.Header("User-Agent"), StringComparison.Ordinal);
        });
        Assert.Same(request, response.RequestMessage);
    }

    [Fact]
    public async Task Success_body_is_streamed_not_buffered()
    {
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            await ctx.Response.WriteAsync("first-part;");
            await ctx.Response.Body.FlushAsync();
            await proceed.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await ctx.Response.WriteAsync("second-part");
        });
        using var client = TestClients.Create(TestClients.FastOptions());

        using var response = await client.SendAsync(TestClients.Get(server.Url("/s")), HttpCompletionOption.ResponseHeadersRead);
        using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        // The server has not finished: had the handler buffered the body, the read above could not have completed.
        Assert.Equal("first-part;", System.Text.Encoding.UTF8.GetString(buffer, 0, read));
        proceed.SetResult();
        using var reader = new StreamReader(stream);
        Assert.Equal("second-part", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Stalled_success_body_trips_BodyIdleTimeout()
    {
        using var release = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            await ctx.Response.WriteAsync("[1,");
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { });
        });
        var options = TestClients.FastOptions();
        options.BodyIdleTimeout = TimeSpan.FromMilliseconds(300);
        using var client = TestClients.Create(options);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/stall")), HttpCompletionOption.ResponseHeadersRead);
        using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        Assert.Equal(3, await stream.ReadAsync(buffer));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RequestTimeoutException>(() => stream.ReadAsync(buffer).AsTask());
        release.Cancel();
        Assert.Equal(RequestTimeoutKind.BodyIdle, ex.Kind);
        Assert.Contains("BodyIdleTimeout", ex.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Debug_trace_shows_header_names_but_redacts_credentials()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        using var request = TestClients.Get(server.Url("/h"), new RequestContext(trace, 1));
        request.Headers.TryAddWithoutValidation("x-api-key", "super-secret-key");
        request.Headers.TryAddWithoutValidation("Cookie", "session=abc");
        request.Headers.TryAddWithoutValidation("X-Plain", "visible");

        using var response = await client.SendAsync(request);

        var all = string.Join("\n", trace.DebugLines.Concat(trace.VerboseLines));
        Assert.Contains("x-api-key: ***", all, StringComparison.Ordinal);
        Assert.Contains("Cookie: ***", all, StringComparison.Ordinal);
        Assert.Contains("X-Plain: visible", all, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-key", all, StringComparison.Ordinal);
        Assert.DoesNotContain("session=abc", all, StringComparison.Ordinal);
        Assert.DoesNotContain(trace.VerboseLines, l => l.Contains("X-Plain", StringComparison.Ordinal));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(20);
        }
    }
}
