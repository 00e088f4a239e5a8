using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Http;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Auth;

public sealed class AuthenticationTests
{
    private const string Secret = "s3cr3t-Value!";

    [Fact]
    public async Task ApiKey_is_sent_in_x_api_key()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var key = "key-123".ToSecureString();
        using var client = TestClients.Create(TestClients.FastOptions(), new ApiKeyAuthentication(key));

        using var response = await client.SendAsync(TestClients.Post(server.Url("/api"), "{}"));

        var seen = Assert.Single(server.Requests);
        Assert.Equal("key-123", seen.Header("x-api-key"));
        Assert.Null(seen.Header("Authorization"));
    }

    [Fact]
    public async Task ApiKey_header_name_is_configurable_and_survives_disposal_of_the_caller_copy()
    {
        await using var server = await ScriptedServer.StartAsync();
        var key = "key-456".ToSecureString();
        var provider = new ApiKeyAuthentication(key, "X-Other-Key");
        key.Dispose();
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        Assert.Equal("key-456", server.Requests.Single().Header("X-Other-Key"));
        Assert.Equal("ApiKey", provider.Scheme);
        Assert.False(provider.CanRefresh);
    }

    [Fact]
    public async Task Bearer_token_is_sent_in_Authorization()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var token = "eyJhbGciOi.payload.sig".ToSecureString();
        using var client = TestClients.Create(TestClients.FastOptions(), new BearerTokenAuthentication(token));

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        Assert.Equal("Bearer eyJhbGciOi.payload.sig", server.Requests.Single().Header("Authorization"));
    }

    [Fact]
    public async Task Bearer_401_is_returned_without_a_resend()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 401, ""));
        using var token = "t".ToSecureString();
        using var client = TestClients.Create(TestClients.FastOptions(), new BearerTokenAuthentication(token));

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Client_credentials_in_the_body()
    {
        await using var server = await ScriptedServer.StartAsync(TokenServer(new TokenCounter()));
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body, scope: "openid data");
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokenRequest = server.Requests.Single(r => r.Path == "/token");
        var form = Encoding.UTF8.GetString(tokenRequest.Body);
        Assert.Contains("grant_type=client_credentials", form, StringComparison.Ordinal);
        Assert.Contains("client_id=my-client", form, StringComparison.Ordinal);
        Assert.Contains("client_secret=" + Uri.EscapeDataString(Secret), form, StringComparison.Ordinal);
        Assert.Contains("scope=openid+data", form, StringComparison.Ordinal);
        Assert.Null(tokenRequest.Header("Authorization"));
        Assert.Equal("Bearer token-1", server.Requests.Single(r => r.Path == "/api").Header("Authorization"));
    }

    [Fact]
    public async Task Client_credentials_with_Basic()
    {
        await using var server = await ScriptedServer.StartAsync(TokenServer(new TokenCounter()));
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Basic);
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        var tokenRequest = server.Requests.Single(r => r.Path == "/token");
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("my-client:" + Uri.EscapeDataString(Secret)));
        Assert.Equal("Basic " + expected, tokenRequest.Header("Authorization"));
        var form = Encoding.UTF8.GetString(tokenRequest.Body);
        Assert.DoesNotContain("client_secret", form, StringComparison.Ordinal);
        Assert.DoesNotContain("client_id", form, StringComparison.Ordinal);
        Assert.Equal("Bearer token-1", server.Requests.Single(r => r.Path == "/api").Header("Authorization"));
    }

    [Fact]
    public async Task Concurrent_calls_share_one_token_request()
    {
        var counter = new TokenCounter { Delay = TimeSpan.FromMilliseconds(200) };
        await using var server = await ScriptedServer.StartAsync(TokenServer(counter));
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body);
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SendAsync(TestClients.Get(server.Url("/api")))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in responses)
        {
            r.Dispose();
        }

        Assert.Equal(1, counter.Issued);
        Assert.All(server.Requests.Where(r => r.Path == "/api"), r => Assert.Equal("Bearer token-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task Token_is_refreshed_after_expiry_minus_skew()
    {
        var counter = new TokenCounter { ExpiresIn = 300 };
        await using var server = await ScriptedServer.StartAsync(TokenServer(counter));
        using var tokenHandler = new SocketsHttpHandler();
        var clock = new ManualTimeProvider();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body, clock: clock);

        using var first = new HttpRequestMessage(HttpMethod.Get, server.Url("/api"));
        await provider.ApplyAsync(first, null, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(230));
        using var second = new HttpRequestMessage(HttpMethod.Get, server.Url("/api"));
        await provider.ApplyAsync(second, null, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(20)); // 250 s: past 300 - 60 s of skew
        using var third = new HttpRequestMessage(HttpMethod.Get, server.Url("/api"));
        await provider.ApplyAsync(third, null, CancellationToken.None);

        Assert.Equal("token-1", first.Headers.Authorization!.Parameter);
        Assert.Equal("token-1", second.Headers.Authorization!.Parameter);
        Assert.Equal("token-2", third.Headers.Authorization!.Parameter);
        Assert.Equal(2, counter.Issued);
    }

    [Fact]
    public async Task Unauthorized_triggers_one_refresh_and_one_resend()
    {
        var counter = new TokenCounter();
        var apiCalls = 0;
        await using var server = await ScriptedServer.StartAsync(ctx =>
        {
            if (ctx.Request.Path == "/token")
            {
                return TokenServer(counter)(ctx);
            }

            // The first token is "expired" server-side; the second is accepted.
            Interlocked.Increment(ref apiCalls);
            var ok = ctx.Request.Headers.Authorization.ToString() == "Bearer token-2";
            return ScriptedServer.Status(ctx, ok ? 200 : 401, "");
        });
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body);
        using var client = TestClients.Create(TestClients.FastOptions(), provider);
        var trace = new RecordingTrace();

        using var response = await client.SendAsync(TestClients.Post(server.Url("/api"), """{"a":1}""", new RequestContext(trace, 4)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, counter.Issued);
        Assert.Equal(2, apiCalls);
        Assert.All(server.Requests.Where(r => r.Path == "/api"), r => Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(r.Body)));
        Assert.Contains(trace.VerboseLines, l => l.Contains("401 Unauthorized: refreshing the ClientCredentials token and resending once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Persistent_401_is_resent_only_once()
    {
        var counter = new TokenCounter();
        await using var server = await ScriptedServer.StartAsync(ctx =>
            ctx.Request.Path == "/token" ? TokenServer(counter)(ctx) : ScriptedServer.Status(ctx, 401, ""));
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body);
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        using var response = await client.SendAsync(TestClients.Get(server.Url("/api")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/api"));
        Assert.Equal(2, counter.Issued);
    }

    [Fact]
    public async Task Rejected_client_gives_AuthenticationException_without_the_secret()
    {
        await using var server = await ScriptedServer.StartAsync(ctx =>
            ScriptedServer.Status(ctx, 401, $$"""{"error":"invalid_client","error_description":"bad secret {{Secret}}"}"""));
        using var tokenHandler = new SocketsHttpHandler();
        using var provider = CreateProvider(server, tokenHandler, ClientAuthenticationMethod.Body);
        using var client = TestClients.Create(TestClients.FastOptions(), provider);

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => client.SendAsync(TestClients.Get(server.Url("/api"))));

        Assert.True(ex.IsTerminating);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal("invalid_client", ex.ErrorCode);
        Assert.Contains("HTTP 401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_client", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(Secret), ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public void SecureString_round_trips()
    {
        using var secure = "päss wörd".ToSecureString();
        Assert.True(secure.IsReadOnly());
        Assert.Equal("päss wörd", secure.ToPlainText());
    }

    private static ClientCredentialsAuthentication CreateProvider(
        ScriptedServer server,
        HttpMessageHandler tokenHandler,
        ClientAuthenticationMethod method,
        string? scope = null,
        TimeProvider? clock = null)
    {
        using var secret = Secret.ToSecureString();
        return new ClientCredentialsAuthentication(
            server.Url("/token"),
            "my-client",
            secret,
            scope,
            new ClientCredentialsOptions { ClientAuthentication = method },
            tokenHandler,
            clock);
    }

    private static Func<HttpContext, Task> TokenServer(TokenCounter counter) => async ctx =>
    {
        if (ctx.Request.Path != "/token")
        {
            await ScriptedServer.Status(ctx, 200, "{}");
            return;
        }

        var n = Interlocked.Increment(ref counter.IssuedField);
        await Task.Delay(counter.Delay);
        await ScriptedServer.Status(ctx, 200, $$"""{"access_token":"token-{{n}}","token_type":"Bearer","expires_in":{{counter.ExpiresIn}}}""");
    };

    private sealed class TokenCounter
    {
        public int IssuedField;

        public int Issued => Volatile.Read(ref IssuedField);

        public TimeSpan Delay { get; init; } = TimeSpan.Zero;

        public int ExpiresIn { get; init; } = 3600;
    }
}
