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

    /// <summary>The RequestData object. A PSCredential value is sent as {Username, Password}.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
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

        var callback = CallbackUrl ?? AsyncCallbackUrl;
        if (callback is null)
        {
            Submit(path, context => context.WriteResultAsync(Khipu.InvokeAsync(path, data, context, context.CancellationToken)));
        }
        else
        {
            Submit(path, context => context.WriteResultAsync(SubmitOperationAsync(new KhipuRequest(KhipuClient.ServicePath(path), data, Validation.InputRules.CallbackUrl(callback)), null, context)));
        }
    }

    // PowerShell hands over PSObject wrappers and hashtables; the core wants plain values.
    private static Dictionary<string, object?> ConvertMap(IDictionary? map)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (DictionaryEntry entry in map)
        {
            var key = Convert.ToString(Unwrap(entry.Key), System.Globalization.CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(key))
            {
                throw new Validation.ParameterValidationException("RequestData", "must not have an empty key");
            }

            result[key!] = ConvertValue(entry.Value);
        }

        return result;
    }

    private static object? ConvertValue(object? value)
    {
        value = Unwrap(value);
        return value switch
        {
            null => null,
            PSCredential credential => KhipuAccountCredential.FromUserName(credential.UserName, credential.Password),
            System.Security.SecureString => throw new Validation.ParameterValidationException("RequestData", "must not contain a SecureString; pass a PSCredential for AccountCredential"),
            string text => text,
            IDictionary nested => ConvertMap(nested),
            IEnumerable items => ConvertList(items),
            _ => value,
        };
    }

    private static List<object?> ConvertList(IEnumerable items)
    {
        var list = new List<object?>();
        foreach (var item in items)
        {
            list.Add(ConvertValue(item));
        }

        return list;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapper ? wrapper.BaseObject : value;
}
