using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>Route overrides, the token check and input validation, against the emulator.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuSessionTests
{
    private readonly EmulatorServer server;

    public NeuSessionTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task An_overridden_route_is_the_one_called()
    {
        using var connection = NeuTestConnection.Create(server, routes: new Dictionary<string, string?> { ["Accounts"] = "GET /v2/accounts" });

        var accounts = await connection.GetNeuClient().GetAccountsAsync(null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(2, accounts.Count);
        Assert.Equal(1, server.State.Counters.For("neu/v2/accounts"));
        Assert.Equal(0, server.State.Counters.For("neu/accounts/"));
        Assert.Equal("Override", connection.GetNeuRoutes().Describe().Single(route => route.Name == "Accounts").Source);
        Assert.Equal(1, connection.NeuRouteOverrides);
    }

    [Fact]
    public async Task An_account_id_can_be_sent_in_the_query()
    {
        using var connection = NeuTestConnection.Create(server, routes: new Dictionary<string, string?> { ["Account"] = "GET accounts/?id={id}" });

        var accounts = await connection.GetNeuClient().GetAccountsAsync(42, null, CancellationToken.None).ToListAsync();

        Assert.Equal("Cuenta Sur", Assert.Single(accounts).Account.AccountName);
        Assert.Equal("/neu/accounts/?id=42", server.State.Neu.LastPath);
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer {0}")]
    [InlineData("  BEARER \t {0} \r\n")]
    [InlineData("\t{0}\n")]
    public async Task A_token_pasted_with_whitespace_or_a_Bearer_prefix_is_sent_as_the_bare_token(string pasted)
    {
        var token = server.State.Options.NeuToken;
        using var connection = NeuTestConnection.Create(server, token: string.Format(System.Globalization.CultureInfo.InvariantCulture, pasted, token));
        var context = new RecordingContext();

        var overdue = await connection.GetNeuClient().GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync();

        Assert.Equal(3, overdue.Count);
        Assert.Equal(NeuTokenState.Valid, connection.GetNeuClient().GetTokenStatus()!.State);
        Assert.All(context.AllText, text => Assert.DoesNotContain(token, text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData(" bearer  ")]
    [InlineData("   ")]
    public void A_token_that_is_only_the_scheme_or_whitespace_is_refused_as_empty(string pasted)
    {
        var settings = new ConnectionSettings { NeuToken = pasted.ToSecureString() };

        var error = Assert.Throws<ParameterValidationException>(settings.Validate);

        Assert.Equal("NeuToken", error.ParamName);
        Assert.Contains("must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_that_merely_starts_with_Bearer_is_kept_whole()
    {
        var settings = new ConnectionSettings { NeuToken = "BearerLikeToken".ToSecureString() };

        settings.Validate();

        Assert.Equal("BearerLikeToken", settings.NeuToken!.ToPlainText());
    }

    [Fact]
    public async Task The_confirmed_consumption_route_can_be_moved_too()
    {
        using var connection = NeuTestConnection.Create(server, routes: new Dictionary<string, string?> { ["Consumption"] = "POST v2/data/consumption" });
        var query = new NeuConsumptionQuery { AccountId = 42, Interval = NeuInterval.Monthly, From = new DateTime(2021, 1, 1), To = new DateTime(2021, 7, 1) };

        var rows = await connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync();

        Assert.Equal(6, rows.Count);
        Assert.Equal(1, server.State.Counters.For("neu/v2/data/consumption"));
        Assert.Equal(0, server.State.Counters.For("neu/data/consumption"));
    }

    [Fact]
    public async Task A_route_moved_where_nothing_answers_fails_with_404_naming_the_route()
    {
        using var connection = NeuTestConnection.Create(server, routes: new Dictionary<string, string?> { ["BillsOverdue"] = "GET bills/mora/" });

        var error = await Assert.ThrowsAsync<NeuException>(() => connection.GetNeuClient().GetBillsOverdueAsync(null, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("GET bills/mora/", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.For("neu/bills/mora/"));
    }

    [Fact]
    public void A_malformed_override_fails_the_connection_before_any_request()
    {
        var error = Assert.Throws<ParameterValidationException>(() => NeuTestConnection.Create(server, routes: new Dictionary<string, string?> { ["Notifications"] = "POST notifications/" }));

        Assert.Equal("NeuRoute", error.ParamName);
        Assert.Contains("{page}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_wrong_token_is_an_authentication_error_and_is_not_retried()
    {
        using var connection = NeuTestConnection.Create(server, token: EmulatorTokens.CreateJwt("someone-else", DateTimeOffset.UtcNow.AddDays(5)));

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => connection.GetNeuClient().GetBillsOverdueAsync(null, CancellationToken.None).ToListAsync());

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("-NeuToken", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task An_expired_token_warns_once_is_still_sent_and_the_401_names_its_expiry()
    {
        var token = server.State.UseExpiredNeuToken();
        using var connection = NeuTestConnection.Create(server, token: token);
        var client = connection.GetNeuClient();
        var context = new RecordingContext();

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync());
        var again = await Assert.ThrowsAsync<AuthenticationException>(() => client.GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync());

        var warning = Assert.Single(context.Warnings);
        Assert.Contains("expired", warning, StringComparison.Ordinal);
        Assert.Contains("sent anyway", warning, StringComparison.Ordinal);
        Assert.Contains(context.VerboseLines, line => line.Contains("expired at", StringComparison.Ordinal));
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("expired at", error.Message, StringComparison.Ordinal);
        Assert.Contains("expired at", again.Message, StringComparison.Ordinal);
        Assert.True(EnergyData.Errors.ErrorMapper.FromException(error, null).IsTerminating);
        Assert.Equal(2, server.State.Counters.Total);
        Assert.All(context.AllText.Append(error.Message), text => Assert.DoesNotContain(token, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_accepts_a_token_whose_exp_has_passed_is_answered_normally()
    {
        // A server built from NEU's document, which says nothing about expiry, may accept a static sample JWT.
        var token = EmulatorTokens.CreateJwt("sample", new DateTimeOffset(2021, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var sample = await Http.ScriptedServer.StartAsync(ctx => ctx.Request.Headers.Authorization == "Bearer " + token
            ? Http.ScriptedServer.Status(ctx, 200, """[{"id_bill":"7","due_date":"2021-10-01T00:00:00","days":31}]""")
            : Http.ScriptedServer.Status(ctx, 401, string.Empty));
        using var connection = EnergyDataConnection.Create(new ConnectionSettings { NeuBaseUri = sample.BaseUri, NeuToken = token.ToSecureString() });
        var context = new RecordingContext();

        var bills = await connection.GetNeuClient().GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync();

        Assert.Equal(31, Assert.Single(bills).Days);
        Assert.Equal(1, sample.RequestCount);
        Assert.Contains("expired", Assert.Single(context.Warnings), StringComparison.Ordinal);
        Assert.Equal(NeuTokenState.Expired, connection.GetNeuClient().GetTokenStatus()!.State);
    }

    [Fact]
    public async Task A_token_expiring_within_a_day_warns_once_and_still_works()
    {
        var token = server.State.UseNeuTokenExpiringIn(TimeSpan.FromHours(3));
        using var connection = NeuTestConnection.Create(server, token: token);
        var client = connection.GetNeuClient();
        var context = new RecordingContext();

        var first = await client.GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync();
        var second = await client.GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync();

        Assert.Equal(3, first.Count);
        Assert.Equal(3, second.Count);
        var warning = Assert.Single(context.Warnings);
        Assert.Contains("expires", warning, StringComparison.Ordinal);
        Assert.Equal(NeuTokenState.ExpiresSoon, client.GetTokenStatus()!.State);
    }

    [Fact]
    public async Task A_valid_token_gives_no_warning_and_is_never_written_to_the_trace()
    {
        using var connection = NeuTestConnection.Create(server);
        var context = new RecordingContext();

        await connection.GetNeuClient().GetPqrsAsync(null, null, context, CancellationToken.None).ToListAsync();

        Assert.Empty(context.Warnings);
        Assert.Contains(context.VerboseLines, line => line.Contains("valid until", StringComparison.Ordinal));
        Assert.NotEmpty(context.DebugLines);
        Assert.All(context.AllText, text => Assert.DoesNotContain(server.State.Options.NeuToken, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_that_is_not_a_JWT_gives_no_warning_and_says_so_at_verbose()
    {
        server.State.Options.NeuToken = "opaque-profile-token";
        using var connection = NeuTestConnection.Create(server, token: "opaque-profile-token");
        var context = new RecordingContext();

        var overdue = await connection.GetNeuClient().GetBillsOverdueAsync(context, CancellationToken.None).ToListAsync();

        Assert.Equal(3, overdue.Count);
        Assert.Empty(context.Warnings);
        Assert.Contains(context.VerboseLines, line => line.Contains("not a JWT", StringComparison.Ordinal));
    }

    [Fact]
    public void A_connection_without_a_NEU_token_refuses_to_give_a_NEU_client()
    {
        using var connection = EnergyDataConnection.Create(new ConnectionSettings { KhipuApiKey = "k".ToSecureStringForTest() });

        Assert.Throws<NotConnectedException>(() => connection.GetNeuClient());
        Assert.Equal(16, connection.GetNeuRoutes().Describe().Count);
    }

    public static TheoryData<string, Func<NeuClient, Task>> InvalidInputs => new()
    {
        { "AccountId", client => client.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 0, From = DateTime.Today, To = DateTime.Today }, null, CancellationToken.None).ToListAsync() },
        { "ServiceId", client => client.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = [], From = DateTime.Today, To = DateTime.Today }, null, CancellationToken.None).ToListAsync() },
        { "AccountId", client => client.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, ServiceIds = [282], From = DateTime.Today, To = DateTime.Today }, null, CancellationToken.None).ToListAsync() },
        { "From", client => client.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, From = new DateTime(2021, 5, 1), To = new DateTime(2021, 4, 1) }, null, CancellationToken.None).ToListAsync() },
        { "To", client => client.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, From = new DateTime(2021, 5, 1) }, null, CancellationToken.None).ToListAsync() },
        { "Interval", client => client.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 41, Interval = (NeuInterval)9, From = DateTime.Today, To = DateTime.Today }, null, CancellationToken.None).ToListAsync() },
        { "ServiceId", client => client.GetBillsAsync(-4, null, null, null, null, CancellationToken.None).ToListAsync() },
        { "From", client => client.GetNotificationsAsync(new DateTime(1800, 1, 1), null, null, null, CancellationToken.None).ToListAsync() },
        { "Id", client => client.GetServiceAsync(0, null, CancellationToken.None).ToListAsync() },
        { "SicCode", client => client.GetFrontierConsumptionAsync(["Frt 1"], DateTime.Today, DateTime.Today, null, CancellationToken.None).ToListAsync() },
        { "SicCode", client => client.GetFrontierConsumptionAsync([], DateTime.Today, DateTime.Today, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "https://api.neu.com.co/bills/overdue/", null, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "bills/../../admin", null, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "bills/%2e%2e/%2E%2E/admin", null, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "bills/.%2e/admin", null, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "bills%2F..%2Fadmin", null, null, CancellationToken.None).ToListAsync() },
        { "Path", client => client.InvokeAsync("GET", "bills%5c..%5cadmin", null, null, CancellationToken.None).ToListAsync() },
        { "Method", client => client.InvokeAsync("TRACE", "bills/", null, null, CancellationToken.None).ToListAsync() },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task Bad_input_names_the_parameter_and_sends_nothing(string parameter, Func<NeuClient, Task> call)
    {
        using var connection = NeuTestConnection.Create(server);

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => call(connection.GetNeuClient()));

        Assert.Equal(parameter, error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }
}
