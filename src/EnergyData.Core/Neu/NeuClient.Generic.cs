using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>One item of any NEU response: its fields flattened (nested objects as dotted names) and its JSON text.</summary>
public sealed class NeuJsonItem
{
    internal NeuJsonItem(IReadOnlyList<KeyValuePair<string, object?>> fields, string json)
    {
        Fields = fields;
        Json = json;
    }

    /// <summary>Name and value pairs, ready to become the properties of one output object.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Fields { get; }

    public string Json { get; }
}

public sealed partial class NeuClient
{
    /// <summary>
    /// Calls any NEU path. A JSON array response streams one item per element; an object with a <c>data</c> array gives
    /// its elements; any other object is one item. A scalar element becomes an item with a single Value field.
    /// </summary>
    public IAsyncEnumerable<NeuJsonItem> InvokeAsync(string? method, string? path, IReadOnlyDictionary<string, object?>? body, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var verb = NeuInput.Method(method);
        var relative = NeuInput.Path(path);
        var route = new NeuRoute("Invoke", verb, relative, confirmed: false, isOverride: false);
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

        return InvokeCoreAsync(route, content, trace, cancellationToken);
    }

    private async IAsyncEnumerable<NeuJsonItem> InvokeCoreAsync(NeuRoute route, NeuBody? body, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new NeuPageInfo();
        await foreach (var element in StreamAsync(route, null, body, (reader, token) => ReadItemsAsync(reader, page, token), trace, cancellationToken).ConfigureAwait(false))
        {
            var fields = element.ValueKind == JsonValueKind.Object
                ? JsonFlattener.Flatten(element)
                : [new KeyValuePair<string, object?>("Value", ScalarOf(element))];
            yield return new NeuJsonItem(fields, element.GetRawText());
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
