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
/// dotted names), come from <see cref="GetFields"/> under the columns of its response, so that every item of one
/// response has the same names in the same order; Invoke-NeuRequest adds them as properties of the output object.
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

    /// <summary>
    /// Name and value pairs of the item: one per column of its response, in the same order on every item (null where
    /// this item has no such field), then, on an item after the first <see cref="NeuClientOptions.ColumnScanItems"/>,
    /// any field that is no column. A method, so the object's display and Export-Csv show the fields once.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> GetFields() => fields;
}

public sealed partial class NeuClient
{
    /// <summary>
    /// Calls any NEU path. A JSON array response streams one item per element; an object with a <c>data</c> array gives
    /// its elements; any other object is one item. A scalar element becomes an item with a single Value field. Every
    /// item of the response has the same columns (<see cref="NeuResponseItem.GetFields"/>), so the items are held
    /// until the response ends or <see cref="NeuClientOptions.ColumnScanItems"/> (or
    /// <see cref="NeuClientOptions.ColumnScanChars"/>) is reached.
    /// </summary>
    public IAsyncEnumerable<NeuResponseItem> InvokeAsync(string? method, string? path, IReadOnlyDictionary<string, object?>? body, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var (verb, relative, content) = PrepareInvokeRequest(method, path, body);
        var route = new NeuRoute("Invoke-NeuRequest", verb, relative, confirmed: false, isOverride: false);
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

    /// <summary>
    /// Reads the items of one response and hands them out under the same columns (see <see cref="FlatColumns.ShareAsync"/>):
    /// the items are held until the response ends, or until <see cref="NeuClientOptions.ColumnScanItems"/> items or
    /// <see cref="NeuClientOptions.ColumnScanChars"/> characters of their JSON text are held, whichever comes first;
    /// the columns are those of the items held, and an item after them keeps its own fields that are no column after
    /// the columns. Items read before a failure are still handed out before it.
    /// </summary>
    private async IAsyncEnumerable<NeuResponseItem> InvokeCoreAsync(NeuRoute route, NeuBody? body, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = 0;
        var heldItems = 0;
        long heldChars = 0;
        bool HoldEnds((IReadOnlyList<KeyValuePair<string, object?>> Fields, string Json) item)
        {
            heldItems++;
            heldChars += item.Json.Length;
            return heldItems >= options.ColumnScanItems || heldChars >= options.ColumnScanChars;
        }

        await foreach (var (item, fields) in FlatColumns.ShareAsync(ReadInvokeItemsAsync(route, body, trace, cancellationToken), item => item.Fields, HoldEnds, null).ConfigureAwait(false))
        {
            yield return new NeuResponseItem(route.Method, route.Path, index++, fields, item.Json);
        }
    }

    /// <summary>The items of one response as they are read: their fields, flattened, and their JSON text.</summary>
    private async IAsyncEnumerable<(IReadOnlyList<KeyValuePair<string, object?>> Fields, string Json)> ReadInvokeItemsAsync(NeuRoute route, NeuBody? body, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new NeuPageInfo();
        await foreach (var element in StreamAsync(route, null, body, (reader, token) => ReadItemsAsync(reader, page, rowsOnly: false, token), null, trace, cancellationToken).ConfigureAwait(false))
        {
            var fields = element.ValueKind == JsonValueKind.Object
                ? JsonFlattener.Flatten(element)
                : [new KeyValuePair<string, object?>("Value", ScalarOf(element))];
            yield return (fields, element.GetRawText());
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
