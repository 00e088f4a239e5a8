using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// Paging against servers built from the document rather than the emulator: how they end the pages (a 404 or 400 past
/// the last) and what they do with a page number they ignore. Real HTTP, through the shared resilience pipeline.
/// </summary>
public sealed class NeuPagingTests
{
    /// <summary>Django REST Framework's answer to a page past the last.</summary>
    private const string InvalidPage = "{\"detail\":\"Invalid page.\"}";

    [Theory]
    [InlineData(404)]
    [InlineData(400)]
    public async Task Bills_end_without_an_error_when_the_page_after_the_last_is_refused(int status)
    {
        var pages = new PagedServer(page => page <= 2 ? (200, Bills(page, page == 1 ? 2 : 1)) : (status, InvalidPage), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();
        var reported = new List<int>();

        var bills = await Client(server).GetBillsAsync(null, null, null, new NeuPaging { PageRead = (page, _, _) => reported.Add(page) }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9001L, 9002L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2, 3], pages.Requested);
        Assert.Equal([1, 2], reported);
        Assert.Contains(trace.VerboseLines, line => line.Contains($"page 3 was answered {status}", StringComparison.Ordinal) && line.Contains("end of the pages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rules_and_rule_history_end_the_same_way()
    {
        var pages = new PagedServer(page => page == 1 ? (200, "[{\"id_alarm\":7,\"rule_name\":\"uno\",\"data\":[{\"date\":\"2021-04-01T00:00:00\",\"value\":1}]}]") : (404, InvalidPage), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = Client(server);

        var rules = await client.GetRulesAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();
        var firings = await client.GetRuleHistoryAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(7, Assert.Single(rules).RuleId);
        Assert.Equal(7, Assert.Single(firings).RuleId);
        Assert.Equal([1, 2, 1, 2], pages.Requested);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(400)]
    public async Task The_first_page_refused_is_still_an_error(int status)
    {
        var pages = new PagedServer(_ => (status, InvalidPage), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var error = await Assert.ThrowsAsync<NeuException>(() => Client(server).GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal([1], pages.Requested);
    }

    [Fact]
    public async Task A_later_page_that_fails_otherwise_is_still_an_error()
    {
        var pages = new PagedServer(page => page == 1 ? (200, Bills(1, 2)) : (403, "{\"detail\":\"Forbidden\"}"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var error = await Assert.ThrowsAsync<NeuException>(() => Client(server).GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task A_page_the_server_announced_and_then_refuses_is_still_an_error()
    {
        // Interactions follow maxPage: a 404 for a page the server said exists is not the end of the pages.
        var pages = new PagedServer(page => page == 1 ? (200, Envelope(1, 2, "uno")) : (404, InvalidPage), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var error = await Assert.ThrowsAsync<NeuException>(() => Client(server).GetNotificationInteractionsAsync(null, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Envelope_pages_from_a_server_that_ignores_the_page_come_once_each(int concurrency)
    {
        // It says there are 5 pages, and answers page 1 whatever is asked for.
        var pages = new PagedServer(_ => (200, Envelope(1, 5, "uno")), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var interactions = await Client(server).GetNotificationInteractionsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal("uno", Assert.Single(interactions).Title);
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 2 starts with the first row of page 1", StringComparison.Ordinal) && line.Contains("ignore the page number", StringComparison.Ordinal));
        // Sequentially page 2 is the last asked for; concurrently pages already in flight may have been asked for too
        // (they are stopped, not written), but none twice.
        if (concurrency == 1)
        {
            Assert.Equal([1, 2], pages.Requested);
        }
        else
        {
            Assert.Equal([1, 2], pages.Requested.Order().Take(2));
            Assert.Equal(pages.Requested.Count, pages.Requested.Distinct().Count());
        }
    }

    [Fact]
    public async Task Concurrent_pages_stop_at_the_first_repeat_and_the_pages_before_it_come_out_once_in_order()
    {
        // Pages 1 and 2 differ; from page 3 on the server answers page 2 again. Page 2 is slow, so the pages after it finish first.
        var pages = new PagedServer(page => (200, Envelope(Math.Min(page, 2), 6, page == 1 ? "uno" : "dos")), pageField: "PageNumber", delay: page => page == 2 ? 200 : 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var notifications = await Client(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(["uno", "dos"], notifications.Select(item => item.Title));
        Assert.Equal([1, 2], notifications.Select(item => item.Page));
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 3 starts with the first row of page 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Due_dates_from_a_server_that_ignores_the_page_come_once_each()
    {
        // The document's due-date shape: paging fields on each array element.
        const string Page = "[{\"nextPage\":2,\"maxPage\":3,\"total\":6,\"id_bill\":1,\"date_expiration\":\"2021-04-16T00:00:00\"},{\"nextPage\":2,\"maxPage\":3,\"total\":6,\"id_bill\":2}]";
        var pages = new PagedServer(_ => (200, Page), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var dates = await Client(server).GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal([1L, 2L], dates.Select(item => item.BillId!.Value));
        Assert.Equal([1, 2], pages.Requested);
    }

    [Fact]
    public async Task Bills_that_carry_a_page_count_from_a_server_that_ignores_Page_come_once_each()
    {
        var pages = new PagedServer(_ => (200, "[{\"maxPage\":3,\"id_bill\":9000},{\"maxPage\":3,\"id_bill\":9001}]"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var bills = await Client(server).GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9001L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2], pages.Requested);
    }

    [Fact]
    public async Task Concurrent_pages_of_one_row_each_are_all_read()
    {
        // Without -First the rows wanted are long.MaxValue less those written: with one row a page that once overflowed.
        var pages = new PagedServer(page => (200, Envelope(page, 3, "n" + page.ToString(System.Globalization.CultureInfo.InvariantCulture))), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var interactions = await Client(server).GetNotificationInteractionsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["n1", "n2", "n3"], interactions.Select(item => item.Title));
        Assert.Equal([1, 2, 3], pages.Requested.Order());
    }

    internal static NeuClient Client(ScriptedServer server, IDictionary<string, string?>? routes = null) =>
        new(TestClients.Create(TestClients.FastOptions()), server.BaseUri, NeuRouteTable.Create(routes));

    /// <summary>A bills page: <paramref name="count"/> bills numbered on from 9000 + 2 * (page - 1).</summary>
    internal static string Bills(int page, int count) =>
        "[" + string.Join(",", Enumerable.Range(9000 + (2 * (page - 1)), count).Select(id => $"{{\"id_bill\":{id},\"id_service\":282,\"date\":\"2021-04-01T00:00:00\"}}")) + "]";

    /// <summary>A list envelope as the document writes it for notifications and interactions, with one item of the given title.</summary>
    internal static string Envelope(int page, int maxPage, string title) =>
        $"{{\"nextPage\":{(page < maxPage ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")},\"maxPage\":{maxPage},\"total\":{maxPage},\"data\":[{{\"date\":\"2021-04-01T00:00:00\",\"title\":\"{title}\",\"text\":\"t\",\"read\":true}}]}}";

    /// <summary>Answers each request by the page number it carries in its body (1 when it has none), and records them.</summary>
    internal sealed class PagedServer(Func<int, (int Status, string Body)> answer, string pageField, Func<int, int>? delay = null)
    {
        private readonly ConcurrentQueue<int> requested = new();

        public List<int> Requested => requested.ToList();

        public async Task HandleAsync(HttpContext context)
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync();
            var page = 1;
            if (text.Length > 0)
            {
                using var body = JsonDocument.Parse(text);
                if (body.RootElement.TryGetProperty(pageField, out var value))
                {
                    page = value.GetInt32();
                }
            }

            requested.Enqueue(page);
            if (delay?.Invoke(page) is { } milliseconds and > 0)
            {
                await Task.Delay(milliseconds);
            }

            var (status, json) = answer(page);
            await ScriptedServer.Status(context, status, json);
        }
    }
}
