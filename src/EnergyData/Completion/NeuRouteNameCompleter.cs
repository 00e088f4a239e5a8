using System.Collections;
using System.Collections.Generic;
using System.Linq;
using EnergyData.Completion;
using EnergyData.Neu;

namespace EnergyData.Commands.Completion;

/// <summary>Completes NEU endpoint names (Get-NeuRoute -Name), with the default method and path as tooltip.</summary>
public sealed class NeuRouteNameCompleter : CandidateCompleter
{
    protected override IEnumerable<CompletionCandidate> Candidates(string commandName, string parameterName, IDictionary fakeBoundParameters) =>
        NeuRouteTable.Names.Select(name => new CompletionCandidate(name, NeuRouteTable.Default[name].ToString()));
}
