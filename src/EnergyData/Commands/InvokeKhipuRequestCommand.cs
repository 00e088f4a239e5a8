using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Invoke-KhipuRequest: calls any Khipu Open Data service path with any RequestData.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "KhipuRequest")]
[OutputType(typeof(KhipuResponse), typeof(KhipuOperation))]
public sealed class InvokeKhipuRequestCommand : KhipuCmdlet
{
    /// <summary>Service path relative to the base URI, for example v1/cl/services/enel.cl/debt-status-by-client-identifier.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServicePath")]
    [ArgumentCompleter(typeof(Completion.KhipuServicePathCompleter))]
    [AllowEmptyString]
    public string Path { get; set; } = string.Empty;

    /// <summary>The RequestData object: a hashtable or a [pscustomobject]. A PSCredential value is sent as {Username, Password}.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [DictionaryFromObject]
    public IDictionary? RequestData { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? CallbackUrl { get; set; }

    protected override void ProcessRecord()
    {
        var path = Path;
        IReadOnlyDictionary<string, object?> data;
        try
        {
            data = ConvertMap(RequestData);
        }
        catch (Validation.ParameterValidationException exception)
        {
            WriteFailure(exception, path);
            return;
        }

        if (!TryChooseCallbackUrl(CallbackUrl, path, out var callback))
        {
            return;
        }

        if (callback is null)
        {
            Submit(path, context => context.WriteResultAsync(Khipu.InvokeAsync(path, data, context, context.CancellationToken)));
        }
        else
        {
            Submit(path, context => context.WriteResultAsync(SubmitOperationAsync(new KhipuRequest(KhipuClient.ServicePath(path), data, Validation.InputRules.CallbackUrl(callback)) { IsGeneric = true }, null, context)));
        }
    }

    private static Dictionary<string, object?> ConvertMap(IDictionary? map) =>
        PlainValues.FromMap(map, "RequestData", value => value is PSCredential credential
                ? KhipuAccountCredential.FromUserName(credential.UserName, credential.Password)
                : throw new Validation.ParameterValidationException("RequestData", "must not contain a SecureString; pass a PSCredential for AccountCredential"));
}
