using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Errors;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// An answer object that carries none of its rows' fields, such as a Django REST Framework error sent with a 200
/// (<c>{"detail":"Token invalido"}</c>), is an InvalidResponse error for that input, never a row with every field
/// empty; a sparse row, with at least one of its fields, is still a row. Found by an independent server built from the
/// document: every mapped NEU cmdlet wrote one empty row for such an answer, and Get-NeuRule then asked for page 2.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuNotARowTests : NeuEmulatorTests
{

    public NeuNotARowTests(EmulatorFixture fixture)
        : base(fixture)
    {
    }

    public static TheoryData<string, string> Readers() => new()
    {
        { "Pqrs", "neu/pqrs/" },
        { "BillsOverdue", "neu/bills/overdue/" },
        { "Rules", "neu/rules/" },
        { "Accounts", "neu/accounts/" },
        { "Account", "neu/accounts/41/" },
        { "Service", "neu/services/282/" },
        { "Bills", "neu/bills/" },
        { "BillDueDates", "neu/bills/due-date/" },
        { "Notifications", "neu/notifications/1/" },
        { "NotificationInteractions", "neu/notifications/interactions/" },
        { "RuleHistory", "neu/rules/history/" },
        { "Neugets", "neu/neugets/41/" },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task An_error_object_answered_with_200_is_an_InvalidResponse_error_naming_the_route_and_quoting_the_detail(string routeName, string path)
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.DetailWithSuccess, PathContains = path, ErrorDescription = "Token invalido" });
        var written = new List<object>();

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var row in Read(routeName))
            {
                written.Add(row);
            }
        });

        Assert.Empty(written);
        Assert.Contains($"NEU answered {routeName} (", failure.Message, StringComparison.Ordinal);
        Assert.Contains("none of the fields of its rows: 'Token invalido'", failure.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", ErrorMapper.FromException(failure, null).ErrorId);

        // The paged readers stop there: the error page is the last one asked for.
        Assert.Equal(1, Server.State.Counters.For(path));
    }

    [Fact]
    public async Task Rows_before_the_object_that_is_no_row_are_written_and_the_error_comes_after_them()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "[{\"message\":\"uno\",\"date\":\"2021-04-01T00:00:00\"},{\"error\":\"Internal error\",\"status\":500},{\"message\":\"tres\"}]");
        var rows = new List<NeuPqrs>();

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var row in NeuPagingTests.Client(scripted).GetPqrsAsync(null, null, null, CancellationToken.None))
            {
                rows.Add(row);
            }
        });

        Assert.Equal("uno", Assert.Single(rows).Message);
        Assert.Contains("'Internal error'", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Without a message, detail or error text, the object itself is quoted, redacted and cut short.</summary>
    [Fact]
    public async Task An_object_without_a_message_is_quoted_redacted_and_short()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "{\"access_token\":\"s3cr3t-value\",\"padding\":\"" + new string('x', 1000) + "\"}");

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(() => NeuPagingTests.Client(scripted).GetBillsOverdueAsync(null, CancellationToken.None).ToListAsync());

        Assert.DoesNotContain("s3cr3t-value", failure.Message, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":\"***\"", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Message.Length < 600, failure.Message);
    }

    /// <summary>A row with one of its fields, even a null one, is a row: servers leave out what they do not have.</summary>
    [Theory]
    [InlineData("[{\"date\":\"2021-04-01T00:00:00\"}]")]
    [InlineData("[{\"type\":null,\"extra\":1}]")]
    [InlineData("[{\"MESSAGE\":\"m\",\"unknown\":true}]")]
    public async Task A_sparse_row_with_at_least_one_of_its_fields_is_a_row(string json)
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, json);

        var rows = await NeuPagingTests.Client(scripted).GetPqrsAsync(null, null, null, CancellationToken.None).ToListAsync();

        Assert.Single(rows);
    }

    /// <summary>
    /// The fields of the nested rows count for their own rows only: an account with nothing but a services list is an
    /// account (services is one of its fields), while a rule of the history needs a field of a rule, not of a firing.
    /// </summary>
    [Fact]
    public async Task A_rule_history_item_with_only_firing_fields_is_no_rule()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "[{\"date\":\"2021-04-01T00:00:00\",\"value\":3}]");

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(() => NeuPagingTests.Client(scripted).GetRuleHistoryAsync(null, null, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Contains("NEU answered RuleHistory (POST rules/history/, page 1)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, scripted.RequestCount);
    }

    /// <summary>
    /// Consumption and frontier answers are read by their own streaming reader: an answer object (or an account or
    /// frontier of the list) with none of a group's fields gave no rows and no error, which looks like a period
    /// without readings.
    /// </summary>
    [Theory]
    [InlineData("Consumption", "neu/data/consumption/")]
    [InlineData("FrontierConsumption", "neu/ddv/consumption")]
    public async Task A_consumption_answer_that_is_an_error_object_is_an_InvalidResponse_error_quoting_it(string routeName, string path)
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.DetailWithSuccess, PathContains = path, ErrorDescription = "Token invalido" });

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var row in ReadConsumption(routeName))
            {
                Assert.Fail("no row is expected: " + row);
            }
        });

        Assert.Contains($"to {routeName} (", failure.Message, StringComparison.Ordinal);
        Assert.Contains("none of the fields of", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'Token invalido'", failure.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", ErrorMapper.FromException(failure, null).ErrorId);
    }

    [Theory]
    [InlineData("[{\"id_account\":41,\"data\":[{\"id_service\":282,\"date\":\"2021-04-01T00:00:00\",\"cons\":1}]},{\"error\":\"Internal error\"}]", 1)]
    [InlineData("{\"nextPage\":null,\"total\":0,\"message\":\"Sin datos\"}", 0)]
    public async Task An_account_of_the_list_with_none_of_an_accounts_fields_is_refused_after_the_rows_before_it(string json, int rowsBefore)
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, json);
        var rows = 0;

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var _ in NeuPagingTests.Client(scripted).GetConsumptionAsync(Query(), null, CancellationToken.None))
            {
                rows++;
            }
        });

        Assert.Equal(rowsBefore, rows);
        Assert.Contains("none of the fields of an account (data, id_account, account_name)", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>What has only paging fields, nulls, or nothing is an empty answer, as for the other readers.</summary>
    [Theory]
    [InlineData("{\"total\":0}")]
    [InlineData("{\"nextPage\":null,\"maxPage\":1,\"total\":0,\"detail\":null}")]
    [InlineData("{}")]
    [InlineData("[{}]")]
    [InlineData("[{\"id_account\":41,\"account_name\":\"Norte\",\"data\":[]}]")]
    public async Task A_consumption_answer_with_only_paging_fields_or_nulls_is_no_rows_and_no_error(string json)
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, json);

        Assert.Empty(await NeuPagingTests.Client(scripted).GetConsumptionAsync(Query(), null, CancellationToken.None).ToListAsync());
    }

    private static NeuConsumptionQuery Query() =>
        new() { AccountId = 41, Interval = NeuInterval.Daily, From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 2) };

    private IAsyncEnumerable<object> ReadConsumption(string routeName) => routeName == "Consumption"
        ? Box(Client.GetConsumptionAsync(Query(), null, CancellationToken.None))
        : Box(Client.GetFrontierConsumptionAsync(["Frt00123"], new DateTime(2024, 1, 1), new DateTime(2024, 1, 2), null, CancellationToken.None));

    private IAsyncEnumerable<object> Read(string routeName) => routeName switch
    {
        "Pqrs" => Box(Client.GetPqrsAsync(null, null, null, CancellationToken.None)),
        "BillsOverdue" => Box(Client.GetBillsOverdueAsync(null, CancellationToken.None)),
        "Rules" => Box(Client.GetRulesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None)),
        "Accounts" => Box(Client.GetAccountsAsync(null, null, CancellationToken.None)),
        "Account" => Box(Client.GetAccountsAsync(41, null, CancellationToken.None)),
        "Service" => Box(Client.GetServiceAsync(282, null, CancellationToken.None)),
        "Bills" => Box(Client.GetBillsAsync(null, null, null, new NeuPaging(), null, CancellationToken.None)),
        "BillDueDates" => Box(Client.GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None)),
        "Notifications" => Box(Client.GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None)),
        "NotificationInteractions" => Box(Client.GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None)),
        "RuleHistory" => Box(Client.GetRuleHistoryAsync(null, null, null, new NeuPaging(), null, CancellationToken.None)),
        "Neugets" => Box(Client.GetNeugetsAsync(41, null, CancellationToken.None)),
        _ => throw new ArgumentOutOfRangeException(nameof(routeName), routeName, null),
    };

    private static async IAsyncEnumerable<object> Box<T>(IAsyncEnumerable<T> rows)
        where T : notnull
    {
        await foreach (var row in rows)
        {
            yield return row;
        }
    }
}
