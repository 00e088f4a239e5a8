using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// The envelope's AdditionalInformation ("puede utilizarse para ... indicando que el campo Data está incompleto") on
/// every CEN and TGR row of that answer, as Enel rows carry it. The documents write it after Data, so the rows that
/// stream while Data is read must still carry it; each CEN page carries its own answer's.
/// </summary>
public sealed class AdditionalInformationTests : ScriptedKhipuTests
{
    private const string Incomplete = "Data incompleta: el sitio no respondió para algunos casos.";
    private const string TgrData = """{"Resolutions":[{"ResolutionId":5001,"Debts":[{"Form":21},{"Form":22}],"Instalments":[{"Number":1}]},{"ResolutionId":5002}]}""";

    [Fact]
    public async Task Cen_rows_carry_the_additional_information_of_their_own_page()
    {
        // Three rows in pages of two: page 0's note comes after its rows (the page is read whole first), page 1 has none.
        Server.Enqueue(200, CenPage("op-p0", """[{"Caso":1},{"Caso":2}]""", $"\"{Incomplete}\""));
        Server.Enqueue(200, CenPage("op-p1", """[{"Caso":3}]""", "null"));

        var rows = await CollectAsync(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, null, CancellationToken.None));

        Assert.Equal(new (string?, string?)[] { ("op-p0", Incomplete), ("op-p0", Incomplete), ("op-p1", null) }, rows.Select(row => (row.OperationId, row.AdditionalInformation)));
        Assert.Equal(2, Server.RequestCount);
    }

    [Fact]
    public async Task A_later_cen_page_carries_its_own_additional_information()
    {
        Server.Enqueue(200, CenPage("op-p0", """[{"Caso":1},{"Caso":2}]""", "null"));
        Server.Enqueue(200, CenPage("op-p1", """[{"Caso":3}]""", $"\"{Incomplete}\""));

        var rows = await CollectAsync(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, null, CancellationToken.None));

        Assert.Equal(new string?[] { null, null, Incomplete }, rows.Select(row => row.AdditionalInformation));
    }

    [Fact]
    public async Task An_item_field_named_AdditionalInformation_is_kept_apart_from_the_envelopes()
    {
        // Neither hidden behind the envelope's value nor taken for it: the item's goes under Item. (twice, as some row
        // of the page has an Item object with such a field, so that the name is the same column on every row).
        Server.Enqueue(200, CenPage("op-i", """[{"Caso":1,"additionalInformation":"the item's own"},{"Caso":2,"AdditionalInformation":"second","Item":{"AdditionalInformation":"nested"}}]""", $"\"{Incomplete}\"", total: 2));

        var rows = await CollectAsync(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, null, CancellationToken.None));

        Assert.All(rows, row => Assert.Equal(Incomplete, row.AdditionalInformation));
        Assert.Equal(
            new KeyValuePair<string, object?>[] { new("Caso", 1m), new("Item.Item.additionalInformation", "the item's own"), new("Item.AdditionalInformation", null) },
            rows[0].GetFields());
        Assert.Equal(
            new KeyValuePair<string, object?>[] { new("Caso", 2m), new("Item.Item.additionalInformation", "second"), new("Item.AdditionalInformation", "nested") },
            rows[1].GetFields());
        Assert.DoesNotContain(rows.SelectMany(row => row.GetFields()), field => string.Equals(field.Key, "AdditionalInformation", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Tgr_resolutions_debts_and_instalments_carry_the_additional_information()
    {
        // The document's order: OperationId, Status, Data, then AdditionalInformation.
        Server.Enqueue(200, $$"""{"OperationId":"op-t","Status":"OK","Data":{{TgrData}},"AdditionalInformation":"{{Incomplete}}","Error":null,"LifeSpan":null}""");

        var resolutions = await CollectAsync(Client().GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None));

        Assert.Equal(2, resolutions.Count);
        Assert.All(resolutions, resolution => Assert.Equal(Incomplete, resolution.AdditionalInformation));
        var debts = resolutions.SelectMany(resolution => KhipuClient.Expand(resolution, TgrDetail.Debt)).Cast<TgrDebt>().ToList();
        var instalments = resolutions.SelectMany(resolution => KhipuClient.Expand(resolution, TgrDetail.Instalment)).Cast<TgrInstalment>().ToList();
        Assert.Equal(2, debts.Count);
        Assert.Single(instalments);
        Assert.All(debts, debt => Assert.Equal(Incomplete, debt.AdditionalInformation));
        Assert.All(instalments, instalment => Assert.Equal(Incomplete, instalment.AdditionalInformation));
    }

    /// <summary>
    /// An answer without rows has nothing to carry its note on: "Sin convenios" (Data null) was lost without a word. It
    /// is a warning now; an answer without a note, or one with rows, gives none.
    /// </summary>
    [Theory]
    [InlineData("null", "\"Sin convenios vencidos\"", true)]
    [InlineData("{\"Resolutions\":[]}", "\"Sin convenios vencidos\"", true)]
    [InlineData("null", "null", false)]
    [InlineData(TgrData, "\"Sin convenios vencidos\"", false)]
    public async Task A_tgr_answer_without_resolutions_gives_its_note_as_a_warning(string data, string note, bool warned)
    {
        Server.Enqueue(200, $$"""{"OperationId":"op-t","Status":"OK","Data":{{data}},"AdditionalInformation":{{note}},"Error":null,"LifeSpan":null}""");
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await CollectAsync(Client().GetTgrExpiredAgreementsAsync(null, false, context, CancellationToken.None));

        Assert.Equal(warned ? ["Khipu gave no TGR expired agreements, with this note (AdditionalInformation): Sin convenios vencidos"] : [], context.Warnings);
    }

    [Theory]
    [InlineData("[]", "\"Sin casos para el RUT\"", true)]
    [InlineData("[]", "null", false)]
    [InlineData("[{\"Caso\":1}]", "\"Sin casos para el RUT\"", false)]
    public async Task A_cen_answer_without_rows_gives_its_note_as_a_warning(string items, string note, bool warned)
    {
        Server.Enqueue(200, CenPage("op-c", items, note, total: items == "[]" ? 0 : 1));
        var context = new EnergyData.Tests.Neu.RecordingContext();

        await CollectAsync(Client().GetCenNonconformitiesAsync(CenQuery(), false, null, null, context, CancellationToken.None));

        Assert.Equal(warned ? ["Khipu gave no CEN nonconformities of RUT 76999999, with this note (AdditionalInformation): Sin casos para el RUT"] : [], context.Warnings);
    }

    /// <summary>
    /// Status OK without a document gave a row that passed for a success in a bulk run, and an empty Document saved an
    /// empty file: both are a warning now, with the note when there is one, and no file.
    /// </summary>
    [Theory]
    [InlineData("null", "\"Sin boleta disponible\"", " (AdditionalInformation: Sin boleta disponible)")]
    [InlineData("{\"Bill\":{\"ClientIdentifier\":\"1234567-8\",\"Document\":null}}", "null", "")]
    [InlineData("{\"Bill\":{\"ClientIdentifier\":\"1234567-8\",\"Document\":\"\"}}", "null", "")]
    public async Task An_enel_answer_without_a_document_gives_a_warning_and_saves_no_file(string data, string note, string noteShown)
    {
        Server.Enqueue(200, $$"""{"OperationId":"op-b","Status":"OK","Data":{{data}},"AdditionalInformation":{{note}},"Error":null,"LifeSpan":null}""");
        var context = new EnergyData.Tests.Neu.RecordingContext();
        var folder = Directory.CreateTempSubdirectory("energydata-nodoc-");
        try
        {
            var bill = await Client().GetEnelBillDocumentAsync("1234567-8", "facturas@example.cl", folder.FullName, context, CancellationToken.None);

            Assert.Null(bill.Document);
            Assert.Null(bill.Path);
            Assert.Empty(folder.EnumerateFiles());
            Assert.Equal(["Khipu gave no bill document for ClientIdentifier 1234567-8" + noteShown + "; no file was saved."], context.Warnings);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Delivered_cen_and_tgr_results_without_rows_give_their_note_as_a_warning()
    {
        var context = new EnergyData.Tests.Neu.RecordingContext();
        using (var cenBody = new MemoryStream(Encoding.UTF8.GetBytes(CenPage("op-dc", "[]", "\"Sin casos\"", total: 0))))
        {
            Assert.Empty(await KhipuClient.MapCallbackResultAsync(CenOperation("op-dc"), cenBody, context, CancellationToken.None));
        }

        using (var tgrBody = new MemoryStream(Encoding.UTF8.GetBytes("""{"OperationId":"op-dt","Status":"OK","Data":null,"AdditionalInformation":"Sin convenios","Error":null,"LifeSpan":null}""")))
        {
            Assert.Empty(await KhipuClient.MapCallbackResultAsync(new PendingOperation { OperationId = "op-dt", ServicePath = KhipuServices.TgrExpiredAgreements }, tgrBody, context, CancellationToken.None));
        }

        Assert.Equal(
            [
                "Khipu gave no CEN nonconformities of RUT 76999999 in operation op-dc, with this note (AdditionalInformation): Sin casos",
                "Khipu gave no TGR expired agreements in operation op-dt, with this note (AdditionalInformation): Sin convenios",
            ],
            context.Warnings);
    }

    [Fact]
    public async Task Delivered_cen_and_tgr_results_carry_the_additional_information()
    {
        var cen = await MapCallbackAsync(
            CenOperation("op-dc"),
            CenPage("op-dc", """[{"Caso":1},{"Caso":2}]""", $"\"{Incomplete}\"", total: 2));
        var tgr = await MapCallbackAsync(
            new PendingOperation { OperationId = "op-dt", ServicePath = KhipuServices.TgrExpiredAgreements, RequestInputs = { [RequestInputText.DetailKey] = "Debt" } },
            $$"""{"OperationId":"op-dt","Status":"OK","Data":{{TgrData}},"AdditionalInformation":"{{Incomplete}}","Error":null,"LifeSpan":null}""");

        Assert.Equal(2, cen.Count);
        Assert.All(cen.Cast<CenNonconformity>(), row => Assert.Equal(Incomplete, row.AdditionalInformation));
        Assert.Equal(2, tgr.Count);
        Assert.All(tgr.Cast<TgrDebt>(), debt => Assert.Equal(Incomplete, debt.AdditionalInformation));
    }

    private static string CenPage(string operationId, string items, string additionalInformation, int total = 3) =>
        $$$"""{"OperationId":"{{{operationId}}}","Status":"OK","Data":{"NonconformitiesList":{"TotalDisconformidades":{{{total}}},"Disconformidades":{{{items}}}}},"AdditionalInformation":{{{additionalInformation}}},"Error":null,"LifeSpan":null}""";

    private static PendingOperation CenOperation(string operationId) => new()
    {
        OperationId = operationId,
        ServicePath = KhipuServices.CenNonconformities,
        InputIdentifier = "76999999",
        RequestInputs = { ["FechaCreacionDelCasoDesde"] = "11/14/2019", ["FechaCreacionDelCasoHasta"] = "11/05/2025", ["Filas"] = "2", ["Paginas"] = "0" },
    };

    private static CenQuery CenQuery() => new() { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 2 };

    private static async Task<IReadOnlyList<object>> MapCallbackAsync(PendingOperation operation, string body)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return await KhipuClient.MapCallbackResultAsync(operation, stream, null, CancellationToken.None);
    }

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
