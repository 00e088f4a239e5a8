using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// A route that takes an id (Account, Service, Neugets, NeugetPayments) answered with the rows of other ids too, as a
/// server that does not read the id where it is sent does: only the rows of the id asked for are written, and one
/// warning per command names the ids left out. Found by an independent server built from the document:
/// Get-NeuAccount -Id 41 wrote every account, and Get-NeuService -AccountId 41 the services of account 42.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuIdRouteAnswerTests : NeuEmulatorTests
{
    private readonly RecordingContext context = new();

    public NeuIdRouteAnswerTests(EmulatorFixture fixture)
        : base(fixture)
    {
        Server.State.Neu.IdRoutesIgnoreId = true;
    }

    [Fact]
    public async Task An_account_asked_by_id_is_the_only_one_written_and_a_warning_names_the_others()
    {
        var accounts = await Client.GetAccountsAsync(41, context, CancellationToken.None).ToListAsync();

        Assert.Equal(41, Assert.Single(accounts).Account.AccountId);
        var warning = Assert.Single(context.Warnings);
        Assert.Contains("Account (GET accounts/{id}/)", warning, StringComparison.Ordinal);
        Assert.Contains("for account 41", warning, StringComparison.Ordinal);
        Assert.Contains("(42)", warning, StringComparison.Ordinal);
        Assert.Equal(1, Server.State.Counters.For("neu/accounts/41/"));
    }

    /// <summary>Get-NeuService -AccountId reads the account route: services of other accounts go with their account.</summary>
    [Fact]
    public async Task The_services_of_an_account_asked_by_id_are_only_its_own()
    {
        var services = (await Client.GetAccountsAsync(41, context, CancellationToken.None).ToListAsync()).SelectMany(entry => entry.Services).ToList();

        Assert.Equal([282L, 283L], services.Select(service => service.ServiceId!.Value));
        Assert.All(services, service => Assert.Equal(41, service.AccountId));
    }

    [Fact]
    public async Task A_service_asked_by_id_is_the_only_one_written()
    {
        var service = Assert.Single(await Client.GetServiceAsync(450, context, CancellationToken.None).ToListAsync());

        Assert.Equal(450, service.ServiceId);
        Assert.Contains("for service 450", Assert.Single(context.Warnings), StringComparison.Ordinal);
        Assert.Contains("(282, 283)", context.Warnings.Single(), StringComparison.Ordinal);
    }

    /// <summary>Asked account by account, each account's neugets are written once, not once per account asked.</summary>
    [Fact]
    public async Task Neugets_of_every_account_are_written_once_each()
    {
        var neugets = await Client.GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync();
        var payments = await Client.GetNeugetPaymentsAsync(41, context, CancellationToken.None).ToListAsync();

        Assert.Equal([41L, 41L, 41L, 41L, 42L, 42L, 42L, 42L], neugets.Select(neuget => neuget.AccountId!.Value));
        Assert.Equal([41L, 41L], payments.Select(payment => payment.AccountId!.Value));
    }

    /// <summary>A bulk run against such a server warns once per route, and notes the later answers at Verbose.</summary>
    [Fact]
    public async Task The_warning_comes_once_per_command_and_route_and_the_later_ones_at_Verbose()
    {
        await Client.GetAccountsAsync(41, context, CancellationToken.None).ToListAsync();
        await Client.GetAccountsAsync(42, context, CancellationToken.None).ToListAsync();

        Assert.Single(context.Warnings);
        var later = Assert.Single(context.VerboseLines, line => line.StartsWith("WARNING: NEU answered Account", StringComparison.Ordinal));
        Assert.Contains("for account 42", later, StringComparison.Ordinal);
        Assert.Contains("(41)", later, StringComparison.Ordinal);
    }

    /// <summary>A row without an id cannot be told to be another account's: it is kept, as the only answer is.</summary>
    [Fact]
    public async Task A_row_without_an_id_is_kept_and_only_rows_naming_another_id_are_left_out()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "[{\"id_account\":41,\"account_name\":\"Norte\"},{\"account_name\":\"Sin id\"},{\"id_account\":43,\"account_name\":\"Otra\"},{\"id_account\":42,\"account_name\":\"Sur\"},{\"id_account\":43,\"account_name\":\"Otra\"}]");

        var accounts = await NeuPagingTests.Client(scripted).GetAccountsAsync(41, context, CancellationToken.None).ToListAsync();

        Assert.Equal(["Norte", "Sin id"], accounts.Select(entry => entry.Account.AccountName));
        Assert.Contains("(42, 43)", Assert.Single(context.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_id_asked_alone_gives_no_warning()
    {
        Server.State.Neu.IdRoutesIgnoreId = false;

        await Client.GetAccountsAsync(41, context, CancellationToken.None).ToListAsync();
        await Client.GetServiceAsync(450, context, CancellationToken.None).ToListAsync();
        await Client.GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync();

        Assert.Empty(context.Warnings);
    }
}
