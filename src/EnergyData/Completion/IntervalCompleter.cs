using System.Collections;
using System.Collections.Generic;
using EnergyData.Completion;

namespace EnergyData.Commands.Completion;

/// <summary>Completes a consumption interval: Hourly, Daily or Monthly (NEU's HOURLY, DAILY, MONTHLY).</summary>
public sealed class IntervalCompleter : CandidateCompleter
{
    private static readonly CompletionCandidate[] Intervals =
    {
        new("Hourly", "one reading per hour"),
        new("Daily", "one reading per day"),
        new("Monthly", "one reading per month"),
    };

    protected override IEnumerable<CompletionCandidate> Candidates(string commandName, string parameterName, IDictionary fakeBoundParameters) => Intervals;
}
