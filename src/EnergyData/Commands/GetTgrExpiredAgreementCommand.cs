using System;
using System.Management.Automation;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Get-TgrExpiredAgreement: expired agreements (convenios vencidos) of a Tesorería account: one row per
/// resolution, or with -Detail one row per debt or per instalment.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TgrExpiredAgreement")]
[OutputType(typeof(TgrResolution), typeof(TgrDebt), typeof(TgrInstalment), typeof(KhipuOperation))]
public sealed class GetTgrExpiredAgreementCommand : KhipuCmdlet
{
    /// <summary>RequestData.AccountCredential: the TGR account; the session's when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AccountCredential]
    public PSCredential? AccountCredential { get; set; }

    /// <summary>Resolution (default), Debt or Instalment rows.</summary>
    [Parameter]
    public TgrDetail Detail { get; set; } = TgrDetail.Resolution;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? CallbackUrl { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryGetAccountCredential(AccountCredential, AccountCredential?.UserName ?? "TGR", out var credential))
        {
            return;
        }

        var required = ResolvedConnection.KhipuRequiresAccountCredential;
        var detail = Detail;
        var target = (object?)credential?.UserName ?? "TGR";
        if (!TryChooseCallbackUrl(CallbackUrl, target, out var callback))
        {
            return;
        }

        if (callback is not null)
        {
            Submit(target, context => context.WriteResultAsync(SubmitOperationAsync(KhipuClient.TgrRequest(credential, required, callback), credential?.UserName, context, detail.ToString())));
            return;
        }

        Submit(target, context => context.WriteAllAsync(
            Khipu.GetTgrExpiredAgreementsAsync(credential, required, context, context.CancellationToken),
            resolution => KhipuClient.Expand(resolution, detail)));
    }
}
