using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Neu;
using EnergyData.Pipeline;
using EnergyData.Tests.Http;
using EnergyData.Tests.Pipeline;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// Get-NeuNeuget and Get-NeuNeugetPayment without -AccountId ask every account in turn: one account's HTTP failure is
/// a non-terminating error for that account and the others are still asked; cancellation and a refused token stop all.
/// </summary>
public sealed class NeuPerAccountFailureTests
{
    private const string Accounts = """[{"id_account":41,"account_name":"A"},{"id_account":42,"account_name":"B"},{"id_account":43,"account_name":"C"}]""";

    [Theory]
    [InlineData(404, "Neu.Http404", 1)]
    [InlineData(503, "Neu.Http503", 3)]
    public async Task One_account_failing_is_an_error_for_that_account_and_the_others_are_still_asked(int status, string errorId, int requestsForTheFailingAccount)
    {
        await using var server = await ScriptedServer.StartAsync(Neugets(ctx => ScriptedServer.Status(ctx, status, """{"detail":"scripted"}""")));
        using var connection = Connect(server);
        var context = new RecordingContext { RecordErrors = true };

        var rows = await connection.GetNeuClient().GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync();

        Assert.Equal(new long?[] { 41, 43 }, rows.Select(row => row.AccountId));
        var error = Assert.Single(context.Errors);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(42L, error.Target);
        Assert.False(error.IsTerminating);
        Assert.StartsWith("Account 42: NEU answered " + status, error.Message, StringComparison.Ordinal);
        Assert.Equal(requestsForTheFailingAccount, server.Requests.Count(r => r.Path == "/neugets/42/"));
        Assert.Contains(context.VerboseLines, line => line.Contains("the other accounts are still asked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Neuget_payments_continue_past_a_failing_account_too()
    {
        await using var server = await ScriptedServer.StartAsync(Neugets(ctx => ScriptedServer.Status(ctx, 500, "oops"), prefix: "/neugets/bills/"));
        using var connection = Connect(server);
        var context = new RecordingContext { RecordErrors = true };

        var rows = await connection.GetNeuClient().GetNeugetPaymentsAsync(null, context, CancellationToken.None).ToListAsync();

        Assert.Equal(new long?[] { 41, 43 }, rows.Select(row => row.AccountId));
        Assert.Equal("Neu.Http500", Assert.Single(context.Errors).ErrorId);
    }

    [Fact]
    public async Task Through_the_pump_the_failure_is_a_non_terminating_error_between_the_rows_of_the_others()
    {
        await using var server = await ScriptedServer.StartAsync(Neugets(ctx => ScriptedServer.Status(ctx, 404, string.Empty)));
        using var connection = Connect(server);
        var sink = new RecordingSink();
        using (var pump = new OperationPump(sink, new PumpOptions(), CancellationToken.None))
        {
            pump.Submit(null, context => context.WriteAllAsync(connection.GetNeuClient().GetNeugetsAsync(null, context, context.CancellationToken)));
            pump.Complete();
        }

        Assert.Equal(new long?[] { 41, 43 }, sink.Objects.Cast<NeuNeuget>().Select(row => row.AccountId));
        var error = Assert.Single(sink.Errors);
        Assert.Equal("Neu.Http404", error.ErrorId);
        Assert.Equal(42L, error.Target);
    }

    [Fact]
    public async Task A_refused_token_for_one_account_stops_every_account()
    {
        await using var server = await ScriptedServer.StartAsync(Neugets(ctx => ScriptedServer.Status(ctx, 401, string.Empty)));
        using var connection = Connect(server);
        var context = new RecordingContext { RecordErrors = true };

        await Assert.ThrowsAsync<AuthenticationException>(() => connection.GetNeuClient().GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync());

        Assert.Empty(context.Errors);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/neugets/43/");
    }

    [Fact]
    public async Task Cancellation_while_one_account_is_asked_stops_every_account()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(Neugets(async ctx =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }));
        using var connection = Connect(server);
        var context = new RecordingContext { RecordErrors = true };
        using var cancellation = new CancellationTokenSource();

        var reading = connection.GetNeuClient().GetNeugetsAsync(null, context, cancellation.Token).ToListAsync();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Empty(context.Errors);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/neugets/43/");
    }

    /// <summary>Three accounts; 41 and 43 have one neuget row each, 42 answers with <paramref name="failing"/>.</summary>
    private static Func<HttpContext, Task> Neugets(Func<HttpContext, Task> failing, string prefix = "/neugets/") => ctx =>
    {
        var path = ctx.Request.Path.Value!;
        if (path == "/accounts/")
        {
            return ScriptedServer.Status(ctx, 200, Accounts);
        }

        if (path == prefix + "42/")
        {
            return failing(ctx);
        }

        var id = path.StartsWith(prefix, StringComparison.Ordinal) ? path.Substring(prefix.Length).TrimEnd('/') : "0";
        return ScriptedServer.Status(ctx, 200, $$"""[{"id_account":{{id}},"id_bill":9,"date":"2024-01-01T00:00:00","value":5}]""");
    };

    private static EnergyDataConnection Connect(ScriptedServer server)
    {
        var settings = new ConnectionSettings { NeuBaseUri = server.BaseUri, NeuToken = "opaque-neu-token".ToSecureString() };
        settings.Resilience.MaxRetryAttempts = 2;
        settings.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
        settings.Resilience.UseJitter = false;
        return EnergyDataConnection.Create(settings);
    }
}
