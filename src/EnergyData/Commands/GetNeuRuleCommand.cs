using System;
using System.Management.Automation;
using EnergyData.Neu;

namespace EnergyData.Commands;

/// <summary>Get-NeuRule: the active alarm rules configured on the NEU platform.</summary>
[Cmdlet(VerbsCommon.Get, "NeuRule", SupportsPaging = true)]
[OutputType(typeof(NeuRule))]
public sealed class GetNeuRuleCommand : NeuCmdlet
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
            var paging = CreatePaging(context, "Rules");
            return WritePagedAsync(context, paging, Neu.GetRulesAsync(projectId, from, to, paging, context, context.CancellationToken));
        });
    }
}
