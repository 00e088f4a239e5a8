using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Khipu;

[Collection(EmulatorGroup.Name)]
public sealed class CenTests
{
    private static readonly KhipuAccountCredential Account = KhipuAccountCredential.FromUserName("cen-user", "cen-password".ToSecureString());
    private readonly EmulatorServer server;

    public CenTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Theory]
    [InlineData(450, 200, 3)]
    [InlineData(400, 200, 2)]
    [InlineData(1, 200, 1)]
    [InlineData(1000, 1000, 1)]
    [InlineData(7, 3, 3)]
    public async Task Follows_every_page_until_the_total_with_exactly_the_pages_needed(int total, int pageSize, int expectedRequests)
    {
        server.State.KhipuOptions.CenTotal = total;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var paging = new CenPagingState();
        var pagesReported = 0;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(pageSize), true, paging, _ => pagesReported++, null, CancellationToken.None));

        Assert.Equal(total, rows.Count);
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(total, rows.Select(row => row.RawJson).Distinct().Count());
        Assert.All(rows, row => Assert.Equal(total, row.TotalCount));
        Assert.Equal(expectedRequests, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
        Assert.Equal(expectedRequests, paging.PagesFetched);
        Assert.Equal(expectedRequests, paging.TotalPages);
        Assert.Equal(expectedRequests, pagesReported);
    }

    [Theory]
    [InlineData(450, 100, 5)]
    [InlineData(400, 100, 5)]
    [InlineData(99, 100, 1)]
    [InlineData(7, 3, 3)]
    public async Task Without_a_total_pages_are_followed_while_they_come_back_full(int total, int pageSize, int expectedRequests)
    {
        server.State.KhipuOptions.CenTotal = total;
        server.State.KhipuOptions.OmitCenTotal = true;
        server.State.Options.RecordRequestBodies = true;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var paging = new CenPagingState();
        var trace = new RecordingTrace();

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(pageSize), true, paging, null, trace, CancellationToken.None));

        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.All(rows, row => Assert.Null(row.TotalCount));
        Assert.Null(paging.TotalCount);
        Assert.Equal(expectedRequests, paging.PagesFetched);
        Assert.Equal(Enumerable.Range(0, expectedRequests).Select(page => page.ToString(System.Globalization.CultureInfo.InvariantCulture)), RequestedPages());
        if (expectedRequests > 1)
        {
            Assert.Contains("no TotalDisconformidades", trace.VerboseText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_a_total_a_server_that_ignores_Paginas_is_asked_once_more_and_no_row_comes_twice()
    {
        server.State.KhipuOptions.CenTotal = 450;
        server.State.KhipuOptions.OmitCenTotal = true;
        server.State.KhipuOptions.CenIgnorePage = true;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(100), true, null, null, trace, CancellationToken.None));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(2, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
        Assert.Contains("ignore Paginas", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_total_first_requests_only_the_pages_that_hold_the_rows()
    {
        server.State.KhipuOptions.CenTotal = 1000;
        server.State.KhipuOptions.OmitCenTotal = true;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(100);
        query.Skip = 150;
        query.First = 200;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None));

        Assert.Equal(Enumerable.Range(150, 200).Select(i => (long)i), rows.Select(row => row.Index));
        Assert.Equal(3, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
    }

    [Fact]
    public async Task Without_a_total_full_pages_stop_at_the_page_limit_with_an_error_after_their_rows()
    {
        server.State.KhipuOptions.CenTotal = 1_000_000;
        server.State.KhipuOptions.OmitCenTotal = true;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(10);
        query.MaxPagesWithoutTotal = 4;
        var rows = new List<CenNonconformity>();

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(async () =>
        {
            await foreach (var row in connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
            {
                rows.Add(row);
            }
        });

        Assert.Equal(40, rows.Count);
        Assert.Equal(4, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
        Assert.Contains("-Skip 40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_example_rut_has_the_documented_total()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(1000), true, null, null, null, CancellationToken.None));

        Assert.Equal(4575, rows.Count);
        Assert.Equal(4574, rows[^1].Index);
        Assert.Equal(4, rows[^1].Page);
        Assert.Equal(5, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
        Assert.All(rows, row => Assert.Equal("76999999", row.RutDeudor));
    }

    [Fact]
    public async Task A_rut_without_nonconformities_gives_no_rows_after_one_request()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var paging = new CenPagingState();

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(200, rut: "76000000"), true, paging, null, null, CancellationToken.None));

        Assert.Empty(rows);
        Assert.Equal(0, paging.TotalCount);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Theory]
    [InlineData(250, 100, 1, 250)]
    [InlineData(350, 100, 2, 350)]
    [InlineData(0, 5, 1, 0)]
    [InlineData(990, 100, 1, 990)]
    public async Task Skip_and_first_request_only_the_pages_that_hold_the_rows(long skip, long first, int expectedRequests, long firstIndex)
    {
        server.State.KhipuOptions.CenTotal = 1000;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(200);
        query.Skip = skip;
        query.First = first;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None));

        Assert.Equal(Math.Min(first, 1000 - skip), rows.Count);
        Assert.Equal(firstIndex, rows[0].Index);
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => firstIndex + i), rows.Select(row => row.Index));
        Assert.Equal(expectedRequests, server.State.Counters.Total);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(350)]
    public async Task First_zero_requests_nothing_and_gives_no_rows(long skip)
    {
        // PowerShell's -First 0: no row is wanted, so no page is billed (the first page was, and gave one row).
        server.State.KhipuOptions.CenTotal = 1000;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(200);
        query.Skip = skip;
        query.First = 0;
        var paging = new CenPagingState();
        var pagesReported = 0;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, paging, _ => pagesReported++, null, CancellationToken.None));

        Assert.Empty(rows);
        Assert.Equal(0, server.State.Counters.Total);
        Assert.Equal(0, paging.PagesFetched);
        Assert.Null(paging.TotalCount);
        Assert.Equal(0, pagesReported);
    }

    [Fact]
    public async Task First_one_gives_one_row_from_one_request()
    {
        server.State.KhipuOptions.CenTotal = 1000;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(200);
        query.First = 1;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None));

        Assert.Equal(0, Assert.Single(rows).Index);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_negative_first_is_refused_before_sending()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(200);
        query.First = -1;

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None)));

        Assert.Equal("First", error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task Rows_carry_the_item_fields_flattened_and_the_query()
    {
        server.State.KhipuOptions.CenTotal = 3;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(200), true, null, null, null, CancellationToken.None));

        var fields = rows[1].GetFields().ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal(100001L, Convert.ToInt64(fields["IdDisconformidad"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("76999999", fields["RutDeudor"]);
        Assert.True(fields.ContainsKey("Acreedor.Rut"));
        Assert.True(fields.ContainsKey("Acreedor.RazonSocial"));
        Assert.Equal(new DateTime(2019, 11, 14), rows[1].From);
        Assert.Equal(new DateTime(2025, 11, 5), rows[1].To);
        Assert.True(Guid.TryParse(rows[1].OperationId, out _));

        // The emulator dates each case inside the requested range, which it could only do if it read the MM/DD/YYYY dates.
        var created = DateTime.ParseExact((string)fields["FechaCreacion"]!, "MM/dd/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, rows[1].From, rows[1].To);
    }

    [Fact]
    public async Task Each_page_has_its_own_operation_id()
    {
        server.State.KhipuOptions.CenTotal = 5;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(2), true, null, null, null, CancellationToken.None));

        Assert.Equal(3, rows.Select(row => row.OperationId).Distinct().Count());
        Assert.Equal(rows[0].OperationId, rows[1].OperationId);
    }

    [Fact]
    public async Task With_a_bearer_token_no_account_credential_is_needed()
    {
        server.State.KhipuOptions.CenTotal = 10;
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var query = Query(200);
        query.AccountCredential = null;

        var rows = await Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, connection.KhipuRequiresAccountCredential, null, null, null, CancellationToken.None));

        Assert.Equal(10, rows.Count);
        Assert.False(connection.KhipuRequiresAccountCredential);
    }

    [Fact]
    public async Task With_an_api_key_a_missing_account_credential_is_refused_before_sending()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(200);
        query.AccountCredential = null;

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, connection.KhipuRequiresAccountCredential, null, null, null, CancellationToken.None)));

        Assert.Equal("AccountCredential", error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }

    public static TheoryData<string, DateTime, DateTime, int, string> BadQueries => new()
    {
        { "76999999", new DateTime(2025, 1, 2), new DateTime(2025, 1, 1), 200, "From" },
        { "76.999.999-9", new DateTime(2019, 1, 1), new DateTime(2025, 1, 1), 200, "DebtorRut" },
        { "76999999", new DateTime(2019, 1, 1), new DateTime(2025, 1, 1), 0, "PageSize" },
        { "76999999", new DateTime(2019, 1, 1), new DateTime(2025, 1, 1), 1001, "PageSize" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_queries_are_refused_before_anything_is_sent(string rut, DateTime from, DateTime to, int pageSize, string parameter)
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = new CenQuery { RutDeudor = rut, From = from, To = to, PageSize = pageSize, AccountCredential = Account };

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => Collect(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None)));

        Assert.Equal(parameter, error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_failing_later_page_ends_the_enumeration_with_the_khipu_error_after_earlier_rows()
    {
        server.State.KhipuOptions.CenTotal = 30;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var rows = new List<CenNonconformity>();

        var error = await Assert.ThrowsAsync<KhipuException>(async () =>
        {
            await foreach (var row in connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(10), true, null, null, null, CancellationToken.None))
            {
                rows.Add(row);
                if (rows.Count == 10)
                {
                    // Page 0 is read; page 1 will meet a Status ERROR that forbids a retry.
                    server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorCode = "E202", ErrorType = "WAIT_4_HOURS_BEFORE_RETRY" });
                }
            }
        });

        Assert.Equal(10, rows.Count);
        Assert.Equal("E202", error.ErrorCode);
        Assert.Equal(2, server.State.Counters.Total);
    }

    // The Paginas of each CEN request the emulator received, in arrival order.
    private List<string> RequestedPages() =>
        server.State.Counters.Bodies
            .Where(request => request.Path == KhipuEndpoints.CenNonconformitiesPath)
            .Select(request =>
            {
                using var body = System.Text.Json.JsonDocument.Parse(request.Body);
                return body.RootElement.GetProperty("RequestData").GetProperty("Paginas").GetString()!;
            })
            .ToList();

    private static CenQuery Query(int pageSize, string rut = "76999999") => new()
    {
        RutDeudor = rut,
        From = new DateTime(2019, 11, 14),
        To = new DateTime(2025, 11, 5),
        PageSize = pageSize,
        AccountCredential = Account,
    };

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
