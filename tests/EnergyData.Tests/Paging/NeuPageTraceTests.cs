using System;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using EnergyData.Tests.Neu;
using Xunit;

namespace EnergyData.Tests.Paging;

/// <summary>
/// Every request of a paged NEU read says which page it is in its -Verbose lines (and in the message of an error it
/// gets): without it, Get-NeuBill -Verbose printed the same "POST .../bills/ -> 200 OK" line once per page.
/// </summary>
public sealed class NeuPageTraceTests
{
    private static readonly Regex AttemptLine = new(@"^POST \S+ \((?<label>page \d+(?: of \d+)?)\) -> (?<status>\d+) ", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Bills_paged_until_an_empty_page_trace_each_page_by_number()
    {
        var pages = new NeuPagingTests.PagedServer(page => (200, page <= 3 ? NeuPagingTests.Bills(page, 2) : "[]"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var bills = await NeuPagingTests.Client(server).GetBillsAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(6, bills.Count);
        Assert.Equal(["page 1", "page 2", "page 3", "page 4"], Labels(trace));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Counted_pages_say_how_many_there_are_once_the_first_has_told(int concurrency)
    {
        var pages = new NeuPagingTests.PagedServer(page => (200, NeuPagingTests.Envelope(page, 3, "n" + page)), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        var notifications = await NeuPagingTests.Client(server).GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = concurrency }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(3, notifications.Count);
        Assert.Equal(["page 1", "page 2 of 3", "page 3 of 3"], Labels(trace).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_retried_page_keeps_its_label_on_every_attempt()
    {
        var failedOnce = 0;
        var pages = new NeuPagingTests.PagedServer(page => page == 2 && Interlocked.Exchange(ref failedOnce, 1) == 0 ? (503, "{}") : (200, NeuPagingTests.Envelope(page, 2, "n" + page)), pageField: "PageNumber");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var trace = new RecordingTrace();

        await NeuPagingTests.Client(server).GetNotificationsAsync(null, null, null, trace, CancellationToken.None).ToListAsync();

        var lines = trace.VerboseLines.Select(line => AttemptLine.Match(line)).Where(match => match.Success).Select(match => match.Groups["label"].Value + " " + match.Groups["status"].Value);
        Assert.Equal(["page 1 200", "page 2 of 2 503", "page 2 of 2 200"], lines);
    }

    [Fact]
    public async Task The_error_of_a_later_page_names_the_page()
    {
        var pages = new NeuPagingTests.PagedServer(page => page == 1 ? (200, NeuPagingTests.Bills(1, 2)) : (403, "{\"detail\":\"Forbidden\"}"), pageField: "Page");
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var error = await Assert.ThrowsAsync<NeuException>(() => NeuPagingTests.Client(server).GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains(", page 2). Forbidden", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_is_not_paged_has_no_page_in_its_trace()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(200, """[{"id_account":41,"account_name":"Cuenta Norte","services":[]}]""");
        var trace = new RecordingTrace();

        await NeuPagingTests.Client(server).GetAccountsAsync(null, trace, CancellationToken.None).ToListAsync();

        var line = Assert.Single(trace.VerboseLines, line => line.Contains(" -> 200 OK", StringComparison.Ordinal));
        Assert.DoesNotContain("page", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, null, "page 3")]
    [InlineData(3, 6, "page 3 of 6")]
    [InlineData(7, 6, "page 7")]
    public void A_page_label_counts_only_a_count_that_covers_the_page(int page, int? count, string expected) =>
        Assert.Equal(expected, NeuClient.PageLabel(page, count));

    private static string[] Labels(RecordingTrace trace) =>
        trace.VerboseLines.Select(line => AttemptLine.Match(line)).Where(match => match.Success).Select(match => match.Groups["label"].Value).ToArray();
}
