using System.Linq;
using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuAccount: the accounts of the NEU token (or one by id), one row per account or, with -ExpandService, per service.</summary>
[Cmdlet(VerbsCommon.Get, "NeuAccount")]
[OutputType(typeof(NeuAccount), typeof(NeuService))]
public sealed class GetNeuAccountCommand : NeuCmdlet
{
    /// <summary>One account (id_account); all of the token's accounts when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("AccountId", "id_account")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("Id", typeof(long))]
    public long[]? Id { get; set; }

    /// <summary>Emit one flat row per service (with its account) instead of one per account.</summary>
    [Parameter]
    public SwitchParameter ExpandService { get; set; }

    protected override void ProcessRecord()
    {
        // A piped object whose AccountId is $null binds $null here: that input's error, not a listing of every account.
        if (IsBoundToNull(nameof(Id)))
        {
            return;
        }

        var expand = ExpandService.IsPresent;
        var ids = Id is null ? new long?[] { null } : Id.Select(id => (long?)id).ToArray();
        foreach (var id in ids)
        {
            Submit(id, context => context.WriteAllAsync(
                Neu.GetAccountsAsync(id, context, context.CancellationToken),
                entry => expand ? entry.Services : new object[] { entry.Account }));
        }
    }
}
