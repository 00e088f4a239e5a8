using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuBillDueDate: the timely-payment date of each bill, following every page (nextPage/maxPage).</summary>
[Cmdlet(VerbsCommon.Get, "NeuBillDueDate", SupportsPaging = true)]
[OutputType(typeof(NeuBillDueDate))]
public sealed class GetNeuBillDueDateCommand : NeuCmdlet
{
    /// <summary>Only the bills of this service (Id_service).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("id_service")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("ServiceId", typeof(long), EmptyText = EmptyIdText.Null)]
    public long? ServiceId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime? From { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime? To { get; set; }

    protected override void ProcessRecord()
    {
        if (IsBoundToNull(nameof(ServiceId)))
        {
            return;
        }

        var serviceId = ServiceId;
        var from = From;
        var to = To;
        Submit(serviceId, context =>
        {
            var paging = CreatePaging(context, "Bill due dates");
            return WritePagedAsync(context, paging, Neu.GetBillDueDatesAsync(serviceId, from, to, paging, context, context.CancellationToken));
        });
    }
}
