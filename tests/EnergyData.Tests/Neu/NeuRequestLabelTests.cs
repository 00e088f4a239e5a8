using System;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// A NEU error names the input its request was for, whether the id goes in the path or the body: found by an independent
/// server, a failure of Get-NeuNeuget read "to Neugets (GET neugets/{id}/)" for every account, and one of
/// Get-NeuConsumption -ServiceId named no service at all.
/// </summary>
public sealed class NeuRequestLabelTests
{
    [Fact]
    public async Task An_error_of_a_route_with_the_id_in_its_path_names_the_id()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(404, "{\"detail\":\"No encontrado.\"}");

        var error = await Assert.ThrowsAsync<NeuException>(() => NeuPagingTests.Client(server).GetNeugetsAsync(41, null, CancellationToken.None).ToListAsync());

        Assert.Contains("to Neugets (GET neugets/{id}/, id 41).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_of_a_consumption_request_for_services_names_them()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(404, "{\"detail\":\"No encontrado.\"}").Enqueue(404, "{\"detail\":\"No encontrado.\"}");
        var client = NeuPagingTests.Client(server);
        var oneService = new NeuConsumptionQuery { ServiceIds = [282, 450], From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 2) };
        var manyServices = new NeuConsumptionQuery { ServiceIds = [1, 2, 3, 4, 5, 6], From = new DateTime(2021, 4, 1), To = new DateTime(2021, 4, 2) };

        var error = await Assert.ThrowsAsync<NeuException>(() => client.GetConsumptionAsync(oneService, null, CancellationToken.None).ToListAsync());
        var manyError = await Assert.ThrowsAsync<NeuException>(() => client.GetConsumptionAsync(manyServices, null, CancellationToken.None).ToListAsync());

        Assert.Contains("(POST data/consumption/, Id_services 282,450).", error.Message, StringComparison.Ordinal);
        Assert.Contains("(POST data/consumption/, Id_services 1,2,3,4,5,...).", manyError.Message, StringComparison.Ordinal);
    }
}
