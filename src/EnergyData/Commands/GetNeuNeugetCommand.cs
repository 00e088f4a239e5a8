using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuNeuget: neuget transactions of an account, or of every account of the token.</summary>
[Cmdlet(VerbsCommon.Get, "NeuNeuget")]
[OutputType(typeof(NeuNeuget))]
public sealed class GetNeuNeugetCommand : NeuCmdlet
{
    /// <summary>The account (id_account); every account of the token when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("id_account", "Id")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("AccountId", typeof(long), EmptyText = EmptyIdText.Null)]
    public long? AccountId { get; set; }

    protected override void ProcessRecord()
    {
        if (IsBoundToNull(nameof(AccountId)))
        {
            return;
        }

        var accountId = AccountId;
        Submit(accountId, context => context.WriteAllAsync(Neu.GetNeugetsAsync(accountId, context, context.CancellationToken)));
    }
}
