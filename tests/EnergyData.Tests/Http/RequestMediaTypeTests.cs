using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Http;

/// <summary>Both clients label their JSON bodies exactly as the Khipu documents' curl examples do.</summary>
public sealed class RequestMediaTypeTests
{
    [Fact]
    public async Task Khipu_requests_are_sent_as_application_json_without_a_charset()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(200, """{"OperationId":"op-1","Status":"OK","Data":{"DebtStatus":{"ClientIdentifier":"1"}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        using var http = new HttpClient();

        await new KhipuClient(http, server.BaseUri).GetEnelDebtStatusAsync("1", null, CancellationToken.None);

        Assert.Equal("application/json", server.Requests.Single().Header("Content-Type"));
    }

    [Fact]
    public async Task Neu_requests_with_a_body_are_sent_as_application_json_without_a_charset()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(200, "[]");
        using var http = new HttpClient();
        var client = new NeuClient(http, server.BaseUri);

        await foreach (var unused in client.InvokeAsync("POST", "data/consumption/", new Dictionary<string, object?> { ["Id_account"] = 1 }, null, CancellationToken.None))
        {
        }

        Assert.Equal("application/json", server.Requests.Single().Header("Content-Type"));
    }
}
