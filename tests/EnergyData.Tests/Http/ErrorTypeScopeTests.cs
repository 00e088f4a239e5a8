using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Neu;
using EnergyData.Tests.Neu;
using Xunit;

namespace EnergyData.Tests.Http;

/// <summary>
/// Khipu's Error.Type (DO_NOT_RETRY, RETRY_IMMEDIATELY, ...) is a contract of Khipu's alone: it decides the retries of
/// Khipu's calls, and a NEU answer carrying a body of the same shape is retried by its HTTP status, and traced without
/// a word about Khipu.
/// </summary>
public sealed class ErrorTypeScopeTests
{
    private const string DoNotRetry503 = "DO_NOT_RETRY";

    [Fact]
    public async Task A_NEU_503_with_a_Khipu_shaped_DO_NOT_RETRY_body_is_still_retried()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(503, ScriptedServer.KhipuError(DoNotRetry503, "E503"))
            .Enqueue(200, """[{"id_account":41,"account_name":"Cuenta Norte","services":[]}]""");
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default);
        var trace = new RecordingTrace();

        var accounts = await client.GetAccountsAsync(null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(41L, Assert.Single(accounts).Account.AccountId);
        Assert.Equal(2, server.RequestCount);
        var attempts = trace.VerboseLines.Where(line => line.Contains(" -> ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.EndsWith("(attempt 1 of 4)", attempts[0], StringComparison.Ordinal);
        Assert.DoesNotContain(trace.VerboseLines.Concat(trace.DebugLines), line => line.Contains("Khipu", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Every_attempt_of_a_NEU_503_with_a_Khipu_shaped_body_is_made()
    {
        // Every attempt fails with the same body: all four attempts are made, as for any 503.
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 503, ScriptedServer.KhipuError(DoNotRetry503, "E503")));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new NeuClient(http, server.Url("/neu/"), NeuRouteTable.Default);

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetAccountsAsync(null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(4, server.RequestCount);
    }

    [Fact]
    public async Task A_Khipu_503_with_DO_NOT_RETRY_is_sent_once_and_traced_with_its_type()
    {
        await using var server = await ScriptedServer.StartAsync(ctx => ScriptedServer.Status(ctx, 503, ScriptedServer.KhipuError(DoNotRetry503, "E301")));
        using var http = TestClients.Create(TestClients.FastOptions());
        var client = new KhipuClient(http, server.BaseUri, new KhipuClientOptions { MaxAttempts = 4 });
        var trace = new RecordingTrace();

        var error = await Assert.ThrowsAsync<KhipuException>(() => client.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None));

        Assert.Equal(KhipuErrorType.DoNotRetry, error.ErrorType);
        Assert.Equal(1, server.RequestCount);
        Assert.Contains(trace.VerboseLines, line => line.Contains("-> 503 ServiceUnavailable", StringComparison.Ordinal) && line.EndsWith("Khipu error type DoNotRetry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_without_a_context_is_retried_by_its_status_alone()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(503, ScriptedServer.KhipuError(DoNotRetry503)).Enqueue(200, "{}");
        using var http = TestClients.Create(TestClients.FastOptions());

        using var response = await http.SendAsync(TestClients.Get(server.Url("/x")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.RequestCount);
    }
}
