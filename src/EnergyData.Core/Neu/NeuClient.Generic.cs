using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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

/// <summary>
/// The columns of one Invoke-NeuRequest command: every item it writes gets the names of the first item it wrote
/// (null where an item has no such field), so that rows of later responses (other pages) export under the same
/// columns. An item with a field that is no such column keeps it after them; Export-Csv will not write it.
/// </summary>
public sealed class NeuOutputColumns
{
    private FlatColumns? first;

    /// <summary>
    /// The fields to write for <paramref name="item"/>, and the names of those of its fields that hold a value but are
    /// not among the first item's (none for the first item itself).
    /// </summary>
    public (IReadOnlyList<KeyValuePair<string, object?>> Fields, IReadOnlyList<string> NotInFirstItem) Arrange(NeuResponseItem item)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        var fields = item.GetFields();
        if (first is null)
        {
            first = FlatColumns.Of(fields.Select(field => field.Key));
            return (fields, []);
        }

        var arranged = first.Arrange(fields, out var unwritten);
        if (unwritten == 0)
        {
            return (arranged, []);
        }

        var names = new List<string>(unwritten);
        for (var i = first.Names.Count; i < arranged.Count; i++)
        {
            if (arranged[i].Value is not null)
            {
                names.Add(arranged[i].Key);
            }
        }

        return (arranged, names);
    }
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
    /// Reads the items of one response and hands them out under the same columns (see <see cref="FlatColumns"/>): the
    /// items are held until the response ends, or until <see cref="NeuClientOptions.ColumnScanItems"/> items or
    /// <see cref="NeuClientOptions.ColumnScanChars"/> characters of their JSON text are held, whichever comes first;
    /// the columns are those of the items held, and an item after them keeps its own fields that are no column after
    /// the columns. Items read before a failure are still handed out before it.
    /// </summary>
    private async IAsyncEnumerable<NeuResponseItem> InvokeCoreAsync(NeuRoute route, NeuBody? body, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new NeuPageInfo();
        var index = 0;
        var held = new List<(IReadOnlyList<KeyValuePair<string, object?>> Fields, string Json)>();
        long heldChars = 0;
        var builder = new FlatColumns.Builder();
        FlatColumns? columns = null;
        ExceptionDispatchInfo? failure = null;
        var items = StreamAsync(route, null, body, (reader, token) => ReadItemsAsync(reader, page, rowsOnly: false, token), null, trace, cancellationToken).ConfigureAwait(false).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                JsonElement element;
                try
                {
                    if (!await items.MoveNextAsync())
                    {
                        break;
                    }

                    element = items.Current;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && held.Count > 0)
                {
                    // The items read so far are written, as they were when each was written at once; then the error.
                    failure = ExceptionDispatchInfo.Capture(exception);
                    break;
                }

                var fields = element.ValueKind == JsonValueKind.Object
                    ? JsonFlattener.Flatten(element)
                    : [new KeyValuePair<string, object?>("Value", ScalarOf(element))];
                var json = element.GetRawText();
                if (columns is not null)
                {
                    yield return new NeuResponseItem(route.Method, route.Path, index++, columns.Arrange(fields, out _), json);
                    continue;
                }

                builder.Add(fields);
                held.Add((fields, json));
                heldChars += json.Length;
                if (held.Count >= options.ColumnScanItems || heldChars >= options.ColumnScanChars)
                {
                    columns = builder.Build();
                    foreach (var item in held)
                    {
                        yield return new NeuResponseItem(route.Method, route.Path, index++, columns.Arrange(item.Fields, out _), item.Json);
                    }

                    held.Clear();
                }
            }
        }
        finally
        {
            await items.DisposeAsync();
        }

        if (held.Count > 0)
        {
            columns = builder.Build();
            foreach (var item in held)
            {
                yield return new NeuResponseItem(route.Method, route.Path, index++, columns.Arrange(item.Fields, out _), item.Json);
            }
        }

        failure?.Throw();
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
