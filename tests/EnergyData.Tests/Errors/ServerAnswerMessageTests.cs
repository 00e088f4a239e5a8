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
        var error = KhipuException.Create(HttpStatusCode.BadRequest, null, "op-7", new KhipuError { Code = "E999", Description = description }, null, 1, null);

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
        Assert.Equal("NEU failed with HTTP 501, a status the module does not retry: run the command again for this input later.", action);
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
        Assert.Equal("Khipu failed with HTTP 501, a status the module does not retry: run the command again for this input later.", ErrorMapper.FromException(error, null).RecommendedAction);
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
