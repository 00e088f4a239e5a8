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
/// Bill due dates, notifications and interactions whose answers carry <c>total</c> as their only paging field: pages
/// are asked for while fewer rows than the total have come, as the documents promise. Found by an independent server
/// built from the document: one request was made, 20 of 25 notifications written, and the total of 25 reported.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuTotalOnlyPagingTests : NeuEmulatorTests
{

    public NeuTotalOnlyPagingTests(EmulatorFixture fixture)
        : base(fixture)
    {
        Server.State.Neu.PagingTotalOnly = true;
    }

    [Fact]
    public async Task Notifications_with_only_a_total_are_read_to_the_last_page()
    {
        var paging = new NeuPaging();

        var notifications = await Client.GetNotificationsAsync(null, null, paging, null, CancellationToken.None).ToListAsync();

        Assert.Equal(45, notifications.Count);
        Assert.Equal(45, notifications.Select(item => item.Title).Distinct().Count());
        Assert.Equal([20, 20, 5], notifications.GroupBy(item => item.Page).Select(page => page.Count()));
        Assert.Equal(45, paging.TotalCount);
        Assert.Equal([1L, 1L, 1L, 0L], new[] { 1, 2, 3, 4 }.Select(page => Server.State.Counters.For($"neu/notifications/{page}/")));
    }

    [Fact]
    public async Task Due_dates_with_only_a_total_are_read_to_the_last_page()
    {
        var dates = await Client.GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(25, dates.Count);
        Assert.Equal([1, 2, 3], dates.Select(item => item.Page).Distinct());
        Assert.Equal(3, Server.State.Counters.For("neu/bills/due-date/"));
    }

    [Fact]
    public async Task Interactions_all_on_the_first_page_take_one_request()
    {
        var interactions = await Client.GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(7, interactions.Count);
        Assert.Equal(1, Server.State.Counters.For("neu/notifications/interactions/"));
    }

    [Fact]
    public async Task First_still_stops_the_pages_when_only_a_total_is_sent()
    {
        var notifications = await Client.GetNotificationsAsync(null, null, new NeuPaging { Skip = 18, First = 4 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["Alerta de consumo 19", "Alerta de consumo 20", "Alerta de consumo 21", "Alerta de consumo 22"], notifications.Select(item => item.Title));
        Assert.Equal(1, Server.State.Counters.For("neu/notifications/2/"));
        Assert.Equal(0, Server.State.Counters.For("neu/notifications/3/"));
    }

    /// <summary>The independent server's answers: 20 rows and a total of 25, then the last 5.</summary>
    [Fact]
    public async Task The_page_after_a_short_count_is_asked_for_and_written()
    {
        var pages = new NeuPagingTests.PagedServer(page => (200, TotalOnly(25, page == 1 ? Enumerable.Range(1, 20) : Enumerable.Range(21, 5))), pageField: "PageNumber");
        await using var scripted = await ScriptedServer.StartAsync(pages.HandleAsync);

        var notifications = await NeuPagingTests.Client(scripted).GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(1, 25).Select(Title), notifications.Select(item => item.Title));
        Assert.Equal([1, 2], pages.Requested);
    }

    /// <summary>
    /// A total that the rows never reach does not ask for pages without end: an empty page ends them, and so does the
    /// page limit (MaxPages, lowered here) for a server whose pages never run dry.
    /// </summary>
    [Fact]
    public async Task A_total_the_rows_never_reach_ends_at_an_empty_page_or_the_page_limit()
    {
        var dry = new NeuPagingTests.PagedServer(page => (200, TotalOnly(100, page <= 2 ? [page] : [])), pageField: "PageNumber");
        await using (var scripted = await ScriptedServer.StartAsync(dry.HandleAsync))
        {
            var rows = await NeuPagingTests.Client(scripted).GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

            Assert.Equal(2, rows.Count);
            Assert.Equal([1, 2, 3], dry.Requested);
        }

        var endless = new NeuPagingTests.PagedServer(page => (200, TotalOnly(1_000_000, [page])), pageField: "PageNumber");
        await using (var scripted = await ScriptedServer.StartAsync(endless.HandleAsync))
        {
            using var http = TestClients.Create(TestClients.FastOptions());
            var limited = new NeuClient(http, scripted.BaseUri, NeuRouteTable.Create(null), options: new NeuClientOptions { MaxPages = 5 });

            var rows = await limited.GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

            Assert.Equal(5, rows.Count);
            Assert.Equal([1, 2, 3, 4, 5], endless.Requested);
        }
    }

    /// <summary>
    /// The total is the only count followed when it is alone: a <c>nextPage</c> of null says there is no next page,
    /// whatever the total, and <c>maxPage</c>, when sent, bounds the pages (both as before).
    /// </summary>
    [Fact]
    public async Task An_explicit_null_nextPage_still_ends_the_pages_whatever_the_total()
    {
        var pages = new NeuPagingTests.PagedServer(_ => (200, "{\"nextPage\":null,\"total\":25,\"data\":[{\"title\":\"t1\"}]}"), pageField: "PageNumber");
        await using var scripted = await ScriptedServer.StartAsync(pages.HandleAsync);

        var rows = await NeuPagingTests.Client(scripted).GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Single(rows);
        Assert.Equal([1], pages.Requested);
    }

    private static string Title(int number) => "t" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string TotalOnly(int total, System.Collections.Generic.IEnumerable<int> titles) =>
        "{\"total\":" + total.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"data\":["
        + string.Join(",", titles.Select(number => "{\"date\":\"2021-06-01T00:00:00\",\"title\":\"" + Title(number) + "\"}")) + "]}";
}
