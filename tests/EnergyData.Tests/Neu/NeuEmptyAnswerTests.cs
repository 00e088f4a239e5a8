using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Errors;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// The document gives no status codes: a server may answer an empty result, or a page past the last, with 204 No
/// Content or a 2xx without a body. That is no rows (a paged read ends there), not invalid JSON.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuEmptyAnswerTests : NeuEmulatorTests
{
    private static readonly DateTime From = new(2021, 4, 1);
    private readonly RecordingContext trace = new();

    public NeuEmptyAnswerTests(EmulatorFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Bills_end_at_a_page_answered_204_No_Content_as_at_an_empty_page()
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.NoContent, PathContains = "/neu/bills/", BodyContains = "\"Page\":2" });

        var bills = await Client.GetBillsAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(NeuData.BillPageSize, bills.Count);
        Assert.Equal(2, Server.State.Counters.For("neu/bills/"));
        Assert.Contains(trace.VerboseLines, line => line.Contains("204 No Content", StringComparison.Ordinal) && line.Contains("POST bills/, page 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rules_answered_204_No_Content_on_the_first_page_are_none()
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.NoContent, PathContains = "/neu/rules/" });

        Assert.Empty(await Client.GetRulesAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync());
        Assert.Equal(1, Server.State.Counters.For("neu/rules/"));
    }

    [Fact]
    public async Task Pqrs_consumption_and_Invoke_answered_204_No_Content_give_nothing_and_no_error()
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.NoContent, Count = 3 });
        var query = new NeuConsumptionQuery { AccountId = 41, From = From, To = From.AddDays(1) };

        Assert.Empty(await Client.GetPqrsAsync(null, null, trace, CancellationToken.None).ToListAsync());
        Assert.Empty(await Client.GetConsumptionAsync(query, trace, CancellationToken.None).ToListAsync());
        Assert.Empty(await Client.InvokeAsync("POST", "pqrs/", null, trace, CancellationToken.None).ToListAsync());
        Assert.Equal(3, Server.State.Counters.FaultsInjected);
    }

    /// <summary>204, and a 200 whose body is empty however it is framed (Content-Length: 0, chunked) or is white space.</summary>
    [Theory]
    [InlineData(204, "", false)]
    [InlineData(200, "", false)]
    [InlineData(200, "", true)]
    [InlineData(200, " \r\n", false)]
    public async Task A_2xx_answer_without_a_body_is_no_rows_for_every_kind_of_read(int status, string body, bool chunked)
    {
        await using var scripted = await ScriptedServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = status;
            if (chunked)
            {
                // Flushing before anything is written sends the headers without a length: the body is chunked, and empty.
                await ctx.Response.Body.FlushAsync();
            }

            if (body.Length > 0)
            {
                await ctx.Response.WriteAsync(body);
            }
        });
        using var http = new HttpClient();
        var neu = new NeuClient(http, scripted.BaseUri);
        var query = new NeuConsumptionQuery { AccountId = 41, From = From, To = From.AddDays(1) };

        Assert.Empty(await neu.GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync());
        Assert.Empty(await neu.GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync());
        Assert.Empty(await neu.GetFrontierConsumptionAsync(["Frt00123"], From, From.AddDays(1), null, CancellationToken.None).ToListAsync());
        Assert.Empty(await neu.InvokeAsync("GET", "accounts/", null, null, CancellationToken.None).ToListAsync());
        Assert.Equal(4, scripted.RequestCount);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_an_invalid_response_that_names_the_status_the_route_and_the_page()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "[{\"id_bill\":9000,\"id_service\":282}]");
        scripted.Enqueue(200, "<html><body>Gateway</body></html>");
        using var http = new HttpClient();
        var neu = new NeuClient(http, scripted.BaseUri);
        var rows = 0;

        var failure = await Assert.ThrowsAsync<NeuProtocolException>(async () =>
        {
            await foreach (var bill in neu.GetBillsAsync(null, null, null, null, null, CancellationToken.None))
            {
                rows++;
            }
        });

        Assert.Equal(1, rows);
        Assert.StartsWith("NEU answered 200 OK to Bills (POST bills/, page 2) with a body that cannot be read: Invalid or truncated JSON after stream byte 0", failure.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", ErrorMapper.FromException(failure, null).ErrorId);
    }
}
