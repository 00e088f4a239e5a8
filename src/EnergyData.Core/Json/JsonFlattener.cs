using System.Collections.Generic;
using System.Text.Json;

namespace EnergyData.Json;

/// <summary>
/// Turns one JSON object into flat name/value pairs for Export-Csv: nested objects become dotted names,
/// arrays stay as their JSON text (one cell), numbers become decimals where they fit.
/// </summary>
internal static class JsonFlattener
{
    public static IReadOnlyList<KeyValuePair<string, object?>> Flatten(JsonElement element)
    {
        var fields = new List<KeyValuePair<string, object?>>();
        if (element.ValueKind == JsonValueKind.Object)
        {
            Add(fields, string.Empty, element);
        }

        return fields;
    }

    private static void Add(List<KeyValuePair<string, object?>> fields, string prefix, JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    Add(fields, name, value);
                    break;
                case JsonValueKind.String:
                    fields.Add(new(name, value.GetString()));
                    break;
                case JsonValueKind.Number:
                    fields.Add(new(name, value.TryGetDecimal(out var number) ? number : value.GetDouble()));
                    break;
                case JsonValueKind.True:
                    fields.Add(new(name, true));
                    break;
                case JsonValueKind.False:
                    fields.Add(new(name, false));
                    break;
                case JsonValueKind.Array:
                    fields.Add(new(name, value.GetRawText()));
                    break;
                default:
                    fields.Add(new(name, null));
                    break;
            }
        }
    }
}
