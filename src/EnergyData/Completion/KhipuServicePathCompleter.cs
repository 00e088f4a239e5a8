using System.Collections;
using System.Collections.Generic;
using EnergyData.Completion;
using EnergyData.Khipu;

namespace EnergyData.Commands.Completion;

/// <summary>Completes Invoke-KhipuRequest -Path with the Khipu services the module knows.</summary>
public sealed class KhipuServicePathCompleter : CandidateCompleter
{
    private static readonly CompletionCandidate[] Paths =
    {
        new(KhipuServices.EnelDebtStatus, "Enel debt status (Get-EnelDebtStatus)"),
        new(KhipuServices.EnelBillDocument, "Enel bill document (Get-EnelBillDocument)"),
        new(KhipuServices.CenNonconformities, "CEN nonconformities (Get-CenNonconformity)"),
        new(KhipuServices.TgrExpiredAgreements, "TGR expired agreements (Get-TgrExpiredAgreement)"),
    };

    protected override IEnumerable<CompletionCandidate> Candidates(string commandName, string parameterName, IDictionary fakeBoundParameters) => Paths;
}
