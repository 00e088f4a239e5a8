using System;
using System.Globalization;
using System.Text.Json;

namespace EnergyData.Neu;

/// <summary>
/// Reads fields of one small NEU JSON object tolerantly: names match case-insensitively (the document writes both
/// Id_alarm and id_alarm), a number may come as a string, and a missing or null field gives null.
/// </summary>
internal readonly struct NeuFields
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd",
    ];

    private readonly JsonElement element;

    public NeuFields(JsonElement element)
    {
        this.element = element;
    }

    public JsonElement? Get(string name) =>
        Json.JsonProperties.TryGetIgnoringCase(element, name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string name) => Get(name) is { } value
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    public decimal? Decimal(string name) => Get(name) is { } value ? ToDecimal(value) : null;

    public double? Double(string name) => Get(name) is { } value ? ToDouble(value) : null;

    public long? Long(string name) => Get(name) is { } value ? ToLong(value) : null;

    public int? Int(string name) => Long(name) is { } number && number is >= int.MinValue and <= int.MaxValue ? (int)number : null;

    public bool? Bool(string name) => Get(name) is { } value ? ToBool(value) : null;

    public DateTime? Date(string name) => String(name) is { } text ? ParseDate(text) : null;

    internal static DateTime? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTime.TryParseExact(text!.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) ? date : null;
    }

    internal static decimal? ToDecimal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
        JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    internal static double? ToDouble(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var number) => number,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>
    /// A whole number: 41, "41", and also 41.0 or 4.1e1, which some JSON writers produce for ids held as floating
    /// point. A fraction or a value outside the range of long gives null, never a rounded or clipped id. (A number
    /// beyond decimal's range is beyond long's too, so decimal is the only fallback needed.)
    /// </summary>
    internal static long? ToLong(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) => number,
        JsonValueKind.Number when value.TryGetDecimal(out var number) => WholeNumber(number),
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => WholeNumber(parsed),
        _ => null,
    };

    /// <summary>The value as a long when it is whole and within range; otherwise null.</summary>
    internal static long? WholeNumber(decimal value) =>
        value == decimal.Truncate(value) && value >= long.MinValue && value <= long.MaxValue ? (long)value : null;

    internal static bool? ToBool(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out var number) => number != 0,
        JsonValueKind.String when bool.TryParse(value.GetString(), out var flag) => flag,
        _ => null,
    };
}
