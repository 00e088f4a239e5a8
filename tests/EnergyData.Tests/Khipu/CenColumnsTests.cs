using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Callbacks;
using EnergyData.Emulator;
using EnergyData.Json;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// Get-CenNonconformity's rows have the same fields, in the same order, on every row of a query (Export-Csv takes its
/// columns from the first row, so a field the first row lacked was lost on every other row): the union of the fields
/// of the first page's rows, which later pages take, with any field of their own after them; through
/// <see cref="OutputColumns"/>, a command names such a field. The emulator's CenVaryingFields rows: Acreedor null on
/// rows 0, 3, 6, ..., FechaCierre on odd rows only, Observaciones on rows 4, 9, ... only.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class CenColumnsTests
{
    private static readonly KhipuAccountCredential Account = KhipuAccountCredential.FromUserName("cen-user", "cen-password".ToSecureString());

    // The union of rows 0 to 5: Acreedor.* where row 0 has Acreedor null (no Acreedor column), FechaCierre after Estado.
    private static readonly string[] SixRowColumns =
        ["IdDisconformidad", "NumeroCaso", "FechaCreacion", "RutDeudor", "Acreedor.Rut", "Acreedor.RazonSocial", "Estado", "FechaCierre", "Concepto", "Monto", "Moneda", "Observaciones"];

    private static readonly string[] ThreeRowColumns = SixRowColumns[..^1];

    private readonly EmulatorServer server;

    public CenColumnsTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        server.State.KhipuOptions.CenVaryingFields = true;
    }

    [Fact]
    public async Task Every_row_of_the_first_page_gets_the_union_of_its_rows_fields_the_first_row_too()
    {
        server.State.KhipuOptions.CenTotal = 6;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await CollectAsync(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(6), true, null, null, null, CancellationToken.None));

        Assert.Equal(6, rows.Count);
        Assert.All(rows, row => Assert.Equal(SixRowColumns, Names(row)));
        Assert.Null(Value(rows[0], "Acreedor.Rut"));
        Assert.NotNull(Value(rows[1], "Acreedor.Rut"));
        Assert.Null(Value(rows[0], "FechaCierre"));
        Assert.NotNull(Value(rows[1], "FechaCierre"));
        Assert.Equal("Revisar con el acreedor", Value(rows[4], "Observaciones"));
        Assert.Null(Value(rows[5], "Observaciones"));
        Assert.Contains("\"Acreedor\":null", rows[0].RawJson, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Later_pages_take_the_first_pages_columns_and_keep_a_field_of_their_own_after_them(bool omitTotal)
    {
        // Pages of three: rows 0-2 have no Observaciones; row 4, on the second page, has one. With a total the later
        // pages are fetched ahead; without one, one at a time while they come back full.
        server.State.KhipuOptions.CenTotal = 6;
        server.State.KhipuOptions.OmitCenTotal = omitTotal;
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await CollectAsync(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(3), true, null, null, null, CancellationToken.None));

        Assert.Equal(6, rows.Count);
        Assert.All(rows.Where(row => row.Index != 4), row => Assert.Equal(ThreeRowColumns, Names(row)));
        Assert.Equal(SixRowColumns, Names(rows[4]));
        Assert.Equal("Revisar con el acreedor", Value(rows[4], "Observaciones"));

        // Row 3 has Acreedor null, row 4 no FechaCierre: the first page's columns, empty.
        Assert.Null(Value(rows[3], "Acreedor.RazonSocial"));
        Assert.NotNull(Value(rows[3], "FechaCierre"));
        Assert.NotNull(Value(rows[4], "Acreedor.RazonSocial"));
        Assert.Null(Value(rows[4], "FechaCierre"));
    }

    [Fact]
    public async Task A_command_names_a_later_pages_valued_field_that_the_first_row_has_not()
    {
        server.State.KhipuOptions.CenTotal = 6;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var rows = await CollectAsync(connection.GetKhipuClient().GetCenNonconformitiesAsync(Query(3), true, null, null, null, CancellationToken.None));
        var columns = new OutputColumns();

        var reported = rows.Select(row => columns.Arrange(row.GetFields())).ToList();

        Assert.All(reported, written => Assert.Equal(ThreeRowColumns, written.Fields.Take(ThreeRowColumns.Length).Select(field => field.Key)));
        Assert.Equal([0, 0, 0, 0, 1, 0], reported.Select(written => written.NotInFirstRow.Count));
        Assert.Equal(["Observaciones"], reported[4].NotInFirstRow);
    }

    [Fact]
    public async Task The_first_pages_columns_are_those_of_the_rows_written_after_skip_and_up_to_first()
    {
        // Skip 1, First 2 of a page of six: rows 1 and 2, both with Acreedor, row 1 with FechaCierre; row 4's
        // Observaciones and row 0's null Acreedor are not written and give nothing.
        server.State.KhipuOptions.CenTotal = 6;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var query = Query(6);
        query.Skip = 1;
        query.First = 2;

        var rows = await CollectAsync(connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None));

        Assert.Equal([1L, 2L], rows.Select(row => row.Index));
        Assert.All(rows, row => Assert.Equal(ThreeRowColumns, Names(row)));
        Assert.Null(Value(rows[1], "FechaCierre"));
        Assert.Equal(1, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
    }

    [Fact]
    public async Task A_delivered_page_has_the_union_of_its_rows_fields()
    {
        var operation = new PendingOperation
        {
            OperationId = "op-c",
            ServicePath = KhipuServices.CenNonconformities,
            InputIdentifier = "76999999",
            RequestInputs = { ["FechaCreacionDelCasoDesde"] = "11/14/2019", ["FechaCreacionDelCasoHasta"] = "11/05/2025", ["Filas"] = "3", ["Paginas"] = "0" },
        };
        var body = CenAnswer("""[{"Caso":1,"Acreedor":null},{"Caso":2,"Acreedor":{"Rut":"76000001"},"Cierre":"01/02/2025"},{"Caso":3}]""");

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var rows = (await KhipuClient.MapCallbackResultAsync(operation, stream, null, CancellationToken.None)).Cast<CenNonconformity>().ToList();

        Assert.All(rows, row => Assert.Equal(["Caso", "Acreedor.Rut", "Cierre"], Names(row)));
        Assert.Null(Value(rows[0], "Acreedor.Rut"));
        Assert.Equal("76000001", Value(rows[1], "Acreedor.Rut"));
        Assert.All(rows, row => Assert.Equal(3, row.TotalCount));
    }

    [Fact]
    public async Task Rows_read_before_a_broken_first_page_are_handed_out_under_their_columns_before_the_error()
    {
        await using var khipu = await ScriptedServer.StartAsync();
        using var http = new HttpClient();
        khipu.Enqueue(200, """{"OperationId":"op-b","Status":"OK","Data":{"NonconformitiesList":{"TotalDisconformidades":3,"Disconformidades":[{"a":1},{"b":2},{"c" """);
        var client = new KhipuClient(http, khipu.BaseUri, new KhipuClientOptions { MaxAttempts = 1 });
        var rows = new List<CenNonconformity>();

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var row in client.GetCenNonconformitiesAsync(Query(3), false, null, null, null, CancellationToken.None))
            {
                rows.Add(row);
            }
        });

        Assert.NotNull(error);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(["a", "b"], Names(row)));
        Assert.All(rows, row => Assert.Equal("op-b", row.OperationId));
    }

    private static string CenAnswer(string items) =>
        $$$"""{"OperationId":"op-c","Status":"OK","Data":{"NonconformitiesList":{"TotalDisconformidades":3,"Disconformidades":{{{items}}}}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""";

    private static CenQuery Query(int pageSize) => new()
    {
        RutDeudor = "76999999",
        From = new DateTime(2019, 11, 14),
        To = new DateTime(2025, 11, 5),
        PageSize = pageSize,
        AccountCredential = Account,
    };

    private static IEnumerable<string> Names(CenNonconformity row) => row.GetFields().Select(field => field.Key);

    private static object? Value(CenNonconformity row, string name) => row.GetFields().Single(field => field.Key == name).Value;

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
