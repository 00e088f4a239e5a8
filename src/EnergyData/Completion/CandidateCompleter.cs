using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnergyData.Completion;

namespace EnergyData.Commands.Completion;

/// <summary>
/// Base of the module's argument completers: a subclass names its candidates; matching, ordering and quoting
/// are the core's <see cref="CompletionMatcher"/>.
/// </summary>
public abstract class CandidateCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionMatcher.Match(Candidates(commandName, parameterName, fakeBoundParameters), wordToComplete)
            .Select(match => new CompletionResult(match.CompletionText, match.ListItemText, CompletionResultType.ParameterValue, match.ToolTip))
            .ToList();

    /// <summary>The values to offer, best first.</summary>
    protected abstract IEnumerable<CompletionCandidate> Candidates(string commandName, string parameterName, IDictionary fakeBoundParameters);
}
