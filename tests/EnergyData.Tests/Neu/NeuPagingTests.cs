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

    /// <summary>-First 0 asks for no rows, as Select-Object -First 0: no page is requested, and no total is known.</summary>
    [Fact]
    public async Task First_zero_requests_no_page()
    {
        var pages = new PagedServer(page => page <= 2 ? (200, Bills(page, 1)) : (404, InvalidPage), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var paging = new NeuPaging { First = 0, Skip = 3 };

        var bills = await Client(server).GetBillsAsync(450, null, null, paging, null, CancellationToken.None).ToListAsync();
        var rules = await Client(server).GetRulesAsync(null, null, null, new NeuPaging { First = 0 }, null, CancellationToken.None).ToListAsync();

        Assert.Empty(bills);
        Assert.Empty(rules);
        Assert.Null(paging.TotalCount);
        Assert.Equal(0, server.RequestCount);
    }

    /// <summary>The requests of several services run at once on one path: each trace line names the service it is for.</summary>
    [Fact]
    public async Task Each_bills_request_names_its_service_and_page_in_the_trace()
    {
        var pages = new PagedServer(page => page <= 2 ? (200, Bills(page, 1)) : (404, InvalidPage), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        await Client(server).GetBillsAsync(450, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Contains(trace.VerboseLines, line => line.Contains("/bills/ (Id_service 450, page 1) -> 200", StringComparison.Ordinal));
        Assert.Contains(trace.VerboseLines, line => line.Contains("/bills/ (Id_service 450, page 2) -> 200", StringComparison.Ordinal));
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
    public async Task Envelope_pages_with_identical_rows_are_all_written_when_the_server_counts_them(int concurrency)
    {
        // The document's own example: 60 notifications, 3 pages of 20, with nextPage, maxPage and total. A test server
        // built from it may well fill every page with the same fixture row, so page 2 equals page 1.
        var pages = new PagedServer(page => (200, EnvelopeOf(page, 3, Enumerable.Repeat("same", 20).ToArray())), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var notifications = await Client(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(60, notifications.Count);
        Assert.Equal(Enumerable.Range(1, 3).SelectMany(page => Enumerable.Repeat(page, 20)), notifications.Select(item => item.Page));
        Assert.Equal([1, 2, 3], pages.Requested.Order());
        Assert.DoesNotContain(trace.VerboseLines, line => line.Contains("paging stops here", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_server_that_answers_page_one_to_every_page_is_written_once_though_it_counts_five(int concurrency)
    {
        // It says there are 5 pages and answers page 1 whatever is asked for, nextPage 2 included: its nextPage does not
        // move past the page asked for, so it ignored the page number (NEU's place for it is not public), and the
        // repeats are not written. A server that fills every page with the same rows moves nextPage on (test above).
        var pages = new PagedServer(_ => (200, Envelope(1, 5, "uno")), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var interactions = await Client(server).GetNotificationInteractionsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(["uno"], interactions.Select(item => item.Title));
        Assert.Equal([1], interactions.Select(item => item.Page));
        Assert.Equal(pages.Requested.Count, pages.Requested.Distinct().Count());
        Assert.Contains(2, pages.Requested);
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 2 repeats page 1", StringComparison.Ordinal) && line.Contains("paging stops here", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_counted_page_that_repeats_its_predecessor_is_written_when_its_nextPage_moves_on(int concurrency)
    {
        // The same rows on every page, but nextPage follows the page asked for: a server that read the page number.
        var pages = new PagedServer(page => (200, Envelope(page, 5, "uno")), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var interactions = await Client(server).GetNotificationInteractionsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Repeat("uno", 5), interactions.Select(item => item.Title));
        Assert.Equal([1, 2, 3, 4, 5], interactions.Select(item => item.Page));
        Assert.Equal([1, 2, 3, 4, 5], pages.Requested.Order());
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 2 has the same rows as page 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_pages_that_answer_an_earlier_page_end_the_pages_in_page_order()
    {
        // Pages 1 and 2 differ; from page 3 on the server answers page 2 again (nextPage 3). Page 2 is slow, so the pages
        // after it finish first: the repeat is still seen in page order, and nothing after page 2 is written.
        var pages = new PagedServer(page => (200, Envelope(Math.Min(page, 2), 6, page == 1 ? "uno" : "dos")), pageField: "PageNumber", delay: page => page == 2 ? 200 : 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var notifications = await Client(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["uno", "dos"], notifications.Select(item => item.Title));
        Assert.Equal([1, 2], notifications.Select(item => item.Page));
        Assert.Equal(pages.Requested.Count, pages.Requested.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_pages_stop_at_MaxPages_whatever_page_count_the_server_gives()
    {
        // As the sequential path does: a server's count of pages is bounded by MaxPages, so that one answering page 1
        // with a huge maxPage is not asked a million times.
        var pages = new PagedServer(page => (200, Envelope(page, 1_000_000, "n" + page.ToString(System.Globalization.CultureInfo.InvariantCulture))), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = new NeuClient(TestClients.Create(TestClients.FastOptions()), server.BaseUri, NeuRouteTable.Create(null), options: new NeuClientOptions { MaxPages = 3 });
        var trace = new RecordingTrace();

        var interactions = await client.GetNotificationInteractionsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(["n1", "n2", "n3"], interactions.Select(item => item.Title));
        Assert.Equal([1, 2, 3], pages.Requested.Order());
        Assert.Contains(trace.VerboseLines, line => line.Contains("MaxPages", StringComparison.Ordinal));
    }

    /// <summary>
    /// A server that sends nextPage but no maxPage and answers every page after its last rows with an empty list whose
    /// nextPage moves on: the empty page ends the pages. It was followed, page after page, until MaxPages (10,000 by
    /// default; lowered here only so that the old behaviour fails quickly).
    /// </summary>
    [Theory]
    [InlineData("Notifications")]
    [InlineData("Bills")]
    public async Task An_empty_page_ends_the_pages_when_the_server_sends_nextPage_without_maxPage(string endpoint)
    {
        var pages = new PagedServer(
            page => (200, page == 1
                ? "{\"nextPage\":2,\"data\":[{\"id_bill\":9000,\"date\":\"2021-04-01T00:00:00\",\"title\":\"uno\"}]}"
                : $"{{\"nextPage\":{page + 1},\"data\":[]}}"),
            pageField: endpoint == "Bills" ? "Page" : "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = new NeuClient(TestClients.Create(TestClients.FastOptions()), server.BaseUri, NeuRouteTable.Create(null), options: new NeuClientOptions { MaxPages = 50 });

        var rows = endpoint == "Bills"
            ? (await client.GetBillsAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync()).Count
            : (await client.GetNotificationsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync()).Count;

        Assert.Equal(1, rows);
        Assert.InRange(pages.Requested.Count, 1, 2);
    }

    [Fact]
    public async Task Due_dates_with_identical_rows_on_every_counted_page_are_all_written()
    {
        // The document's due-date shape: paging fields on each array element, here without nextPage, so that every
        // page is the same text (with nextPage the rows themselves would differ from page to page).
        const string Page = "[{\"maxPage\":3,\"total\":6,\"id_bill\":1,\"date_expiration\":\"2021-04-16T00:00:00\"},{\"maxPage\":3,\"total\":6,\"id_bill\":2}]";
        var pages = new PagedServer(_ => (200, Page), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var dates = await Client(server).GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal([1L, 2L, 1L, 2L, 1L, 2L], dates.Select(item => item.BillId!.Value));
        Assert.Equal([1, 1, 2, 2, 3, 3], dates.Select(item => item.Page));
        Assert.Equal([1, 2, 3], pages.Requested);
    }

    [Fact]
    public async Task An_array_element_with_nothing_but_paging_fields_and_nulls_gives_no_row()
    {
        // The due-date shape without a bill due: the flat answer of this kind gave no row, the array one an empty row.
        var pages = new PagedServer(
            page => (200, page == 1
                ? "[{\"maxPage\":2,\"total\":1,\"id_bill\":7,\"date_expiration\":\"2021-04-16T00:00:00\"}]"
                : "[{\"maxPage\":2,\"total\":1,\"id_bill\":null,\"date_expiration\":null}]"),
            pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var dates = await Client(server).GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal([7L], dates.Select(item => item.BillId!.Value));
        Assert.Equal([1, 2], pages.Requested);
    }

    [Fact]
    public async Task A_summary_of_paging_fields_after_the_rows_gives_no_row_and_its_paging_is_followed()
    {
        var pages = new PagedServer(
            page => (200, page == 1
                ? "[{\"id_bill\":1},{\"id_bill\":2},{\"nextPage\":2,\"maxPage\":2,\"total\":3}]"
                : "[{\"id_bill\":3},{\"nextPage\":null,\"maxPage\":2,\"total\":3}]"),
            pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var dates = await Client(server).GetBillDueDatesAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal([1L, 2L, 3L], dates.Select(item => item.BillId!.Value));
        Assert.Equal([1, 2], pages.Requested);
    }

    [Fact]
    public async Task Bills_with_identical_rows_on_pages_counted_by_maxPage_are_all_written()
    {
        var pages = new PagedServer(_ => (200, "[{\"maxPage\":3,\"id_bill\":9000},{\"maxPage\":3,\"id_bill\":9001}]"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var bills = await Client(server).GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9001L, 9000L, 9001L, 9000L, 9001L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2, 3], pages.Requested);
    }

    [Fact]
    public async Task Bills_with_identical_rows_are_written_while_the_total_counts_them_and_a_repeat_past_it_ends_them()
    {
        // A total but no page count: bills are asked for until an empty page, so the total is what tells a page of
        // identical rows that the server counts from one repeated past the end.
        var pages = new PagedServer(_ => (200, "[{\"total\":6,\"id_bill\":9000},{\"total\":6,\"id_bill\":9001}]"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var bills = await Client(server).GetBillsAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9001L, 9000L, 9001L, 9000L, 9001L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2, 3, 4], pages.Requested);
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 4 repeats page 3", StringComparison.Ordinal));
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

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Envelope_pages_that_start_with_the_same_row_but_differ_are_all_written(int concurrency)
    {
        // Notifications have no id: a notification sent in bulk can start every page. Page 2 differs from page 1 in
        // its last row, page 3 from page 2 in its row count only (same first and last rows).
        var pages = new PagedServer(
            page => (200, page switch
            {
                1 => EnvelopeOf(1, 3, "bulk", "a"),
                2 => EnvelopeOf(2, 3, "bulk", "b"),
                _ => EnvelopeOf(3, 3, "bulk", "c", "b"),
            }),
            pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var notifications = await Client(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(["bulk", "a", "bulk", "b", "bulk", "c", "b"], notifications.Select(item => item.Title));
        Assert.Equal([1, 1, 2, 2, 3, 3, 3], notifications.Select(item => item.Page));
        Assert.Equal([1, 2, 3], pages.Requested.Order());
        Assert.DoesNotContain(trace.VerboseLines, line => line.Contains("repeats page", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Held_rows_of_a_page_that_starts_like_the_previous_one_still_honour_Skip_and_First()
    {
        var pages = new PagedServer(page => (200, EnvelopeOf(page, 3, "bulk", "n" + page.ToString(System.Globalization.CultureInfo.InvariantCulture))), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var interactions = await Client(server).GetNotificationInteractionsAsync(null, null, new NeuPaging { Skip = 1, First = 3 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal(["n1", "bulk", "n2"], interactions.Select(item => item.Title));
        Assert.Equal([1, 2], pages.Requested);
    }

    [Fact]
    public async Task Bill_pages_that_start_with_the_same_bill_but_differ_are_all_written()
    {
        // UntilEmpty: page 2 differs from page 1 in its last bill, page 3 from page 2 in its bill count only; 404 ends them.
        var pages = new PagedServer(
            page => page switch
            {
                1 => (200, BillsOf(9000, 9001)),
                2 => (200, BillsOf(9000, 9002)),
                3 => (200, BillsOf(9000, 9005, 9002)),
                _ => (404, InvalidPage),
            },
            pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var bills = await Client(server).GetBillsAsync(null, null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9001L, 9000L, 9002L, 9000L, 9005L, 9002L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2, 3, 4], pages.Requested);
    }

    [Fact]
    public async Task Bills_from_a_server_that_ignores_Page_stop_at_the_repeat_with_nothing_repeated_written()
    {
        var pages = new PagedServer(_ => (200, BillsOf(9000, 9005, 9001)), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var bills = await Client(server).GetBillsAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([9000L, 9005L, 9001L], bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2], pages.Requested);
        Assert.Contains(trace.VerboseLines, line => line.Contains("page 2 repeats page 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_fetched_ahead_that_times_out_after_First_is_met_does_not_fail_the_call()
    {
        // Page 1 has one row, so pages 2 to 4 are fetched for -First 4; page 2 (slow) has three and meets it. Page 3
        // stalls mid-body and fails with BodyIdleTimeout long before page 2 arrives: nobody reads it.
        using var release = new CancellationTokenSource();
        var pages = new PagedServer(
            page => (200, page == 1 ? EnvelopeOf(1, 6, "n1") : EnvelopeOf(page, 6, "x", "y", "z")),
            pageField: "PageNumber",
            delay: page => page == 2 ? 1500 : 0,
            stall: page => page == 3,
            release: release.Token);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var notifications = await StallingClient(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = 4, First = 4 }, null, CancellationToken.None).ToListAsync();
        release.Cancel();

        Assert.Equal(["n1", "x", "y", "z"], notifications.Select(item => item.Title));
        Assert.Equal([1, 2, 3, 4], pages.Requested.Order());
    }

    [Fact]
    public async Task A_page_fetched_ahead_that_times_out_after_an_empty_page_ended_the_pages_does_not_fail_the_call()
    {
        // The server says 6 pages but page 2 (slow) is empty, which ends them; page 4 stalls mid-body and times out first.
        using var release = new CancellationTokenSource();
        var pages = new PagedServer(
            page => (200, page == 2 ? EnvelopeOf(2, 6) : EnvelopeOf(page, 6, "n" + page.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            pageField: "PageNumber",
            delay: page => page == 2 ? 1500 : 0,
            stall: page => page == 4,
            release: release.Token);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var notifications = await StallingClient(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, null, CancellationToken.None).ToListAsync();
        release.Cancel();

        Assert.Equal(["n1"], notifications.Select(item => item.Title));
    }

    [Fact]
    public async Task Rule_history_First_and_Skip_count_firings_and_no_page_beyond_them_is_asked_for()
    {
        // Page 1: rules 7 and 8 with three firings each; page 2: rule 9 with two; then an empty page.
        var pages = new PagedServer(page => (200, page switch { 1 => RuleHistoryOf((7, 3), (8, 3)), 2 => RuleHistoryOf((9, 2)), _ => RuleHistoryOf() }), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = Client(server);

        var withinPage1 = await client.GetRuleHistoryAsync(null, null, null, new NeuPaging { Skip = 2, First = 3 }, null, CancellationToken.None).ToListAsync();
        var acrossPages = await client.GetRuleHistoryAsync(null, null, null, new NeuPaging { Skip = 5, First = 2 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal([(7L, 3.0), (8L, 1.0), (8L, 2.0)], withinPage1.Select(firing => (firing.RuleId!.Value, firing.Value!.Value)));
        Assert.Equal([(8L, 3.0), (9L, 1.0)], acrossPages.Select(firing => (firing.RuleId!.Value, firing.Value!.Value)));
        Assert.Equal([1, 1, 2], pages.Requested);
    }

    [Fact]
    public async Task Bill_concepts_First_and_Skip_count_concepts_and_no_page_beyond_them_is_asked_for()
    {
        // Page 1: bills 9000, 9001 and 9002 with 3, 0 and 2 concepts; page 2: bill 9003 with 2; then an empty page.
        var pages = new PagedServer(page => (200, page switch { 1 => BillsWithConcepts((9000, 3), (9001, 0), (9002, 2)), 2 => BillsWithConcepts((9003, 2)), _ => "[]" }), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = Client(server);

        var withinPage1 = await client.GetBillConceptsAsync(null, null, null, new NeuPaging { Skip = 2, First = 3 }, null, CancellationToken.None).ToListAsync();
        var acrossPages = await client.GetBillConceptsAsync(null, null, null, new NeuPaging { Skip = 5, First = 2 }, null, CancellationToken.None).ToListAsync();
        var all = await client.GetBillConceptsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal([(9000L, "c3"), (9002L, "c1"), (9002L, "c2")], withinPage1.Select(concept => (concept.BillId!.Value, concept.Concept)));
        Assert.Equal([(9003L, "c1"), (9003L, "c2")], acrossPages.Select(concept => (concept.BillId!.Value, concept.Concept)));
        Assert.Equal(7, all.Count);
        Assert.Equal([1, 1, 2, 1, 2, 3], pages.Requested);
    }

    [Fact]
    public async Task A_rule_in_the_history_without_firings_is_one_row_with_empty_firing_fields()
    {
        // data empty, null, missing, a single object instead of a list, and a list: no rule of the answer is lost.
        const string Page1 =
            "{\"data\":[{\"Id_alarm\":7,\"rule_name\":\"sin datos\",\"data\":[]},{\"Id_alarm\":8,\"data\":null},{\"Id_alarm\":9},"
            + "{\"Id_alarm\":10,\"data\":{\"date\":\"2021-04-02T00:00:00\",\"value\":6}},{\"Id_alarm\":11,\"data\":[{\"date\":\"2021-04-01T00:00:00\",\"value\":5}]}]}";
        var pages = new PagedServer(page => (200, page == 1 ? Page1 : RuleHistoryOf()), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = Client(server);

        var firings = await client.GetRuleHistoryAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();
        var firstTwo = await client.GetRuleHistoryAsync(null, null, null, new NeuPaging { Skip = 1, First = 2 }, null, CancellationToken.None).ToListAsync();

        Assert.Equal([7L, 8L, 9L, 10L, 11L], firings.Select(firing => firing.RuleId!.Value));
        Assert.Equal("sin datos", firings[0].RuleName);
        Assert.Equal([null, null, null, new DateTime(2021, 4, 2), new DateTime(2021, 4, 1)], firings.Select(firing => firing.Date));
        Assert.Equal([null, null, null, 6.0, 5.0], firings.Select(firing => firing.Value));
        Assert.Equal([8L, 9L], firstTwo.Select(firing => firing.RuleId!.Value));
    }

    internal static NeuClient Client(ScriptedServer server, IDictionary<string, string?>? routes = null) =>
        new(TestClients.Create(TestClients.FastOptions()), server.BaseUri, NeuRouteTable.Create(routes));

    /// <summary>A bills page: <paramref name="count"/> bills numbered on from 9000 + 2 * (page - 1).</summary>
    internal static string Bills(int page, int count) =>
        "[" + string.Join(",", Enumerable.Range(9000 + (2 * (page - 1)), count).Select(id => $"{{\"id_bill\":{id},\"id_service\":282,\"date\":\"2021-04-01T00:00:00\"}}")) + "]";

    /// <summary>A list envelope as the document writes it for notifications and interactions, with one item of the given title.</summary>
    internal static string Envelope(int page, int maxPage, string title) =>
        $"{{\"nextPage\":{(page < maxPage ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")},\"maxPage\":{maxPage},\"total\":{maxPage},\"data\":[{{\"date\":\"2021-04-01T00:00:00\",\"title\":\"{title}\",\"text\":\"t\",\"read\":true}}]}}";

    /// <summary>A client whose response bodies time out (RequestTimeoutException) after 300 ms without a byte.</summary>
    private static NeuClient StallingClient(ScriptedServer server)
    {
        var options = TestClients.FastOptions();
        options.BodyIdleTimeout = TimeSpan.FromMilliseconds(300);
        return new(TestClients.Create(options), server.BaseUri, NeuRouteTable.Create(null));
    }

    /// <summary>A rule-history answer in the document's shape: each rule with that many firings, valued 1, 2, ...</summary>
    private static string RuleHistoryOf(params (int Rule, int Firings)[] rules) =>
        "{\"data\":[" + string.Join(",", rules.Select(rule => $"{{\"Id_alarm\":{rule.Rule},\"rule_name\":\"r{rule.Rule}\",\"data\":["
            + string.Join(",", Enumerable.Range(1, rule.Firings).Select(value => $"{{\"date\":\"2021-04-0{value}T00:00:00\",\"value\":{value}}}")) + "]}")) + "]}";

    /// <summary>A bills page: each bill with that many concepts, named c1, c2, ...</summary>
    private static string BillsWithConcepts(params (int Bill, int Concepts)[] bills) =>
        "[" + string.Join(",", bills.Select(bill => $"{{\"id_bill\":{bill.Bill},\"id_service\":282,\"concepts\":["
            + string.Join(",", Enumerable.Range(1, bill.Concepts).Select(concept => $"{{\"concept\":\"c{concept}\",\"total\":{concept}}}")) + "]}")) + "]";

    /// <summary>A bills page with the given bill ids.</summary>
    private static string BillsOf(params int[] ids) =>
        "[" + string.Join(",", ids.Select(id => $"{{\"id_bill\":{id},\"id_service\":282,\"date\":\"2021-04-01T00:00:00\"}}")) + "]";

    /// <summary>A list envelope like <see cref="Envelope"/>, with one item per title.</summary>
    private static string EnvelopeOf(int page, int maxPage, params string[] titles) =>
        $"{{\"nextPage\":{(page < maxPage ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")},\"maxPage\":{maxPage},\"total\":{maxPage * titles.Length},\"data\":["
        + string.Join(",", titles.Select(title => $"{{\"date\":\"2021-04-01T00:00:00\",\"title\":\"{title}\",\"text\":\"t\",\"read\":true}}")) + "]}";

    /// <summary>
    /// Answers each request by the page number it carries in its body (1 when it has none), and records them. A page
    /// for which <paramref name="stall"/> holds gets half its body, then nothing until the client gives up or
    /// <paramref name="release"/> is cancelled.
    /// </summary>
    internal sealed class PagedServer(Func<int, (int Status, string Body)> answer, string pageField, Func<int, int>? delay = null, Func<int, bool>? stall = null, CancellationToken release = default)
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
            if (stall?.Invoke(page) == true)
            {
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(json[..(json.Length / 2)]);
                await context.Response.Body.FlushAsync();
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, release);
                await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await ScriptedServer.Status(context, status, json);
        }
    }
}
