using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>A request body in the field names and order of the NEU document; null fields are left out.</summary>
internal sealed class NeuBody
{
    private static readonly string[] InputIdFields = ["Id_service", "Id_account", "Id_project", "id", "Id_services"];

    // A list of services is named by its first few ids: enough to tell the inputs of a command apart.
    private const int ListedIds = 5;

    private readonly List<KeyValuePair<string, object>> fields = new();

    public bool IsEmpty => fields.Count == 0;

    public NeuBody Add(string name, object? value)
    {
        if (value is not null)
        {
            fields.Add(new(name, value));
        }

        return this;
    }

    public NeuBody AddDate(string name, DateTime? value) => value is { } date ? Add(name, NeuDates.Format(date)) : this;

    /// <summary>
    /// The input a request is for, when its body carries it (<c>Id_service 450</c>), for its trace lines: the requests of
    /// several inputs run at once on the same path. Null when the body names no single id.
    /// </summary>
    public string? InputLabel()
    {
        foreach (var field in fields)
        {
            if (Array.IndexOf(InputIdFields, field.Key) >= 0 && field.Value is long or int or string)
            {
                return field.Key + " " + Convert.ToString(field.Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (Array.IndexOf(InputIdFields, field.Key) >= 0 && field.Value is long[] { Length: > 0 } ids)
            {
                var listed = string.Join(",", ids.Take(ListedIds).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return field.Key + " " + listed + (ids.Length > ListedIds ? ",..." : string.Empty);
            }
        }

        return null;
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                writer.WritePropertyName(field.Key);
                ValueWriter.Instance.WriteValue(writer, field.Value, path: field.Key);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The fields as a GET request's query string: a list repeats its name. A nested object, or a list inside a list,
    /// has no form there and is refused (naming Body, the only way such a value gets into a GET request).
    /// </summary>
    public string ToQueryString()
    {
        var query = new StringBuilder();
        foreach (var field in fields)
        {
            if (IsMap(field.Value))
            {
                throw NestedInQuery(field.Key);
            }

            var values = field.Value is IEnumerable items and not string ? (IEnumerable)items : new[] { field.Value };
            foreach (var value in values)
            {
                if (IsMap(value) || value is IEnumerable and not string)
                {
                    throw NestedInQuery(field.Key);
                }

                if (query.Length > 0)
                {
                    query.Append('&');
                }

                query.Append(Uri.EscapeDataString(field.Key)).Append('=').Append(Uri.EscapeDataString(Text(value)));
            }
        }

        return query.ToString();
    }

    /// <summary>NEU's dates (the clock time NEU expects, see NeuDates); nothing else of its own.</summary>
    private sealed class ValueWriter() : PlainJsonWriter("Body")
    {
        public static readonly ValueWriter Instance = new();

        protected override string FormatDate(DateTime date) => NeuDates.Format(date);

        protected override string FormatDate(DateTimeOffset date) => NeuDates.Format(date.UtcDateTime);
    }

    private static bool IsMap(object? value) => value is IDictionary or IEnumerable<KeyValuePair<string, object?>>;

    private static Validation.ParameterValidationException NestedInQuery(string name) =>
        new("Body", "cannot send a nested object or a list of lists with GET", $"GET sends the fields as the query string, where '{name}' has no form; send it with POST, PUT or PATCH.");

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTime date => NeuDates.Format(date),
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
