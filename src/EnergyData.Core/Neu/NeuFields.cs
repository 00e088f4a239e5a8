using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>
/// Reads fields of one small NEU JSON object tolerantly: names match case-insensitively (the document writes both
/// Id_alarm and id_alarm), a number may come as a string, and a missing or null field gives null.
/// </summary>
/// <remarks>
/// The typed readers hand each row to its mapper as a NeuFields that notes, in a <see cref="NeuFieldNotes"/>, whether
/// any field the mapper asked for was in the row, and which fields held a value that does not read as their type. The fields a mapper asks for are its model's fields, so a row in
/// which none was found is not a row of that model (see NeuClient.ExpandPagedAsync), without a second list of names
/// to keep in step with the mappers.
/// </remarks>
internal readonly struct NeuFields
{
    /// <summary>
    /// From this magnitude on, a number in a date field is Unix time in milliseconds; below it, in seconds. 10^11
    /// seconds is the year 5138 and 10^11 milliseconds is March 1973, so no date a meter or a bill can carry falls
    /// on the wrong side in either unit.
    /// </summary>
    internal const decimal EpochMillisecondsFrom = 100_000_000_000m;

    // DateTime holds 7 fraction digits (ticks of 100 ns); longer fractions (PostgreSQL's nanoseconds) are cut to 7.
    private const int MaxFractionDigits = 7;

    private const long UnixEpochTicks = 621_355_968_000_000_000;

    // Zones are taken off before parsing (see ParseDate), so no format has K.
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd",
    ];

    // Longest excerpt of an unreadable value quoted in a warning: enough to recognise a format.
    private const int MaxQuotedValueLength = 40;

    private readonly JsonElement element;
    private readonly NeuFieldNotes? notes;
    private readonly JsonElement? envelope;
    private readonly string? path;

    public NeuFields(JsonElement element)
        : this(element, null, null)
    {
    }

    /// <param name="element">The row.</param>
    /// <param name="notes">Told when a field asked for is in the row (null or not), and when its value does not read; null to note nothing.</param>
    /// <param name="envelope">The object whose <c>data</c> list holds the row, when it came from one (see <see cref="Envelope"/>).</param>
    internal NeuFields(JsonElement element, NeuFieldNotes? notes, JsonElement? envelope)
        : this(element, notes, envelope, null)
    {
    }

    private NeuFields(JsonElement element, NeuFieldNotes? notes, JsonElement? envelope, string? path)
    {
        this.element = element;
        this.notes = notes;
        this.envelope = envelope;
        this.path = path;
    }

    /// <summary>
    /// The fields of the list envelope around the row (<c>{"nextPage": ..., "data": [row, ...]}</c>), or null when the
    /// row did not come from a <c>data</c> list: for a field a server may write once beside the list rather than in
    /// every row (an interaction's <c>name</c>, which the document lists but leaves out of its example). Fields read
    /// there are not the row's own, so they do not make it a row (see <see cref="NeuFieldNotes"/>).
    /// </summary>
    public NeuFields? Envelope => envelope is { } outer ? new NeuFields(outer) : null;

    /// <summary>
    /// An object inside this one (a service of an account, a concept of a bill), read with the same notes: a value of
    /// it that does not read is reported under <paramref name="name"/> (<c>concepts.value</c>).
    /// </summary>
    public NeuFields Nested(JsonElement value, string name) => new(value, notes, null, PathOf(name));

    public JsonElement? Get(string name)
    {
        if (!Json.JsonProperties.TryGetIgnoringCase(element, name, out var value))
        {
            return null;
        }

        // Present counts even when null: the name is one of the model's, so the row is in the model's shape, only empty there.
        notes?.Note();
        return value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public string? String(string name) => Get(name) is { } value
        ? value.ValueKind == JsonValueKind.String ? Text(name, value) : value.GetRawText()
        : null;

    /// <summary>
    /// A text value. One holding half a UTF-16 surrogate pair (<c>"\ud800"</c>) has no .NET string: GetString throws,
    /// which failed the whole input. It is kept as written, escapes and all, with a note, rather than lose the row.
    /// </summary>
    private string? Text(string name, JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            var raw = value.GetRawText();
            notes?.NoteUnreadable(PathOf(name), $"is not valid text ({Quoted(value)}); it is kept as written, escapes included");
            return raw.Length >= 2 ? raw.Substring(1, raw.Length - 2) : raw;
        }
    }

    public decimal? Decimal(string name) => Get(name) is { } value
        ? Checked(name, value, ToDecimal(value), value.ValueKind == JsonValueKind.String ? DecimalText.WhyNot(value.GetString()) : "is not a number")
        : null;

    public double? Double(string name) => Get(name) is { } value ? Checked(name, value, ToDouble(value), "is not a number") : null;

    public long? Long(string name) => Get(name) is { } value ? Checked(name, value, ToLong(value), "is not a whole number") : null;

    public int? Int(string name) => Get(name) is { } value
        ? Checked<int>(name, value, ToLong(value) is { } number && number is >= int.MinValue and <= int.MaxValue ? (int)number : null, "is not a whole number from -2147483648 to 2147483647")
        : null;

    public bool? Bool(string name) => Get(name) is { } value ? Checked(name, value, ToBool(value), "is not true or false") : null;

    public DateTime? Date(string name) => Get(name) is { } value ? Checked(name, value, ToDate(value), "is not a date") : null;

    /// <summary>
    /// The value read, or null with a note when a value was there but did not read as the field's type: the typed
    /// property is then empty, which in an export looks like a value the server did not send.
    /// </summary>
    private T? Checked<T>(string name, JsonElement value, T? result, string problem)
        where T : struct
    {
        // An empty text ("", or spaces) is how some servers write a missing value: empty, like null, not unreadable.
        if (result is null && !(value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            notes?.NoteUnreadable(PathOf(name), $"{problem} ({Quoted(value)}); left empty");
        }

        return result;
    }

    private string PathOf(string name) => path is null ? name : path + "." + name;

    private static string Quoted(JsonElement value)
    {
        string text;
        try
        {
            text = value.ValueKind == JsonValueKind.String ? "'" + value.GetString() + "'" : value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            // Half a surrogate pair (see Text): quoted as written, escapes included.
            var raw = value.GetRawText();
            text = "'" + raw.Substring(1, raw.Length - 2) + "'";
        }

        return text.Length <= MaxQuotedValueLength ? text : text.Substring(0, MaxQuotedValueLength) + "...";
    }

    /// <summary>A date field: a text as <see cref="ParseDate"/> reads it, or a number as Unix time (<see cref="FromEpoch"/>).</summary>
    internal static DateTime? ToDate(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => ParseDate(value.GetString()),
        JsonValueKind.Number when value.TryGetDecimal(out var number) => FromEpoch(number),
        _ => null,
    };

    /// <summary>
    /// A date as NEU's document writes it (<c>2021-04-01T00:00:00</c>), also with a space for the T, a fraction, or
    /// the date alone. A zone (<c>Z</c>, <c>+hh:mm</c>, <c>-hhmm</c>, <c>+hh</c>) is dropped and the clock time kept
    /// as written, of kind Unspecified like every NEU date: a server that writes its own time with its offset
    /// (<c>2021-04-01T00:00:00-05:00</c>) still gives 00:00, not that instant in the zone of whatever machine runs the
    /// module, and a <c>Z</c> time is not marked Utc (which PowerShell would show converted to local time). A fraction
    /// longer than DateTime's 7 digits is cut to 7. An HTTP date (<c>Thu, 01 Apr 2021 00:00:00 GMT</c>, how Flask
    /// writes dates) keeps its clock time by the same rule (<see cref="HttpDate"/>). Anything else gives null.
    /// </summary>
    internal static DateTime? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text!.Trim();
        var clock = TruncateFraction(WithoutZone(trimmed));
        if (DateTime.TryParseExact(clock, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        return HttpDate.TryParseClockTime(trimmed, out var httpDate) ? httpDate : null;
    }

    /// <summary>
    /// Unix time as its UTC clock time, of kind Unspecified like every NEU date: seconds (a fraction kept to the
    /// tick), or milliseconds from <see cref="EpochMillisecondsFrom"/> on. Null outside DateTime's range.
    /// </summary>
    internal static DateTime? FromEpoch(decimal value)
    {
        var milliseconds = Math.Abs(value) < EpochMillisecondsFrom ? value * 1000m : value;

        // DateTime spans about 3.2e14 ms either side of 1970: a larger value is out of range, and would overflow below.
        if (Math.Abs(milliseconds) > 1e15m)
        {
            return null;
        }

        var ticks = UnixEpochTicks + decimal.Truncate(milliseconds * TimeSpan.TicksPerMillisecond);
        return ticks >= 0 && ticks <= DateTime.MaxValue.Ticks ? new DateTime((long)ticks, DateTimeKind.Unspecified) : null;
    }

    /// <summary>The text without a trailing zone (Z, or a sign after the time with hh, hhmm or hh:mm); otherwise unchanged.</summary>
    private static string WithoutZone(string text)
    {
        // "yyyy-MM-dd" and a separator come first: a sign before them is part of the date.
        const int TimeStart = 11;
        if (text.Length <= TimeStart)
        {
            return text;
        }

        if (text[text.Length - 1] is 'Z' or 'z')
        {
            return text.Substring(0, text.Length - 1);
        }

        var sign = text.IndexOfAny(['+', '-'], TimeStart);
        if (sign < 0)
        {
            return text;
        }

        var offset = text.Substring(sign + 1);
        var isOffset = offset.Length switch
        {
            2 => IsDigits(offset),
            4 => IsDigits(offset),
            5 => offset[2] == ':' && IsDigits(offset.Substring(0, 2)) && IsDigits(offset.Substring(3)),
            _ => false,
        };
        return isOffset ? text.Substring(0, sign) : text;
    }

    /// <summary>The text with a fraction of seconds longer than 7 digits cut to 7; otherwise unchanged.</summary>
    private static string TruncateFraction(string text)
    {
        var point = text.IndexOf('.');
        if (point < 0)
        {
            return text;
        }

        var end = point + 1;
        while (end < text.Length && text[end] is >= '0' and <= '9')
        {
            end++;
        }

        return end - point - 1 > MaxFractionDigits ? text.Substring(0, point + 1 + MaxFractionDigits) + text.Substring(end) : text;
    }

    private static bool IsDigits(string text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    internal static decimal? ToDecimal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
        JsonValueKind.String when DecimalText.TryParse(value.GetString(), out var parsed) => parsed,
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

/// <summary>
/// What the mapper of a row found in it (see <see cref="NeuFields"/>): whether any field it asked for was there, and
/// the fields whose value did not read as their type. One instance serves the rows of a read one after another, reset
/// before each.
/// </summary>
internal sealed class NeuFieldNotes
{
    private readonly List<(string Field, string Problem)> unreadable = [];

    public bool Any { get; private set; }

    /// <summary>The fields of the row whose value did not read, each once, with what is wrong and an excerpt of the value.</summary>
    public IReadOnlyList<(string Field, string Problem)> Unreadable => unreadable;

    public void Note() => Any = true;

    public void NoteUnreadable(string field, string problem)
    {
        // A rule's own fields are read again for each of its firings: one note a field.
        if (!unreadable.Exists(note => note.Field == field))
        {
            unreadable.Add((field, problem));
        }
    }

    public void Reset()
    {
        Any = false;
        unreadable.Clear();
    }
}
