using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuNotification: consumption notifications, 20 per page, every page.</summary>
[Cmdlet(VerbsCommon.Get, "NeuNotification", SupportsPaging = true)]
[OutputType(typeof(NeuNotification))]
public sealed class GetNeuNotificationCommand : NeuCmdlet
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
            var paging = CreatePaging(context, "Notifications");
            return WritePagedAsync(context, paging, Neu.GetNotificationsAsync(from, to, paging, context, context.CancellationToken));
        });
    }
}
