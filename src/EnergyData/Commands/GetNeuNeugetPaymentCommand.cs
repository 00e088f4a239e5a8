using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuNeugetPayment: the neugets each account used to pay its bills.</summary>
[Cmdlet(VerbsCommon.Get, "NeuNeugetPayment")]
[OutputType(typeof(NeuNeugetPayment))]
public sealed class GetNeuNeugetPaymentCommand : NeuCmdlet
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
        Submit(accountId, context => context.WriteAllAsync(Neu.GetNeugetPaymentsAsync(accountId, context, context.CancellationToken)));
    }
}
