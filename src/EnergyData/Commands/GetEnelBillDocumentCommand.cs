using System;
using System.Management.Automation;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Get-EnelBillDocument: the bill document of Enel clients, optionally saved as files.</summary>
[Cmdlet(VerbsCommon.Get, "EnelBillDocument")]
[OutputType(typeof(EnelBillDocument), typeof(KhipuOperation))]
public sealed class GetEnelBillDocumentCommand : KhipuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClientId", "Client", "AccountNumber", "NumeroCliente", "NumeroDeCliente", "NumeroCuenta", "Cuenta")]
    [AllowEmptyString]
    public string ClientIdentifier { get; set; } = string.Empty;

    /// <summary>Any valid address: the Enel site needs one for its own process.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("EmailAddress", "Mail", "Correo", "CorreoElectronico")]
    [AllowEmptyString]
    public string Email { get; set; } = string.Empty;

    /// <summary>An existing folder: each document is saved there and the row's Path names the file. Not with -Async or -CallbackUrl.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? CallbackUrl { get; set; }

    protected override void ProcessRecord()
    {
        var identifier = ClientIdentifier;
        var email = Email;
        if (!TryChooseCallbackUrl(CallbackUrl, identifier, out var callback))
        {
            return;
        }

        var folder = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
        if (callback is null)
        {
            Submit(identifier, context => context.WriteResultAsync(Khipu.GetEnelBillDocumentAsync(identifier, email, folder, context, context.CancellationToken)));
        }
        else
        {
            Submit(identifier, context => context.WriteResultAsync(SubmitOperationAsync(KhipuClient.EnelBillDocumentRequest(identifier, email, callback, folder), identifier, context)));
        }
    }
}
