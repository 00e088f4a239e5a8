using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace EnergyData.Json;

/// <summary>
/// Writes the plain values a request body is made of (what the cmdlets make of PowerShell hashtables, [pscustomobject]s
/// and arrays: strings, characters, numbers of every CLR type, BigInteger included, booleans, dates, GUIDs, enums (by
/// name), URIs, maps, lists) as JSON. Anything else (a FileInfo, a script block, an object it has no JSON form for) is
/// refused with an error naming the parameter and the field that holds it, never written as its ToString() text, and
/// so is nesting deeper than
/// <see cref="Validation.InputRules.BodyMaxDepth"/> (which also stops a map that contains itself). Each API decides how
/// it writes dates and may take over values of its own types or the members of maps.
/// </summary>
internal abstract class PlainJsonWriter
{
    private readonly string parameterName;

    protected PlainJsonWriter(string parameterName)
    {
        this.parameterName = parameterName;
    }

    /// <summary>Writes one value; <paramref name="path"/> is where it sits (Filtros.Tramos[1].Desde), for errors.</summary>
    public void WriteValue(Utf8JsonWriter writer, object? value, int depth = 0, string? path = null)
    {
        if (depth > Validation.InputRules.BodyMaxDepth)
        {
            throw new Validation.ParameterValidationException(parameterName, $"must not be nested more than {Validation.InputRules.BodyMaxDepth} levels deep");
        }

        if (value is not null && TryWriteOwnValue(writer, value))
        {
            return;
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case char character:
                writer.WriteStringValue(character.ToString());
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long or short or byte or sbyte or ushort or uint or ulong:
                // Through decimal, which holds every integer type exactly (ulong included).
                writer.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case BigInteger number:
                // What ConvertFrom-Json gives for an integer beyond Int64 and decimal: written with all its digits, as
                // the JSON number it was read from (no CLR number type the writer takes holds it exactly).
                writer.WriteRawValue(number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case double number:
                EnsureFinite(number, path);
                writer.WriteNumberValue(number);
                break;
            case float number:
                // The float overload: through double, 0.1f would be written as 0.10000000149011612.
                EnsureFinite(number, path);
                writer.WriteNumberValue(number);
                break;
            case DateTime date:
                writer.WriteStringValue(FormatDate(date));
                break;
            case DateTimeOffset date:
                writer.WriteStringValue(FormatDate(date));
                break;
            case Uri uri:
                writer.WriteStringValue(uri.OriginalString);
                break;
            case Guid guid:
                writer.WriteStringValue(guid.ToString("D"));
                break;
            case Enum name:
                writer.WriteStringValue(name.ToString());
                break;
            case DBNull:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case IDictionary<string, object?> map:
                WriteMap(writer, map, depth, path);
                break;
            case IReadOnlyDictionary<string, object?> map:
                WriteMap(writer, map, depth, path);
                break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    writer.WritePropertyName(key);
                    WriteMember(writer, key, entry.Value, depth + 1, MemberPath(path, key));
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in items)
                {
                    WriteValue(writer, item, depth + 1, (path ?? string.Empty) + "[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                    index++;
                }

                writer.WriteEndArray();
                break;
            default:
                // Its ToString() is most often the type name: sending that (or "" for an unconverted [pscustomobject])
                // would be a billed request with a wrong body.
                throw new Validation.ParameterValidationException(
                    parameterName,
                    $"cannot hold a value of type {value.GetType().FullName}",
                    HeldBy(path) + "Give strings, numbers, booleans, dates, hashtables, [pscustomobject]s or arrays of them.");
        }
    }

    protected abstract string FormatDate(DateTime date);


    protected abstract string FormatDate(DateTimeOffset date);

    /// <summary>Writes a value of the API's own types; false for everything else.</summary>
    protected virtual bool TryWriteOwnValue(Utf8JsonWriter writer, object value) => false;

    /// <summary>Writes the value of one map member (after its name); <paramref name="path"/> already ends with the name.</summary>
    protected virtual void WriteMember(Utf8JsonWriter writer, string key, object? value, int depth, string path) => WriteValue(writer, value, depth, path);

    private static string MemberPath(string? parent, string key) => parent is null ? key : parent + "." + key;

    /// <summary>"Field 'Filtros.Fecha' holds one. ", or nothing for a value that is the whole parameter.</summary>
    private static string HeldBy(string? path) => path is null ? string.Empty : $"Field '{path}' holds one. ";

    private void EnsureFinite(double number, string? path)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new Validation.ParameterValidationException(parameterName, "cannot hold NaN or infinity", HeldBy(path) + "JSON has no such number.");
        }
    }

    private void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> map, int depth, string? path)
    {
        writer.WriteStartObject();
        foreach (var pair in map)
        {
            writer.WritePropertyName(pair.Key);
            WriteMember(writer, pair.Key, pair.Value, depth + 1, MemberPath(path, pair.Key));
        }

        writer.WriteEndObject();
    }
}
