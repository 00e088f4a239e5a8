using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using EnergyData.Completion;

namespace EnergyData.Commands.Completion;

/// <summary>
/// Completes NEU account and service ids from the ones the session has seen (RecentValues.Shared, fed by the
/// NEU cmdlets), most recent first, with the account or service name as tooltip. A parameter whose name
/// mentions Service gets service ids, one that mentions Account gets account ids; a plain -Id takes the
/// cmdlet's noun (Get-NeuService -Id: services); anything else gets both.
/// </summary>
public sealed class NeuIdCompleter : CandidateCompleter
{
    protected override IEnumerable<CompletionCandidate> Candidates(string commandName, string parameterName, IDictionary fakeBoundParameters)
    {
        var name = string.Equals(parameterName, "Id", StringComparison.OrdinalIgnoreCase) ? commandName ?? string.Empty : parameterName ?? string.Empty;
        var services = name.IndexOf("Service", StringComparison.OrdinalIgnoreCase) >= 0;
        var accounts = name.IndexOf("Account", StringComparison.OrdinalIgnoreCase) >= 0;
        var store = RecentValues.Shared;
        if (services == accounts)
        {
            return store.Get(RecentValueKinds.NeuAccountId).Concat(store.Get(RecentValueKinds.NeuServiceId));
        }

        return store.Get(services ? RecentValueKinds.NeuServiceId : RecentValueKinds.NeuAccountId);
    }
}
