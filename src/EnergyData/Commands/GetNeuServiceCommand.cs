using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuService: services by id, or every service of the accounts piped in.</summary>
[Cmdlet(VerbsCommon.Get, "NeuService", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(NeuService))]
public sealed class GetNeuServiceCommand : NeuCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByAccountSet = "ByAccount";

    /// <summary>Service ids (id_service).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [Alias("ServiceId", "id_service")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    public long[] Id { get; set; } = [];

    /// <summary>Every service of these accounts (what Get-NeuAccount passes down the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByAccountSet)]
    [Alias("id_account")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    public long[] AccountId { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByAccountSet)
        {
            foreach (var accountId in AccountId)
            {
                Submit(accountId, context => context.WriteAllAsync(Neu.GetAccountsAsync(accountId, context, context.CancellationToken), entry => entry.Services));
            }

            return;
        }

        foreach (var id in Id)
        {
            Submit(id, context => context.WriteAllAsync(Neu.GetServiceAsync(id, context, context.CancellationToken)));
        }
    }
}
