using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// A Khipu server that sorts its keys (Flask's jsonify, Go maps, Python's sort_keys) writes Data before OperationId
/// and Disconformidades before TotalDisconformidades: the rows, streamed while Data is read, still carry both.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class SortedKeyEnvelopeTests
{
    private static readonly KhipuAccountCredential Account = KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());
    private readonly EmulatorServer server;

    public SortedKeyEnvelopeTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        server.State.KhipuOptions.SortedKeys = true;
    }

    [Fact]
    public async Task Cen_rows_of_the_first_and_the_later_pages_carry_their_operation_id_and_the_total()
    {
        server.State.KhipuOptions.CenTotal = 450;
        using var connection = KhipuTestConnections.WithApiKey(server);
        var paging = new CenPagingState();
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 200, AccountCredential = Account };

        var rows = new List<CenNonconformity>();
        await foreach (var row in connection.GetKhipuClient().GetCenNonconformitiesAsync(query, true, paging, null, null, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(450, rows.Count);
        Assert.All(rows, row => Assert.Equal(450, row.TotalCount));
        Assert.All(rows, row => Assert.False(string.IsNullOrEmpty(row.OperationId)));

        // Each page is its own request, with its own OperationId: every row has its page's.
        var operationIdsByPage = rows.GroupBy(row => row.Page).ToDictionary(page => page.Key, page => page.Select(row => row.OperationId).Distinct().ToList());
        Assert.Equal([0, 1, 2], operationIdsByPage.Keys.Order());
        Assert.All(operationIdsByPage.Values, ids => Assert.Single(ids));
        Assert.Equal(3, operationIdsByPage.Values.Select(ids => ids[0]).Distinct().Count());
        Assert.Equal(3, paging.PagesFetched);
        Assert.Equal(3, server.State.Counters.For(KhipuEndpoints.CenNonconformitiesPath));
    }

    [Fact]
    public async Task Tgr_resolutions_debts_and_instalments_carry_the_operation_id()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var resolutions = new List<TgrResolution>();
        await foreach (var resolution in connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(Account, true, null, CancellationToken.None))
        {
            resolutions.Add(resolution);
        }

        Assert.NotEmpty(resolutions);
        var operationId = resolutions[0].OperationId;
        Assert.False(string.IsNullOrEmpty(operationId));
        Assert.All(resolutions, resolution => Assert.Equal(operationId, resolution.OperationId));
        var debts = resolutions.SelectMany(resolution => resolution.GetDebts()).ToList();
        var instalments = resolutions.SelectMany(resolution => resolution.GetInstalments()).ToList();
        Assert.NotEmpty(debts);
        Assert.NotEmpty(instalments);
        Assert.All(debts, debt => Assert.Equal(operationId, debt.OperationId));
        Assert.All(instalments, instalment => Assert.Equal(operationId, instalment.OperationId));
    }
}
