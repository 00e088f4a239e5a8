using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuBill: every bill (all pages), one row per bill, or one row per bill concept with -ExpandConcept.</summary>
[Cmdlet(VerbsCommon.Get, "NeuBill", SupportsPaging = true)]
[OutputType(typeof(NeuBill), typeof(NeuBillConcept))]
public sealed class GetNeuBillCommand : NeuCmdlet
{
    /// <summary>Only the bills of this service (Id_service; the document calls it the project).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("id_service")]
    [ArgumentCompleter(typeof(Completion.NeuIdCompleter))]
    [CheckedConversion("ServiceId", typeof(long), EmptyText = EmptyIdText.Null)]
    public long? ServiceId { get; set; }

    /// <summary>Earliest bill date.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime? From { get; set; }

    /// <summary>Latest bill date.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime? To { get; set; }

    /// <summary>Emit the bills' concept lines (NeuBillConcept) instead of the bills.</summary>
    [Parameter]
    public SwitchParameter ExpandConcept { get; set; }

    protected override void ProcessRecord()
    {
        if (IsBoundToNull(nameof(ServiceId)))
        {
            return;
        }

        var serviceId = ServiceId;
        var from = From;
        var to = To;
        var expand = ExpandConcept.IsPresent;
        Submit(serviceId, context =>
        {
            var paging = CreatePaging(context, serviceId is { } id ? "Bills of service " + id : "Bills");

            // With -ExpandConcept the core pages concepts, so -First and -Skip count the concept rows written.
            return expand
                ? WritePagedAsync(context, paging, Neu.GetBillConceptsAsync(serviceId, from, to, paging, context, context.CancellationToken))
                : WritePagedAsync(context, paging, Neu.GetBillsAsync(serviceId, from, to, paging, context, context.CancellationToken), entry => [entry.Bill]);
        });
    }
}
