using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace EnergyData.Neu;

/// <summary>A request body in the field names and order of the NEU document; null fields are left out.</summary>
internal sealed class NeuBody
{
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

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                writer.WritePropertyName(field.Key);
                WriteValue(writer, field.Value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public string ToQueryString()
    {
        var query = new StringBuilder();
        foreach (var field in fields)
        {
            var values = field.Value is IEnumerable items and not string ? (IEnumerable)items : new[] { field.Value };
            foreach (var value in values)
            {
                if (query.Length > 0)
                {
                    query.Append('&');
                }

                query.Append(Uri.EscapeDataString(field.Key)).Append('=').Append(Uri.EscapeDataString(Text(value)));
            }
        }

        return query.ToString();
    }

    /// <summary>The deepest nesting a body may have; deeper (or self-containing) values are refused.</summary>
    internal const int MaxDepth = 32;

    internal static void WriteValue(Utf8JsonWriter writer, object? value, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new Validation.ParameterValidationException("Body", $"must not be nested more than {MaxDepth} levels deep");
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case DateTime date:
                writer.WriteStringValue(NeuDates.Format(date));
                break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var pair in map)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteValue(writer, pair.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTime date => NeuDates.Format(date),
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
