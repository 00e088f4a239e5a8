using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuRuleHistory: one row per rule firing (the rule's fields with the date and value that met it), and one per rule without firings.</summary>
[Cmdlet(VerbsCommon.Get, "NeuRuleHistory", SupportsPaging = true)]
[OutputType(typeof(NeuRuleFiring))]
public sealed class GetNeuRuleHistoryCommand : NeuCmdlet
{
    /// <summary>Only the rules of this project (Id_project).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("id_project")]
    [CheckedConversion("ProjectId", typeof(long), EmptyText = EmptyIdText.Null)]
    public long? ProjectId { get; set; }

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
        if (IsBoundToNull(nameof(ProjectId)))
        {
            return;
        }

        var projectId = ProjectId;
        var from = From;
        var to = To;
        Submit(projectId, context =>
        {
            var paging = CreatePaging(context, "Rule history");
            return WritePagedAsync(context, paging, Neu.GetRuleHistoryAsync(projectId, from, to, paging, context, context.CancellationToken));
        });
    }
}
