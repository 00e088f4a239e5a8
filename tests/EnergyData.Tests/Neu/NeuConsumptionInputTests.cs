using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Pipeline;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// What one Get-NeuConsumption input asks for. The cmdlet has one parameter set with -AccountId and -ServiceId both
/// optional (two sets locked piped rows onto the default one), so the core decides per input: an object piped with
/// both ids names a service, and neither (unless the command had no pipeline input: then every service is read),
/// both, or an empty service id are refused before any request.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuConsumptionInputTests
{
    private static readonly DateTime From = new(2025, 1, 1);
    private static readonly DateTime To = new(2025, 1, 3);
    private readonly EmulatorServer server;

    public NeuConsumptionInputTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public void An_object_piped_with_both_ids_names_a_service_of_that_account()
    {
        // A NeuService, a Get-NeuAccount -ExpandService row, a CSV row with both columns.
        var query = NeuConsumptionQuery.ForInput(41, ArgumentSource.Pipeline, [282], ArgumentSource.Pipeline, NeuInterval.Hourly, From, To);

        Assert.Null(query.AccountId);
        Assert.Equal(new long[] { 282 }, query.ServiceIds);
        Assert.Equal(NeuInterval.Hourly, query.Interval);
        Assert.Equal(From, query.From);
        Assert.Equal(To, query.To);
    }

    [Fact]
    public async Task One_id_reads_that_account_or_those_services()
    {
        using var connection = NeuTestConnection.Create(server);
        var client = connection.GetNeuClient();

        var byAccount = await client.GetConsumptionAsync(NeuConsumptionQuery.ForInput(42, ArgumentSource.Pipeline, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To), null, CancellationToken.None).ToListAsync();
        var byServices = await client.GetConsumptionAsync(NeuConsumptionQuery.ForInput(null, ArgumentSource.NotGiven, [282, 283], ArgumentSource.CommandLine, NeuInterval.Daily, From, To), null, CancellationToken.None).ToListAsync();

        Assert.NotEmpty(byAccount);
        Assert.All(byAccount, row => Assert.Equal(450, row.ServiceId));
        Assert.Equal(new long?[] { 282, 283 }, byServices.Select(row => row.ServiceId).Distinct().Order());
    }

    [Theory]
    [InlineData(ArgumentSource.CommandLine, ArgumentSource.Pipeline)]
    [InlineData(ArgumentSource.Pipeline, ArgumentSource.CommandLine)]
    [InlineData(ArgumentSource.CommandLine, ArgumentSource.CommandLine)]
    public async Task Both_ids_with_one_from_the_command_line_are_refused(ArgumentSource accountSource, ArgumentSource servicesSource)
    {
        // Get-NeuService | Get-NeuConsumption -AccountId 41: which one was meant cannot be told.
        var query = NeuConsumptionQuery.ForInput(41, accountSource, [282], servicesSource, NeuInterval.Daily, From, To);

        var error = await RefusedAsync(query);

        Assert.Equal("AccountId", error.ParamName);
        Assert.Contains("cannot be combined with ServiceId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_piped_service_id_that_is_empty_is_refused_not_replaced_by_the_account()
    {
        // A service NEU listed without id_service, piped with its account id: reading the whole account instead would
        // answer another question.
        var query = NeuConsumptionQuery.ForInput(41, ArgumentSource.Pipeline, null, ArgumentSource.Pipeline, NeuInterval.Daily, From, To);

        Assert.Null(query.AccountId);
        Assert.Empty(query.ServiceIds!);
        var error = await RefusedAsync(query);
        Assert.Equal("ServiceId", error.ParamName);
        Assert.Contains("at least one id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ArgumentSource.CommandLine, ArgumentSource.Pipeline)]
    [InlineData(ArgumentSource.Pipeline, ArgumentSource.CommandLine)]
    [InlineData(ArgumentSource.CommandLine, ArgumentSource.CommandLine)]
    public async Task An_empty_service_id_beside_an_account_id_is_refused_not_read_as_the_whole_account(ArgumentSource accountSource, ArgumentSource servicesSource)
    {
        // Get-NeuService | Get-NeuConsumption -AccountId 41, with a service listed without id_service: the input gave
        // both, so it is refused as it would be with an id, instead of reading every service of account 41.
        var query = NeuConsumptionQuery.ForInput(41, accountSource, null, servicesSource, NeuInterval.Daily, From, To);

        var error = await RefusedAsync(query);

        Assert.Equal("AccountId", error.ParamName);
        Assert.Contains("cannot be combined with ServiceId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_csv_cell_piped_as_the_id_0_counts_as_not_given()
    {
        // Id_account,Id_services,Interval,From,To with "41,," and ",282,": the binder turns each empty cell into 0.
        var byAccount = NeuConsumptionQuery.ForInput(41, ArgumentSource.Pipeline, [0], ArgumentSource.Pipeline, NeuInterval.Daily, From, To);
        var byService = NeuConsumptionQuery.ForInput(0, ArgumentSource.Pipeline, [282], ArgumentSource.Pipeline, NeuInterval.Daily, From, To);
        var typed = NeuConsumptionQuery.ForInput(0, ArgumentSource.CommandLine, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To);

        Assert.Equal(41, byAccount.AccountId);
        Assert.Null(byAccount.ServiceIds);
        Assert.Null(byService.AccountId);
        Assert.Equal([282L], byService.ServiceIds!);
        Assert.Equal(0, typed.AccountId);
    }

    [Fact]
    public async Task Neither_id_is_refused_naming_both_parameters_before_any_request()
    {
        // Values of parameters not given are not used, whatever they hold.
        var query = NeuConsumptionQuery.ForInput(5, ArgumentSource.NotGiven, [7], ArgumentSource.NotGiven, NeuInterval.Daily, From, To);

        Assert.Null(query.AccountId);
        Assert.Null(query.ServiceIds);
        var error = await RefusedAsync(query);
        Assert.Equal("AccountId", error.ParamName);
        Assert.StartsWith("Parameter 'AccountId' or 'ServiceId' is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("-AccountId or -ServiceId", error.Message, StringComparison.Ordinal);
        Assert.Contains("Id_account", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_id_without_pipeline_input_reads_every_service_of_the_user()
    {
        // Get-NeuConsumption -From .. -To .. with no input: the document marks both ids optional.
        var query = NeuConsumptionQuery.ForInput(null, ArgumentSource.NotGiven, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To, everyServiceWhenNeither: true);
        using var connection = NeuTestConnection.Create(server);

        var rows = await connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync();

        Assert.True(query.EveryService);
        Assert.Equal("{\"Interval\":\"DAILY\",\"From\":\"2025-01-01T00:00:00\",\"To\":\"2025-01-03T00:00:00\"}", server.State.Neu.LastBody);
        Assert.True(rows.Select(row => row.AccountId).Distinct().Count() > 1, "rows of more than one account");
        Assert.Equal(NeuData.AllServices.Select(service => (long?)service.Id).Order(), rows.Select(row => row.ServiceId).Distinct().Order());
    }

    [Fact]
    public void An_id_given_wins_over_every_service()
    {
        var byAccount = NeuConsumptionQuery.ForInput(41, ArgumentSource.CommandLine, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To, everyServiceWhenNeither: true);
        var byServices = NeuConsumptionQuery.ForInput(null, ArgumentSource.NotGiven, [282], ArgumentSource.CommandLine, NeuInterval.Daily, From, To, everyServiceWhenNeither: true);

        Assert.False(byAccount.EveryService);
        Assert.Equal(41, byAccount.AccountId);
        Assert.False(byServices.EveryService);
        Assert.Equal([282L], byServices.ServiceIds!);
    }

    [Fact]
    public void Every_input_gives_its_rows_or_its_own_error_and_a_bad_one_stops_none()
    {
        // As the cmdlet runs piped inputs: one operation per input on one pump, the query checked inside the operation.
        using var connection = NeuTestConnection.Create(server);
        var client = connection.GetNeuClient();
        var sink = new RecordingSink();
        var inputs = new[]
        {
            NeuConsumptionQuery.ForInput(42, ArgumentSource.Pipeline, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To),
            NeuConsumptionQuery.ForInput(null, ArgumentSource.NotGiven, null, ArgumentSource.NotGiven, NeuInterval.Daily, From, To),
            NeuConsumptionQuery.ForInput(41, ArgumentSource.Pipeline, [282], ArgumentSource.Pipeline, NeuInterval.Daily, From, To),
        };

        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 2, Ordered = true }, CancellationToken.None))
        {
            foreach (var query in inputs)
            {
                pump.Submit(query.AccountId, context => context.WriteBatchesAsync(client.GetConsumptionBatchesAsync(query, context, context.CancellationToken)));
            }

            pump.Complete();
        }

        var error = Assert.Single(sink.Errors);
        Assert.Equal("InvalidParameter", error.ErrorId);
        Assert.False(error.IsTerminating);
        var rows = sink.Objects.Cast<NeuConsumption>().ToList();
        Assert.Equal(new long?[] { 450, 282 }, rows.Select(row => row.ServiceId).Distinct());
        Assert.Equal(2, server.State.Counters.Total);
    }

    private async Task<ParameterValidationException> RefusedAsync(NeuConsumptionQuery query)
    {
        using var connection = NeuTestConnection.Create(server);
        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => connection.GetNeuClient().GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync());
        Assert.Equal(0, server.State.Counters.Total);
        return error;
    }
}
