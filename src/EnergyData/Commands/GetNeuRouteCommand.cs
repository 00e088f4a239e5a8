using System;
using System.Linq;
using System.Management.Automation;
using EnergyData.Connection;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Get-NeuRoute: the effective NEU route table (method and path of each endpoint), showing which routes this session
/// overrides and which defaults are confirmed by public use of the API. Sends nothing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "NeuRoute")]
[OutputType(typeof(NeuRouteInfo))]
public sealed class GetNeuRouteCommand : EnergyDataCmdlet
{
    /// <summary>A connection from Connect-EnergyData -PassThru; the session's when omitted (the defaults when not connected).</summary>
    [Parameter]
    [ValidateNotNull]
    public EnergyDataConnection? Connection { get; set; }

    /// <summary>Accepted for symmetry with the other NEU cmdlets; nothing is sent.</summary>
    [Parameter]
    [ValidateRange(1, PumpOptions.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>Only these endpoints, by name (case-insensitive), for example Consumption or BillsOverdue.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.NeuRouteNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var connection = Connection ?? EnergyDataSession.Current;
        var table = connection?.GetNeuRoutes() ?? NeuRouteTable.Default;
        var names = Name?.Select(name => name.Trim()).ToList();
        foreach (var unknown in names?.Where(name => !NeuRouteTable.Names.Contains(name, StringComparer.OrdinalIgnoreCase)) ?? [])
        {
            WriteFailureNow(new Validation.ParameterValidationException("Name", "must name a NEU endpoint (" + string.Join(", ", NeuRouteTable.Names) + ")", $"'{unknown}' is not one."), unknown);
        }

        foreach (var route in table.Describe())
        {
            if (names is null || names.Contains(route.Name, StringComparer.OrdinalIgnoreCase))
            {
                WriteObject(route);
            }
        }
    }
}
