using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// A second document for the same client replaces the first, whatever their types: a text answer ("Documento no
/// disponible") was saved as enel-bill-7001.txt beside the earlier enel-bill-7001.pdf, which stayed and looked current.
/// </summary>
public sealed class EnelBillDocumentFileTests : IAsyncLifetime, IDisposable
{
    private static readonly string Pdf = Convert.ToBase64String(Encoding.ASCII.GetBytes("%PDF-1.4\n" + new string('x', 120)));

    private readonly HttpClient http = new();
    private readonly string folder = Path.Combine(Path.GetTempPath(), "enel-bills-" + Guid.NewGuid().ToString("N"));
    private ScriptedServer khipu = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        khipu = await ScriptedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await khipu.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        http.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_later_document_of_another_type_replaces_the_earlier_file_and_nothing_else()
    {
        // Files the module did not write under a client's name of its own: they stay whatever happens.
        string[] others = ["enel-bill-7001.pdf.bak", "enel-bill-70011.pdf", "enel-bill-7001", "bill-7001.txt"];
        foreach (var other in others)
        {
            File.WriteAllText(Path.Combine(folder, other), "not the module's");
        }

        khipu.Enqueue(200, Answer(Pdf));
        khipu.Enqueue(200, Answer("Documento no disponible por el momento"));
        khipu.Enqueue(200, Answer(Pdf));
        var trace = new RecordingTrace();

        var first = await Client().GetEnelBillDocumentAsync("7001", "a@b.cl", folder, trace, CancellationToken.None);
        var second = await Client().GetEnelBillDocumentAsync("7001", "a@b.cl", folder, trace, CancellationToken.None);
        var secondFiles = Names();
        var secondText = File.ReadAllText(Path.Combine(folder, "enel-bill-7001.txt"));
        var third = await Client().GetEnelBillDocumentAsync("7001", "a@b.cl", folder, trace, CancellationToken.None);

        Assert.Equal(Path.Combine(folder, "enel-bill-7001.pdf"), first.Path);
        Assert.Equal(Path.Combine(folder, "enel-bill-7001.txt"), second.Path);
        Assert.Equal(others.Append("enel-bill-7001.txt").Order(StringComparer.Ordinal), secondFiles);
        Assert.Equal("Documento no disponible por el momento", secondText);
        Assert.Equal(first.Path, third.Path);
        Assert.Equal(others.Append("enel-bill-7001.pdf").Order(StringComparer.Ordinal), Names());
        Assert.Contains($"Removed {first.Path}, the earlier bill document of ClientIdentifier 7001: {second.Path} replaces it.", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_without_a_document_leaves_the_earlier_file()
    {
        khipu.Enqueue(200, Answer(Pdf));
        khipu.Enqueue(200, Answer(string.Empty));

        await Client().GetEnelBillDocumentAsync("7001", "a@b.cl", folder, null, CancellationToken.None);
        var empty = await Client().GetEnelBillDocumentAsync("7001", "a@b.cl", folder, null, CancellationToken.None);

        Assert.Null(empty.Path);
        Assert.Equal(["enel-bill-7001.pdf"], Names());
    }

    private static string Answer(string document) =>
        """{"OperationId":"op","Status":"OK","Data":{"Bill":{"ClientIdentifier":"7001","Document":""" + "\"" + document + "\"" + """}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""";

    private string[] Names() => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private KhipuClient Client() => new(http, khipu.BaseUri, new KhipuClientOptions { MaxAttempts = 1 });
}
