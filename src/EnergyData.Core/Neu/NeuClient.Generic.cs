using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>
/// One item of any NEU response: where it came from and its JSON text. Its fields, flattened (nested objects as
/// dotted names), come from <see cref="GetFields"/>; Invoke-NeuRequest adds them as properties of the output object.
/// </summary>
public sealed class NeuResponseItem
{
    private readonly IReadOnlyList<KeyValuePair<string, object?>> fields;

    internal NeuResponseItem(string method, string path, int index, IReadOnlyList<KeyValuePair<string, object?>> fields, string json)
    {
        RequestMethod = method;
        RequestPath = path;
        ItemIndex = index;
        this.fields = fields;
        RawJson = json;
    }

    public string RequestMethod { get; }

    public string RequestPath { get; }

    /// <summary>Position of the item in the response, from 0.</summary>
    public int ItemIndex { get; }

    public string RawJson { get; }

    /// <summary>Name and value pairs of the item (a method, so the object's display and Export-Csv show the fields once).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> GetFields() => fields;
}

public sealed partial class NeuClient
{
    /// <summary>
    /// Calls any NEU path. A JSON array response streams one item per element; an object with a <c>data</c> array gives
    /// its elements; any other object is one item. A scalar element becomes an item with a single Value field.
    /// </summary>
    public IAsyncEnumerable<NeuResponseItem> InvokeAsync(string? method, string? path, IReadOnlyDictionary<string, object?>? body, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var (verb, relative, content) = PrepareInvokeRequest(method, path, body);
        var route = new NeuRoute("Invoke", verb, relative, confirmed: false, isOverride: false);
        return InvokeCoreAsync(route, content, trace, cancellationToken);
    }

    /// <summary>
    /// The checks <see cref="InvokeAsync"/> makes before it sends anything: the method, the path, and a body that can
    /// be sent (not nested too deep, no value JSON cannot hold, nothing nested in a GET query string). Invoke-NeuRequest
    /// runs them before it asks ShouldProcess, so a bad input is reported rather than offered for confirmation.
    /// </summary>
    public static void CheckInvokeRequest(string? method, string? path, IReadOnlyDictionary<string, object?>? body) =>
        _ = PrepareInvokeRequest(method, path, body);

    private static (string Method, string Path, NeuBody? Body) PrepareInvokeRequest(string? method, string? path, IReadOnlyDictionary<string, object?>? body)
    {
        var verb = NeuInput.Method(method);
        var relative = NeuInput.Path(path);
        NeuBody? content = null;
        if (body is not null)
        {
            content = new NeuBody();
            foreach (var pair in body)
            {
                content.Add(pair.Key, pair.Value);
            }
        }
        else if (verb != "GET")
        {
            content = new NeuBody();
        }

        // Serialise once now, so a body that cannot be sent (nested too deep, a value of a type JSON cannot hold, a
        // nested object in a GET query string) is refused before any request.
        _ = content?.ToJson();
        if (verb == "GET")
        {
            _ = content?.ToQueryString();
        }

        return (verb, relative, content);
    }

    private async IAsyncEnumerable<NeuResponseItem> InvokeCoreAsync(NeuRoute route, NeuBody? body, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new NeuPageInfo();
        var index = 0;
        await foreach (var element in StreamAsync(route, null, body, (reader, token) => ReadItemsAsync(reader, page, rowsOnly: false, token), null, trace, cancellationToken).ConfigureAwait(false))
        {
            var fields = element.ValueKind == JsonValueKind.Object
                ? JsonFlattener.Flatten(element)
                : [new KeyValuePair<string, object?>("Value", ScalarOf(element))];
            yield return new NeuResponseItem(route.Method, route.Path, index++, fields, element.GetRawText());
        }
    }

    private static object? ScalarOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetDecimal(out var number) ? number : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };
}
