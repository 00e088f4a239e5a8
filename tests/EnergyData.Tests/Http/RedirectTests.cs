using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Errors;
using EnergyData.Http;
using EnergyData.Tests.Neu;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Http;

/// <summary>
/// Redirects are followed below the authentication layer, so the re-sent request keeps its credential, and only to
/// the same origin. The servers are real Kestrel servers that redirect the way FastAPI/Starlette does
/// (<c>/accounts</c> to <c>/accounts/</c> with 307) and refuse a request without the credential.
/// </summary>
public sealed class RedirectTests
{
    private const string NeuToken = "neu-redirect-token";
    private const string KhipuKey = "khipu-redirect-key";
    private const string KhipuOk = """{"OperationId":"op-1","Status":"OK","Data":{"Value":1}}""";

    [Fact]
    public async Task A_NEU_request_redirected_to_the_trailing_slash_keeps_the_token()
    {
        await using var server = await ScriptedServer.StartAsync(SlashRedirecting("Authorization", "Bearer " + NeuToken, """[{"id_account":41,"account_name":"Casa","services":[]}]"""));
        using var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            NeuBaseUri = server.BaseUri,
            NeuToken = NeuToken.ToSecureString(),
            NeuRoutes = new Dictionary<string, string?> { ["Accounts"] = "GET accounts" },
        });
        var trace = new RecordingTrace();

        var accounts = await connection.GetNeuClient().GetAccountsAsync(null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(41, Assert.Single(accounts).Account.AccountId);
        Assert.Equal(new[] { "/accounts", "/accounts/" }, server.Requests.Select(r => r.Path));
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + NeuToken, r.Header("Authorization")));
        Assert.Contains(trace.VerboseLines, line => line.Contains("307 redirect to " + server.BaseUri.AbsoluteUri + "accounts/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Khipu_POST_redirected_with_307_keeps_method_body_and_api_key_and_counts_as_one_attempt()
    {
        await using var server = await ScriptedServer.StartAsync(SlashRedirecting("x-api-key", KhipuKey, KhipuOk));
        using var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuApiKey = KhipuKey.ToSecureString(),
            Resilience = TestClients.FastOptions(),
        });

        var response = await connection.GetKhipuClient().InvokeAsync("v1/cl/services/example.cl/data", new Dictionary<string, object?> { ["ClientIdentifier"] = "123" }, null, CancellationToken.None);

        Assert.Equal("OK", response.Status);
        Assert.Equal(1, response.Attempts);
        var (first, second) = (server.Requests[0], server.Requests[1]);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal("/v1/cl/services/example.cl/data/", second.Path);
        Assert.Equal("POST", second.Method);
        Assert.Equal(KhipuKey, second.Header("x-api-key"));
        Assert.Equal(Encoding.UTF8.GetString(first.Body), Encoding.UTF8.GetString(second.Body));
        Assert.Contains("123", Encoding.UTF8.GetString(second.Body), StringComparison.Ordinal);
        Assert.StartsWith("application/json", second.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirected_client_credentials_token_request_keeps_basic_authentication()
    {
        const string ClientSecret = "redirect-client-secret";
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("client-1:" + ClientSecret));
        await using var server = await ScriptedServer.StartAsync(ctx => ctx.Request.Path.Value switch
        {
            "/token" => Redirect(ctx, 307, "/token/"),
            "/token/" => ctx.Request.Headers.Authorization == basic
                ? ScriptedServer.Status(ctx, 200, """{"access_token":"issued-1","token_type":"Bearer","expires_in":3600}""")
                : ScriptedServer.Status(ctx, 401, """{"error":"invalid_client"}"""),
            _ => ctx.Request.Headers.Authorization == "Bearer issued-1"
                ? ScriptedServer.Status(ctx, 200, KhipuOk)
                : ScriptedServer.Status(ctx, 401, string.Empty),
        });
        using var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuClientId = "client-1",
            KhipuClientSecret = ClientSecret.ToSecureString(),
            KhipuTokenUri = server.Url("/token"),
            KhipuClientAuthentication = ClientAuthenticationMethod.Basic,
            Resilience = TestClients.FastOptions(),
        });

        var response = await connection.GetKhipuClient().InvokeAsync("v1/cl/services/example.cl/data", null, null, CancellationToken.None);

        Assert.Equal("OK", response.Status);
        Assert.Equal(new[] { "/token", "/token/", "/v1/cl/services/example.cl/data" }, server.Requests.Select(r => r.Path));
    }

    [Theory]
    [InlineData(303, "POST", "GET", false)]
    [InlineData(302, "POST", "GET", false)]
    [InlineData(301, "POST", "GET", false)]
    [InlineData(303, "PUT", "GET", false)]
    [InlineData(307, "POST", "POST", true)]
    [InlineData(308, "POST", "POST", true)]
    [InlineData(302, "PUT", "PUT", true)]
    [InlineData(301, "GET", "GET", false)]
    public async Task The_method_and_body_of_the_next_hop_follow_the_usual_rules(int status, string method, string expectedMethod, bool bodyKept)
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ctx.Request.Path == "/start"
            ? Redirect(ctx, status, "/end")
            : ScriptedServer.Status(ctx, 200, "{}"));
        using var token = "bearer-value".ToSecureString();
        using var client = TestClients.Create(TestClients.FastOptions(), new BearerTokenAuthentication(token));
        using var request = new HttpRequestMessage(new HttpMethod(method), server.Url("/start"));
        if (method != "GET")
        {
            request.Content = new StringContent("""{"a":1}""", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = server.Requests[1];
        Assert.Equal("/end", next.Path);
        Assert.Equal(expectedMethod, next.Method);
        Assert.Equal(bodyKept ? """{"a":1}""" : string.Empty, Encoding.UTF8.GetString(next.Body));
        Assert.Equal(bodyKept ? "application/json; charset=utf-8" : null, next.Header("Content-Type"));
        Assert.Equal("Bearer bearer-value", next.Header("Authorization"));
    }

    [Fact]
    public async Task A_redirect_to_another_origin_is_refused_without_sending_the_credential_or_retrying()
    {
        await using var elsewhere = await ScriptedServer.StartAsync();
        var target = elsewhere.Url("/collect?token=query-secret-value");
        await using var server = await ScriptedServer.StartAsync(ctx => Redirect(ctx, 307, target.AbsoluteUri));
        using var key = KhipuKey.ToSecureString();
        using var client = TestClients.Create(TestClients.FastOptions(), new ApiKeyAuthentication(key));

        var error = await Assert.ThrowsAsync<RedirectRefusedException>(() => client.SendAsync(TestClients.Post(server.Url("/api?id=1"), "{}")));

        Assert.Equal(0, elsewhere.RequestCount);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(elsewhere.BaseUri.AbsoluteUri + "collect?...", error.Location);
        Assert.Contains(elsewhere.BaseUri.AbsoluteUri + "collect", error.Message, StringComparison.Ordinal);
        Assert.Contains("another origin", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("query-secret-value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("id=1", error.Message, StringComparison.Ordinal);
        var mapped = ErrorMapper.FromException(error, "input");
        Assert.Equal("RedirectRefused", mapped.ErrorId);
        Assert.False(mapped.IsTerminating);
    }

    [Fact]
    public async Task A_redirect_to_another_port_or_scheme_of_the_same_host_is_another_origin()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => Redirect(ctx, 301, "https://" + ctx.Request.Host + "/secure"));
        using var client = TestClients.Create(TestClients.FastOptions());

        var error = await Assert.ThrowsAsync<RedirectRefusedException>(() => client.SendAsync(TestClients.Get(server.Url("/plain"))));

        Assert.Equal(1, server.RequestCount);
        Assert.StartsWith("https://", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_the_hop_limit_with_an_error_naming_the_last_location()
    {
        var hop = 0;
        await using var server = await ScriptedServer.StartAsync(ctx => Redirect(ctx, 302, "/loop/" + Interlocked.Increment(ref hop)));
        using var client = TestClients.Create(TestClients.FastOptions());

        var error = await Assert.ThrowsAsync<RedirectRefusedException>(() => client.SendAsync(TestClients.Get(server.Url("/loop/0"))));

        Assert.Equal(1 + RedirectHandler.MaxRedirects, server.RequestCount);
        Assert.Contains($"more than {RedirectHandler.MaxRedirects} times", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("/loop/" + (RedirectHandler.MaxRedirects + 1), error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_hop_is_shown_at_verbose_and_the_chain_is_one_attempt()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ctx.Request.Path.Value switch
        {
            "/a" => Redirect(ctx, 308, "/b?sig=hop-secret"),
            "/b" => Redirect(ctx, 307, "c"),
            _ => ScriptedServer.Status(ctx, 200, "{}"),
        });
        using var client = TestClients.Create(TestClients.FastOptions());
        var trace = new RecordingTrace();
        var context = new RequestContext(trace, 4);

        using var response = await client.SendAsync(TestClients.Post(server.Url("/a"), "{}", context));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { "/a", "/b", "/c" }, server.Requests.Select(r => r.Path));
        Assert.Equal(1, context.Attempts);
        var hops = trace.VerboseLines.Where(line => line.Contains(" redirect to ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, hops.Count);
        Assert.Contains("308 redirect to " + server.Url("/b").AbsoluteUri + "?...", hops[0], StringComparison.Ordinal);
        Assert.Contains("(redirect 1 of at most 5)", hops[0], StringComparison.Ordinal);
        Assert.Contains("307 redirect to " + server.Url("/c").AbsoluteUri, hops[1], StringComparison.Ordinal);
        Assert.DoesNotContain(trace.VerboseLines, line => line.Contains("hop-secret", StringComparison.Ordinal));
        Assert.Contains(trace.VerboseLines, line => line.Contains("(attempt 1 of 4)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_module_transport_follows_no_redirects_itself()
    {
        using var transport = EnergyDataHttpClientFactory.CreateTransport();

        Assert.False(transport.AllowAutoRedirect);
    }

    /// <summary>FastAPI/Starlette's behaviour: a path without its trailing slash is 307-redirected to the one with it.</summary>
    private static Func<HttpContext, Task> SlashRedirecting(string header, string expected, string body) => ctx =>
    {
        var path = ctx.Request.Path.Value!;
        if (!path.EndsWith('/'))
        {
            return Redirect(ctx, 307, path + "/" + ctx.Request.QueryString);
        }

        return ctx.Request.Headers[header] == expected
            ? ScriptedServer.Status(ctx, 200, body)
            : ScriptedServer.Status(ctx, 401, """{"detail":"Not authenticated"}""");
    };

    private static Task Redirect(HttpContext ctx, int status, string location)
    {
        ctx.Response.Headers.Location = location;
        return ScriptedServer.Status(ctx, status, string.Empty);
    }
}
