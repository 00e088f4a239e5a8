using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuNotificationInteraction: the notifications the user interacted with, every page.</summary>
[Cmdlet(VerbsCommon.Get, "NeuNotificationInteraction", SupportsPaging = true)]
[OutputType(typeof(NeuNotificationInteraction))]
public sealed class GetNeuNotificationInteractionCommand : NeuCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime? From { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime? To { get; set; }

    protected override void ProcessRecord()
    {
        var from = From;
        var to = To;
        Submit(null, context =>
        {
            var paging = CreatePaging(context, "Notification interactions");
            return WritePagedAsync(context, paging, Neu.GetNotificationInteractionsAsync(from, to, paging, context, context.CancellationToken));
        });
    }
}
