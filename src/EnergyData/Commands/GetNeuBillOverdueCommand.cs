using System.Management.Automation;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-NeuBillOverdue: the days in arrears (mora) of the user's bills.</summary>
[Cmdlet(VerbsCommon.Get, "NeuBillOverdue")]
[OutputType(typeof(NeuBillOverdue))]
public sealed class GetNeuBillOverdueCommand : NeuCmdlet
{
    protected override void ProcessRecord() =>
        Submit(null, context => context.WriteAllAsync(Neu.GetBillsOverdueAsync(context, context.CancellationToken)));
}
