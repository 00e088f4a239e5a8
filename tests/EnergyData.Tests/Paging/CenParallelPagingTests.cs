using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Paging;

/// <summary>
/// CEN paging: the first page gives the total, the rest are fetched concurrently within the limit and yielded
/// in page order; every page is requested exactly once and none beyond what -First needs.
/// </summary>
public sealed class CenParallelPagingTests
{
    private static readonly DateTime From = new(2025, 1, 1);
    private static readonly DateTime To = new(2025, 6, 30);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Every_row_arrives_once_in_order_and_each_page_is_requested_once(int concurrency)
    {
        var pages = new CenPages(total: 1_050, delayMilliseconds: 20);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var rows = await ReadAsync(server, new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, PageConcurrency = concurrency });

        Assert.Equal(Enumerable.Range(0, 1_050).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(Enumerable.Range(0, 11), pages.Requested.OrderBy(page => page));
        Assert.True(pages.MaxInFlight <= concurrency, $"at most {concurrency} pages in flight, saw {pages.MaxInFlight}");
    }

    [Fact]
    public async Task Pages_after_the_first_run_concurrently_up_to_the_limit()
    {
        var pages = new CenPages(total: 2_000, delayMilliseconds: 150);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        await ReadAsync(server, new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, PageConcurrency = 8 });

        // 19 pages after the first with a window of 8 and a slow server: the window fills.
        Assert.Equal(8, pages.MaxInFlight);
    }

    [Fact]
    public async Task First_limits_the_pages_requested_so_none_is_billed_for_nothing()
    {
        var pages = new CenPages(total: 5_000, delayMilliseconds: 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);

        var rows = await ReadAsync(server, new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, Skip = 150, First = 230, PageConcurrency = 8 });

        Assert.Equal(Enumerable.Range(150, 230).Select(i => (long)i), rows.Select(row => row.Index));
        // Rows 150..379 live on pages 1, 2 and 3.
        Assert.Equal(new[] { 1, 2, 3 }, pages.Requested.OrderBy(page => page));
    }

    [Fact]
    public async Task A_failing_page_yields_the_rows_before_it_then_its_error_and_stops_the_pages_ahead()
    {
        var pages = new CenPages(total: 1_000, delayMilliseconds: 10) { FailingPage = 4 };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var rows = new List<CenNonconformity>();

        var error = await Assert.ThrowsAsync<KhipuException>(async () =>
        {
            await foreach (var row in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, PageConcurrency = 4 }, false, null, null, null, CancellationToken.None))
            {
                rows.Add(row);
            }
        });

        Assert.Equal("E042", error.ErrorCode);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.DoesNotContain(pages.Requested.GroupBy(page => page), group => group.Count() > 1);
    }

    [Fact]
    public async Task Progress_counts_every_page_with_the_total_known()
    {
        var pages = new CenPages(total: 450, delayMilliseconds: 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var reports = new List<(int Fetched, int? TotalPages)>();
        var state = new CenPagingState();

        await foreach (var unused in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, PageConcurrency = 3 }, false, state, s => reports.Add((s.PagesFetched, s.TotalPages)), null, CancellationToken.None))
        {
        }

        Assert.Equal(new[] { (1, (int?)5), (2, 5), (3, 5), (4, 5), (5, 5) }, reports);
        Assert.Equal(450, state.TotalCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Each_page_request_says_which_page_it_is_in_the_trace(int concurrency)
    {
        // 250 rows in pages of 100: the first page tells the total, so the two after it are counted "of 3".
        var pages = new CenPages(total: 250, delayMilliseconds: 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var client = new KhipuClient(TestClients.Create(TestClients.FastOptions()), server.BaseUri, new KhipuClientOptions { MaxAttempts = 4 });
        var trace = new RecordingTrace();

        var rows = new List<CenNonconformity>();
        await foreach (var row in client.GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, PageConcurrency = concurrency }, false, null, null, trace, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(250, rows.Count);
        var labels = trace.VerboseLines
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^POST \S+ \((?<label>[^)]*)\) -> 200 OK "))
            .Where(match => match.Success)
            .Select(match => match.Groups["label"].Value)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["RutDeudor 76543210, page 1, Paginas 0", "RutDeudor 76543210, page 2 of 3, Paginas 1", "RutDeudor 76543210, page 3 of 3, Paginas 2"], labels);
    }

    /// <summary>
    /// A server that gives fewer rows per page than Filas asks for (the document sets no maximum) had the query end
    /// silently after its first page: 10 of 23 rows. The first page's rows are the first rows whatever the page size,
    /// so the rest is read in pages of the size the server gave, with a warning that says so.
    /// </summary>
    [Theory]
    [InlineData(0, long.MaxValue, 0, 23, new[] { 0, 1, 2 })]
    [InlineData(15, long.MaxValue, 15, 23, new[] { 0, 1, 2 })]
    [InlineData(3, 9, 3, 12, new[] { 0, 1 })]
    [InlineData(0, 12, 0, 12, new[] { 0, 1 })]
    public async Task A_server_giving_fewer_rows_per_page_than_Filas_is_read_in_pages_of_its_size(long skip, long first, int fromIndex, int toIndex, int[] pagesAsked)
    {
        var pages = new CenPages(total: 23, delayMilliseconds: 0) { MaxRowsPerPage = 10 };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var rows = new List<CenNonconformity>();
        await foreach (var row in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 200, Skip = skip, First = first, PageConcurrency = 4 }, false, null, null, context, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(Enumerable.Range(fromIndex, toIndex - fromIndex).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(Enumerable.Range(fromIndex, toIndex - fromIndex).Select(i => $"{{\"Id\":{i}}}"), rows.Select(row => row.RawJson));
        Assert.Equal(pagesAsked.Select(page => (page, page == 0 ? 200 : 10)), pages.Asked.OrderBy(asked => asked.Page));
        var warning = Assert.Single(context.Warnings);
        Assert.Contains("with 10 of the 200 rows Filas asked for, though it reports 23", warning, StringComparison.Ordinal);
        Assert.Contains("-PageSize 10", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// Past the first page a capped server's rows are not those -Skip points to, and a tiny cap would bill a request per
    /// handful of rows: neither is read further, and one warning says why and what -PageSize to use.
    /// </summary>
    [Theory]
    [InlineData(300, 10, 205, "may not be those at -Skip", new[] { 1 })]
    [InlineData(500, 1, 0, "would take 499 more billed requests, more than 100", new[] { 0 })]
    public async Task A_capped_page_that_cannot_be_followed_safely_stops_with_one_warning(int total, int cap, long skip, string reason, int[] pagesAsked)
    {
        var pages = new CenPages(total: total, delayMilliseconds: 0) { MaxRowsPerPage = cap };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await foreach (var unused in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 200, Skip = skip, PageConcurrency = 4 }, false, null, null, context, CancellationToken.None))
        {
        }

        Assert.Equal(pagesAsked, pages.Requested);
        var warning = Assert.Single(context.Warnings);
        Assert.Contains(reason, warning, StringComparison.Ordinal);
        Assert.Contains($"-PageSize {cap} to page at that size", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_that_shift_between_pages_and_come_twice_give_a_warning()
    {
        var pages = new CenPages(total: 23, delayMilliseconds: 0) { RowsRepeated = 2 };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var rows = new List<CenNonconformity>();
        await foreach (var row in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 10, PageConcurrency = 2 }, false, null, null, context, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(25, rows.Count);
        Assert.Contains("reported 23 nonconformities for RUT 76543210, but 25 rows came after -Skip 0", Assert.Single(context.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_that_end_before_the_total_they_reported_give_a_warning_that_says_where_to_go_on()
    {
        var pages = new CenPages(total: 250, delayMilliseconds: 0) { RowsThereAre = 230 };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var rows = new List<CenNonconformity>();
        await foreach (var row in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, Skip = 10, PageConcurrency = 2 }, false, null, null, context, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(220, rows.Count);
        var warning = Assert.Single(context.Warnings);
        Assert.Contains("reported 250 nonconformities for RUT 76543210, but the pages ended after 220 of the 240 rows asked for", warning, StringComparison.Ordinal);
        Assert.Contains("-Skip 230", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warning_about_one_nonconformity_says_it_in_the_singular()
    {
        var pages = new CenPages(total: 1, delayMilliseconds: 0) { RowsThereAre = 0 };
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await foreach (var unused in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 10 }, false, null, null, context, CancellationToken.None))
        {
        }

        Assert.Contains(context.Warnings, warning => warning.Contains("CEN reported 1 nonconformity for RUT 76543210, but the pages ended after 0 of the 1 row asked for", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, long.MaxValue)]
    [InlineData(150, 230)]
    [InlineData(1_000, long.MaxValue)]
    public async Task A_query_read_to_its_end_gives_no_warning(long skip, long first)
    {
        var pages = new CenPages(total: 1_000, delayMilliseconds: 0);
        await using var server = await ScriptedServer.StartAsync(pages.HandleAsync);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await foreach (var unused in Client(server).GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76543210", From = From, To = To, PageSize = 100, Skip = skip, First = first, PageConcurrency = 4 }, false, null, null, context, CancellationToken.None))
        {
        }

        Assert.Empty(context.Warnings);
    }

    [Fact]
    public void A_CEN_page_label_counts_from_one_and_gives_Paginas()
    {
        Assert.Equal("page 6, Paginas 5", KhipuClient.CenPageLabel(5, null));
        Assert.Equal("page 6 of 11, Paginas 5", KhipuClient.CenPageLabel(5, 11));
    }

    private static KhipuClient Client(ScriptedServer server) =>
        new(new HttpClient(), server.BaseUri, new KhipuClientOptions { MaxAttempts = 1 });

    private static async Task<List<CenNonconformity>> ReadAsync(ScriptedServer server, CenQuery query)
    {
        var rows = new List<CenNonconformity>();
        await foreach (var row in Client(server).GetCenNonconformitiesAsync(query, false, null, null, null, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A CEN service with a fixed total that records which pages were asked for and how many at once.</summary>
    private sealed class CenPages
    {
        private readonly int total;
        private readonly int delayMilliseconds;
        private readonly ConcurrentQueue<int> requested = new();
        private readonly ConcurrentQueue<(int Page, int Filas)> asked = new();
        private int inFlight;
        private int maxInFlight;

        public CenPages(int total, int delayMilliseconds)
        {
            this.total = total;
            this.delayMilliseconds = delayMilliseconds;
        }

        public int? FailingPage { get; init; }

        /// <summary>The most rows a page holds whatever Filas asks for; pages are then counted in that size.</summary>
        public int? MaxRowsPerPage { get; init; }

        /// <summary>Rows each page after the first repeats from the page before (cases created while paging shift them).</summary>
        public int RowsRepeated { get; init; }

        /// <summary>The rows there are, when fewer than the total reported (a total that moved).</summary>
        public int? RowsThereAre { get; init; }

        public IReadOnlyList<(int Page, int Filas)> Asked => asked.ToList();

        public IReadOnlyList<int> Requested => requested.ToList();

        public int MaxInFlight => Volatile.Read(ref maxInFlight);

        public async Task HandleAsync(HttpContext context)
        {
            var now = Interlocked.Increment(ref inFlight);
            try
            {
                int observed;
                while (now > (observed = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, observed) != observed)
                {
                }

                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                var data = body.RootElement.GetProperty("RequestData");
                var page = int.Parse(data.GetProperty("Paginas").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                var size = int.Parse(data.GetProperty("Filas").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                requested.Enqueue(page);
                asked.Enqueue((page, size));
                size = Math.Min(size, MaxRowsPerPage ?? size);
                await Task.Delay(delayMilliseconds);
                context.Response.ContentType = "application/json";
                if (page == FailingPage)
                {
                    await context.Response.WriteAsync(ScriptedServer.KhipuError("DO_NOT_RETRY", "E042"));
                    return;
                }

                var json = new StringBuilder("{\"OperationId\":\"op-").Append(page).Append("\",\"Status\":\"OK\",\"Data\":{\"NonconformitiesList\":{\"TotalDisconformidades\":")
                    .Append(total).Append(",\"Disconformidades\":[");
                var first = Math.Max(0, (page * size) - (page > 0 ? RowsRepeated : 0));
                for (var index = first; index < Math.Min(RowsThereAre ?? total, first + size); index++)
                {
                    json.Append(index == first ? string.Empty : ",").Append("{\"Id\":").Append(index).Append('}');
                }

                json.Append("]}}}");
                await context.Response.WriteAsync(json.ToString());
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }
}
