using System;
using System.Management.Automation;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-EnelDebtStatus: the debt status of Enel clients, one row per client identifier.</summary>
[Cmdlet(VerbsCommon.Get, "EnelDebtStatus")]
[OutputType(typeof(EnelDebtStatus), typeof(KhipuOperation))]
public sealed class GetEnelDebtStatusCommand : KhipuCmdlet
{
    /// <summary>
    /// Client identifiers: text, numbers, or objects with a ClientIdentifier property or one of its aliases. The
    /// transformation takes such an object's property before the binder would convert the whole object to text (it
    /// does when the property holds a number, as in rows of Invoke-Sqlcmd, ConvertFrom-Json or Import-Excel).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClientId", "Client", "AccountNumber", "NumeroCliente", "NumeroDeCliente", "NumeroCuenta", "Cuenta")]
    [TextFromPipeline(nameof(ClientIdentifier), "ClientId", "Client", "AccountNumber", "NumeroCliente", "NumeroDeCliente", "NumeroCuenta", "Cuenta")]
    [AllowEmptyString]
    public string[] ClientIdentifier { get; set; } = Array.Empty<string>();

    /// <summary>Asynchronous mode: Khipu answers at once and POSTs the result to this URL later.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? CallbackUrl { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var identifier in ClientIdentifier)
        {
            if (!TryChooseCallbackUrl(CallbackUrl, identifier, out var callback))
            {
                continue;
            }

            if (callback is null)
            {
                Submit(identifier, context => context.WriteResultAsync(Khipu.GetEnelDebtStatusAsync(identifier, context, context.CancellationToken)));
            }
            else
            {
                Submit(identifier, context => context.WriteResultAsync(SubmitOperationAsync(KhipuClient.EnelDebtStatusRequest(identifier, callback), identifier, context)));
            }
        }
    }
}
