using System.Linq;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuService: every service of the user, services by id, or every service of the accounts piped in.</summary>
/// <remarks>
/// The list of every service is the default set without -Id, as Get-NeuAccount lists every account, rather than a set of
/// its own: the binder tries the default set first for each piped object, so it must be the set whose -Id binds a
/// ServiceId. A NeuService (or a Get-NeuAccount -ExpandService row) carries an AccountId too; with an id-less default
/// set, -Id and -AccountId would both bind at the same stage and the input would fail as ambiguous.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "NeuService", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(NeuService))]
public sealed class GetNeuServiceCommand : NeuCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByAccountSet = "ByAccount";

    /// <summary>Service ids (id_service); every service of the user when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [Alias("ServiceId", "id_service")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("Id", typeof(long))]
    public long[]? Id { get; set; }

    /// <summary>Every service of these accounts (what Get-NeuAccount passes down the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByAccountSet)]
    [Alias("id_account")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("AccountId", typeof(long))]
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

        // A piped service whose ServiceId is $null binds $null here: that input's error, not a listing of every service.
        if (IsBoundToNull(nameof(Id)))
        {
            return;
        }

        var ids = Id is null ? new long?[] { null } : Id.Select(id => (long?)id).ToArray();
        foreach (var id in ids)
        {
            Submit(id, context => context.WriteAllAsync(id is { } one
                ? Neu.GetServiceAsync(one, context, context.CancellationToken)
                : Neu.GetServicesAsync(context, context.CancellationToken)));
        }
    }
}
