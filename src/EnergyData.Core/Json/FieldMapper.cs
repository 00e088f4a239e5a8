using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using EnergyData.Http;

namespace EnergyData.Json;

/// <summary>
/// Reads fields out of one JSON object tolerantly: a missing field gives null, a number may come as a string,
/// and every field the model does not know is reported at Debug (it stays in the raw JSON) instead of failing.
/// </summary>
internal sealed class FieldMapper
{
    private static readonly string[] DateFormats =
    {
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",

        // A space for the T, as SQL and Python print dates (the NEU reader takes it too).
        "yyyy-MM-dd' 'HH:mm:ss",
        "yyyy-MM-dd' 'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd' 'HH:mm:ssK",

        // Slashes month first, as Khipu's CEN document writes its dates; dashes day first, as Chile writes them.
        "MM'/'dd'/'yyyy",
        "dd'-'MM'-'yyyy",
    };

    private readonly JsonElement root;
    private readonly string rootName;
    private readonly IRequestTrace? trace;
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public FieldMapper(JsonElement root, string rootName, IRequestTrace? trace)
    {
        this.root = root;
        this.rootName = rootName;
        this.trace = trace;
    }

    public string? String(params string[] path)
    {
        var value = Find(path);
        return value?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.String => value.Value.GetString(),
            _ => value.Value.GetRawText(),
        };
    }

    public decimal? Decimal(params string[] path)
    {
        var value = Find(path);
        switch (value?.ValueKind)
        {
            case JsonValueKind.Number when value.Value.TryGetDecimal(out var number):
                return number;
            case JsonValueKind.String when DecimalText.TryParse(value.Value.GetString(), out var parsed):
                return parsed;

            // An empty text is how some servers write a missing value: empty, like null, as Date takes it.
            case null or JsonValueKind.Null:
            case JsonValueKind.String when string.IsNullOrWhiteSpace(value.Value.GetString()):
                return null;
            default:
                var problem = value.Value.ValueKind == JsonValueKind.String ? DecimalText.WhyNot(value.Value.GetString()) : "is not a number";
                Report(path, $"{problem} ({Quoted(value.Value)})");
                return null;
        }
    }

    public long? Integer(params string[] path)
    {
        var number = Decimal(path);
        if (number is not { } n)
        {
            return null;
        }

        if (n != Math.Truncate(n) || n < long.MinValue || n > long.MaxValue)
        {
            // Read as a number, but a fraction (or out of range) is no count or id: rounding it would invent a value.
            Report(path, $"is not a whole number ({n.ToString(CultureInfo.InvariantCulture)})");
            return null;
        }

        return (long)n;
    }

    public bool? Boolean(params string[] path)
    {
        var value = Find(path);
        return value?.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.Value.GetString(), out var flag) => flag,
            _ => null,
        };
    }

    public DateTime? Date(params string[] path)
    {
        var text = String(path);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // The clock time as written, without its zone (Kind Unspecified), as NEU dates are read: converting to this
        // machine's zone would give each user a different value for the same answer. AssumeUniversal: a text without
        // a zone gets offset 0 rather than this machine's, which could push 0001-01-01 or 9999-12-31 out of range.
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var date))
        {
            return date.DateTime;
        }

        // A Khipu stand-in built on Flask writes its dates as HTTP dates.
        if (HttpDate.TryParseClockTime(text!, out var httpDate))
        {
            return httpDate;
        }

        Report(path, $"is not a date ('{text}')");
        return null;
    }

    /// <summary>A nested element (array or object) for the caller to walk, marked as known.</summary>
    public JsonElement? Element(params string[] path) => Find(path);

    /// <summary>Reports at Debug every field that no accessor asked for.</summary>
    public void ReportUnknownFields()
    {
        if (trace is null)
        {
            return;
        }

        Walk(root, string.Empty);
    }

    private void Walk(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            if (used.Contains(path))
            {
                continue;
            }

            if (used.Contains(path + ".*"))
            {
                Walk(property.Value, path);
                continue;
            }

            trace!.Debug($"Unknown field {rootName}.{path} ignored (kept in RawJson).");
        }
    }

    private JsonElement? Find(string[] path)
    {
        var current = root;
        var walked = string.Empty;
        for (var i = 0; i < path.Length; i++)
        {
            if (!JsonProperties.TryGetIgnoringCase(current, path[i], out var next, out var name))
            {
                walked = i == 0 ? path[i] : walked + "." + path[i];
                used.Add(i == path.Length - 1 ? walked : walked + ".*");
                trace?.Debug($"Field {rootName}.{string.Join(".", path)} is missing.");
                return null;
            }

            // Recorded under the name as sent, which the unknown-field report walks.
            walked = i == 0 ? name : walked + "." + name;
            used.Add(i == path.Length - 1 ? walked : walked + ".*");
            current = next;
        }

        return current;
    }

    /// <summary>
    /// A value that does not read as its field's type is lost from the typed column (only RawJson keeps it): a warning,
    /// not a debug line, since an empty date or amount in an export is otherwise taken for a missing one. Once per field
    /// in a command: a server that writes a field in an unknown form does so on every row.
    /// </summary>
    private static string Quoted(JsonElement value)
    {
        const int MaxQuotedLength = 40;
        var text = value.ValueKind == JsonValueKind.String ? "'" + value.GetString() + "'" : value.GetRawText();
        return text.Length <= MaxQuotedLength ? text : text.Substring(0, MaxQuotedLength) + "...";
    }

    private void Report(string[] path, string problem)
    {
        var field = rootName + "." + string.Join(".", path);
        trace.WarnOnce("unreadable field " + field, $"Field {field} {problem}; left empty (RawJson keeps it).");
    }
}
