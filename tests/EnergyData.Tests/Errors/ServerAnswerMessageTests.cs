using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Errors;
using EnergyData.Khipu;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using EnergyData.Tests.Neu;
using Xunit;

namespace EnergyData.Tests.Errors;

/// <summary>
/// What an error says about a server's failed answer, as a user reads it in the error record: the server's own text
/// and the module's advice after it.
/// </summary>
public sealed class ServerAnswerMessageTests
{
    [Fact]
    public async Task A_NEU_401_whose_text_has_no_final_stop_ends_that_sentence_before_the_advice()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 401, """{"detail":"Token invalido o expirado"}"""));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default, "opaque-token".ToSecureString());

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.Contains("Token invalido o expirado. Check -NeuToken", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"detail":"throttled"}""", "). throttled.")]
    [InlineData("""{"detail":"Demasiadas solicitudes!"}""", "). Demasiadas solicitudes!")]
    [InlineData("plain text (no JSON.)", "). plain text (no JSON.)")]
    public async Task A_NEU_error_ends_the_servers_text_as_a_sentence_without_doubling_its_stop(string body, string expectedEnd)
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 409, body));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default);

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.EndsWith(expectedEnd, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("¿Reintentar más tarde?", ": ¿Reintentar más tarde? OperationId op-7.")]
    [InlineData("Fuente caída", ": Fuente caída. OperationId op-7.")]
    [InlineData("Fuente caída.", ": Fuente caída. OperationId op-7.")]
    public void A_Khipu_description_ends_its_sentence_once_before_what_follows(string description, string expectedEnd)
    {
        var error = KhipuException.Create(HttpStatusCode.BadRequest, null, "op-7", new KhipuError { Code = "E999", Description = description }, null, 1, null, null, null);

        Assert.EndsWith(expectedEnd, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_NEU_501_is_sent_once_and_its_advice_says_the_status_is_not_retried()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 501, """{"detail":"not implemented"}"""));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default);

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());
        var action = ErrorMapper.FromException(error, null).RecommendedAction;

        Assert.Equal(1, server.RequestCount);
        Assert.Equal(1, error.Attempts);
        Assert.Equal("NEU failed with HTTP 501, a status the module does not retry: the server does not implement the request as it was sent. Check the route or the service path (Get-NeuRoute and the NeuRoute parameter of Connect-EnergyData; Invoke-KhipuRequest -Path, Invoke-NeuRequest -Path) rather than run it again as it is.", action);
    }

    [Theory]
    [InlineData(3, 4, "NEU failed or is unavailable for now (after 4 attempts): run the command again for this input later.")]
    [InlineData(0, 1, "NEU failed or is unavailable for now (sent once, not retried): run the command again for this input later.")]
    public async Task A_NEU_503_says_how_many_attempts_it_had(int retries, int attempts, string expected)
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 503, """{"detail":"maintenance"}"""));
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = retries;
        using var http = TestClients.Create(options);
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default, options: new NeuClientOptions { MaxAttempts = retries + 1 });

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(attempts, server.RequestCount);
        Assert.Equal(expected, ErrorMapper.FromException(error, null).RecommendedAction);
    }

    [Fact]
    public async Task A_Khipu_501_is_sent_once_and_its_advice_says_the_status_is_not_retried()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 501, string.Empty));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new KhipuClient(http, server.BaseUri, new KhipuClientOptions { MaxAttempts = 4 });

        var error = await Assert.ThrowsAsync<KhipuException>(() => client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal(1, server.RequestCount);
        Assert.Equal("Khipu failed with HTTP 501, a status the module does not retry: the server does not implement the request as it was sent. Check the route or the service path (Get-NeuRoute and the NeuRoute parameter of Connect-EnergyData; Invoke-KhipuRequest -Path, Invoke-NeuRequest -Path) rather than run it again as it is.", ErrorMapper.FromException(error, null).RecommendedAction);
    }

    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The tester's case: a 429 asking for 900 seconds, more than the module waits, is not retried; the error, not only
    /// -Verbose, says how long NEU asked to wait and until when, and a script can read it from the exception.
    /// </summary>
    [Theory]
    [InlineData(1, "900")]
    [InlineData(0, "Thu, 15 Jan 2026 12:15:00 GMT")]
    public async Task A_NEU_429_tells_how_long_the_server_asked_to_wait_in_seconds_or_as_a_date(int retries, string retryAfter)
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = retryAfter;
            return ScriptedServer.Status(ctx, 429, """{"detail":"Request was throttled. Expected available in 900 seconds."}""");
        });
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = retries;
        using var http = TestClients.Create(options);
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default, options: new NeuClientOptions { MaxAttempts = retries + 1, Now = () => Now });

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(1, server.RequestCount);
        Assert.Equal(TimeSpan.FromMinutes(15), error.RetryAfter);
        Assert.Equal(Now.AddMinutes(15), error.EarliestRetry);
        Assert.EndsWith("Expected available in 900 seconds. NEU asked to wait 15 minutes (until 2026-01-15 12:15:00Z) before trying again.", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            "NEU is limiting requests (sent once, not retried) and asked to wait 15 minutes (until 2026-01-15 12:15:00Z) before trying again: run the command again for this input after that (a lower -ThrottleLimit sends fewer at once).",
            ErrorMapper.FromException(error, null).RecommendedAction);
    }

    [Fact]
    public async Task A_Retry_After_within_the_limit_is_still_waited_for_and_the_last_answers_wait_is_told()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "1";
            return ScriptedServer.Status(ctx, 503, """{"detail":"maintenance"}""");
        });
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = 1;
        using var http = TestClients.Create(options);
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default, options: new NeuClientOptions { MaxAttempts = 2, Now = () => Now });
        var started = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(2, server.RequestCount);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9), "the Retry-After of 1 second was not waited for");
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        Assert.Equal(
            "NEU failed or is unavailable for now (after 2 attempts) and asked to wait 1 second (until 2026-01-15 12:00:01Z) before trying again: run the command again for this input after that.",
            ErrorMapper.FromException(error, null).RecommendedAction);
    }

    [Fact]
    public async Task A_Retry_After_of_zero_asks_for_no_wait()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "0";
            return ScriptedServer.Status(ctx, 429, """{"detail":"throttled"}""");
        });
        var options = TestClients.FastOptions();
        options.MaxRetryAttempts = 0;
        using var http = TestClients.Create(options);
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default, options: new NeuClientOptions { MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync());

        Assert.Null(error.RetryAfter);
        Assert.Null(error.EarliestRetry);
        Assert.DoesNotContain("asked to wait", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("NEU is limiting requests (sent once, not retried): wait, then run", ErrorMapper.FromException(error, null).RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Khipu_503_tells_how_long_the_server_asked_to_wait()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            ctx.Response.Headers["Retry-After"] = "900";
            return ScriptedServer.Status(ctx, 503, string.Empty);
        });
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new KhipuClient(http, server.BaseUri, new KhipuClientOptions { MaxAttempts = 4 });
        var before = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<KhipuException>(() => client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal(1, server.RequestCount);
        Assert.Equal(TimeSpan.FromMinutes(15), error.RetryAfter);
        Assert.InRange(error.EarliestRetry!.Value, before.AddMinutes(15), DateTimeOffset.UtcNow.AddMinutes(15));
        var until = error.EarliestRetry.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(" Khipu asked to wait 15 minutes (until " + until + ") before trying again.", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            "Khipu failed or is unavailable for now (sent once, not retried) and asked to wait 15 minutes (until " + until + ") before trying again: run the command again for this input after that.",
            ErrorMapper.FromException(error, null).RecommendedAction);
    }

    [Theory]
    [InlineData("Token invalido o expirado", "Token invalido o expirado.")]
    [InlineData("Done.", "Done.")]
    [InlineData("Why? ", "Why?")]
    [InlineData("Stop!", "Stop!")]
    [InlineData("\"Quoted.\"", "\"Quoted.\"")]
    [InlineData("(see the log)", "(see the log).")]
    [InlineData("", "")]
    public void A_text_ends_as_a_sentence(string text, string expected)
    {
        Assert.Equal(expected, MessageText.EndSentence(text));
    }
}
