using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>
/// Reads consumption responses row by row as they stream: <c>[{id_account, account_name, data:[row...]}...]</c>
/// (and the DDV shape <c>[{sic_code, data:[{date, cons}]}]</c>). Only one row is held at a time, so memory does not
/// grow with the body, and the first row is handed out as soon as its bytes arrive. The document writes a group's
/// fields before its <c>data</c> array; a server that sorts its keys (Flask's jsonify, Go maps, PostgreSQL jsonb)
/// writes some after it, and those are looked ahead for (<see cref="JsonStreamReader.PeekFollowingPropertiesAsync"/>)
/// before the group's rows are handed out, as long as the rest of the group fits in the reader's look-ahead limit.
/// </summary>
internal static class NeuConsumptionReader
{
    // The document's field names (all lower case, which FieldIndexIgnoringCase relies on), compared on the raw UTF-8
    // token without allocating a string per property.
    private static readonly string[] RowFieldNames =
    [
        "id_service", "name", "is_backup", "date", "cons", "injec", "reactive_in", "reactive_in_ex",
        "reactive_cap", "reactive_ex", "imported_active_acum", "imported_reactive_acum", "exported_active_acum",
        "exported_reactive_acum", "ia", "ib", "ic", "va", "vb", "vc",
    ];

    private static readonly byte[][] RowFields = Array.ConvertAll(RowFieldNames, U);

    // The fields of a group object: an account (consumption) and a SIC code (frontier), each around its data array.
    private static readonly string[] AccountFields = ["data", "id_account", "account_name"];
    private static readonly string[] FrontierFields = ["data", "sic_code"];

    // What the first element of a data list can show: its own "data" list (a group: the groups wrapped in an object, as
    // other NEU lists are) or a field only a reading has (one group without the surrounding array). Fields either may
    // carry are no sign: the document lists id_account and account_name among a reading's fields too, sic_code may sit
    // on a frontier reading, and "name" names a service on a reading and an account on a group. See ReadGroupsAsync.
    private static readonly string[] DataOrReadingFields = ["data", .. RowFieldNames.Where(name => name != "name")];

    // The group fields a row carries, looked ahead for when they have not come before the data array.
    private static readonly string[] AccountFieldsAfterData = ["id_account", "account_name"];
    private static readonly string[] FrontierFieldsAfterData = ["sic_code"];

    private static readonly JsonValueParser<NeuFrontierConsumption> FrontierRowParser = ParseFrontierRow;

    // A sign, 15 digits and a point: longer numbers cannot have 15 significant digits or fewer without leading zeros.
    private const int MaxShortDecimalLength = 17;

    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

    public static IAsyncEnumerable<NeuConsumption> ReadAsync(JsonStreamReader reader, string interval, CancellationToken cancellationToken) =>
        AsyncBatches.FlattenAsync(ReadBatchesAsync(reader, interval, null, cancellationToken), cancellationToken);

    /// <summary>
    /// The rows in the batches <see cref="JsonStreamReader.ReadArrayBatchesAsync{T}"/> parses them in (what was
    /// buffered, never held back to fill up); each batch is valid until the next is asked for.
    /// </summary>
    /// <param name="trace">Where a value that does not read is reported (see <see cref="UnreadableValues"/>); null reports nothing.</param>
    public static async IAsyncEnumerable<ArraySegment<NeuConsumption>> ReadBatchesAsync(JsonStreamReader reader, string interval, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var unreadable = new UnreadableValues("Consumption", trace);
        // One row parser per response: the rows of a service share one source (account and service fields) and
        // one name string, so a million rows allocate a handful of those.
        var rowParser = new RowParser(interval);
        JsonValueParser<NeuConsumption> parse = rowParser.Parse;

        // A second parser, for the helper thread that parses half of each large buffered stretch of rows.
        var helperRowParser = new RowParser(interval);
        JsonValueParser<NeuConsumption> helperParse = helperRowParser.Parse;
        await foreach (var group in ReadGroupsAsync(reader, AccountFields, cancellationToken).ConfigureAwait(false))
        {
            long? accountId = null;
            string? accountName = null;
            var accountIdRead = false;
            var accountNameRead = false;
            var others = new OtherFields();
            for (var first = true; await NextGroupPropertyAsync(reader, first, cancellationToken).ConfigureAwait(false); first = false)
            {
                var field = GroupFieldIndex(reader, AccountFields);
                others.SawGroupField |= field >= 0;
                switch (field)
                {
                    case 0:
                        if (!await MoveToDataAsync(reader, cancellationToken).ConfigureAwait(false))
                        {
                            continue;
                        }

                        // In the document's order both fields are in by now and nothing is looked ahead for.
                        if (!(accountIdRead && accountNameRead)
                            && await reader.PeekFollowingPropertiesAsync(AccountFieldsAfterData, cancellationToken).ConfigureAwait(false) is { } following)
                        {
                            if (!accountIdRead && following[0] is { } id)
                            {
                                accountId = NeuFields.ToLong(id);
                            }

                            if (!accountNameRead && following[1] is { } name)
                            {
                                accountName = StringOf(name);
                            }
                        }

                        rowParser.StartAccount(accountId, accountName);
                        helperRowParser.StartAccount(accountId, accountName);
                        await foreach (var batch in reader.ReadArrayBatchesAsync(parse, helperParse, cancellationToken).ConfigureAwait(false))
                        {
                            // Rows are marked where they are parsed, and only rows written are looked at: a row the
                            // helper thread parsed from a wrong guess (see JsonStreamReader) is thrown away with its mark.
                            for (var i = 0; i < batch.Count; i++)
                            {
                                if (batch.Array![batch.Offset + i] is { UnreadableFields: not 0 } row)
                                {
                                    unreadable.Report(row.UnreadableFields, row.ServiceId, row.Date);
                                }
                            }

                            yield return batch;
                        }

                        break;
                    case 1:
                        accountId = await ReadLongAsync(reader, cancellationToken).ConfigureAwait(false);
                        accountIdRead = true;
                        break;
                    case 2:
                        accountName = await ReadStringAsync(reader, cancellationToken).ConfigureAwait(false);
                        accountNameRead = true;
                        break;
                    default:
                        await others.SkipAsync(reader, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }

            EnsureEndObject(reader);
            others.ThrowIfNoGroup(AccountFields);
        }
    }

    /// <param name="trace">Where a value that does not read is reported (see <see cref="UnreadableValues"/>); null reports nothing.</param>
    public static async IAsyncEnumerable<NeuFrontierConsumption> ReadFrontierAsync(JsonStreamReader reader, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var unreadable = new UnreadableValues("FrontierConsumption", trace);
        await foreach (var group in ReadGroupsAsync(reader, FrontierFields, cancellationToken).ConfigureAwait(false))
        {
            string? sicCode = null;
            var sicCodeRead = false;
            var others = new OtherFields();
            for (var first = true; await NextGroupPropertyAsync(reader, first, cancellationToken).ConfigureAwait(false); first = false)
            {
                var field = GroupFieldIndex(reader, FrontierFields);
                others.SawGroupField |= field >= 0;
                switch (field)
                {
                    case 0:
                        if (!await MoveToDataAsync(reader, cancellationToken).ConfigureAwait(false))
                        {
                            continue;
                        }

                        if (!sicCodeRead
                            && await reader.PeekFollowingPropertiesAsync(FrontierFieldsAfterData, cancellationToken).ConfigureAwait(false) is { } following
                            && following[0] is { } code)
                        {
                            sicCode = StringOf(code);
                        }

                        await foreach (var row in reader.ReadArrayAsync(FrontierRowParser, cancellationToken).ConfigureAwait(false))
                        {
                            row.SicCode = sicCode;
                            if (row.UnreadableFields != 0)
                            {
                                unreadable.Report(row.UnreadableFields, null, row.Date);
                            }

                            yield return row;
                        }

                        break;
                    case 1:
                        sicCode = await ReadStringAsync(reader, cancellationToken).ConfigureAwait(false);
                        sicCodeRead = true;
                        break;
                    default:
                        await others.SkipAsync(reader, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }

            EnsureEndObject(reader);
            others.ThrowIfNoGroup(FrontierFields);
        }
    }

    /// <summary>
    /// The index in <paramref name="names"/> of the group property name the reader is on, or -1: the name as the
    /// document writes it, else the same name in another case (Id_account, as the request spells it, or any other:
    /// every other NEU reader matches names in any case, and the document itself mixes Id_alarm and id_alarm).
    /// Once per group, so the fallback's string costs nothing that counts.
    /// </summary>
    private static int GroupFieldIndex(JsonStreamReader reader, string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        var name = reader.GetString();
        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(name, names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Yields once per group object, with the reader on its StartObject, or on its first property for a group that
    /// comes without the surrounding array; the caller reads the group's properties (see <see cref="NextGroupPropertyAsync"/>).
    /// The document's answer is an array of groups. An object is either the groups wrapped as other NEU lists are
    /// (<c>{"data":[group...],"total":n}</c>, which every other NEU reader takes) or one group without the array
    /// (tolerated). A group field (<paramref name="groupFields"/>, "data" first) before <c>data</c> shows a group;
    /// otherwise the first element of <c>data</c> does: its own <c>data</c> shows a group, a field only a reading has
    /// shows a reading (<see cref="DataOrReadingFields"/>): a look into one element, so the rows still stream. A first element
    /// that shows neither is read as a reading, which a reading without a reading's fields then refuses.
    /// </summary>
    private static async IAsyncEnumerable<int> ReadGroupsAsync(JsonStreamReader reader, string[] groupFields, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType == JsonTokenType.Null)
        {
            yield break;
        }

        if (reader.TokenType == JsonTokenType.StartArray)
        {
            await foreach (var index in ReadGroupArrayAsync(reader, cancellationToken).ConfigureAwait(false))
            {
                yield return index;
            }

            yield break;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new NeuProtocolException($"The NEU consumption response is not a JSON array of accounts (it starts with {reader.TokenType}).");
        }

        var wrapped = false;
        var others = new OtherFields();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = wrapped ? -1 : GroupFieldIndex(reader, groupFields);
            if (field == 0 && await reader.PeekFirstElementPropertyAsync(DataOrReadingFields, cancellationToken).ConfigureAwait(false) == 0)
            {
                // The groups in a data list: the look saw an object in it, so the value is an array.
                wrapped = true;
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var index in ReadGroupArrayAsync(reader, cancellationToken).ConfigureAwait(false))
                {
                    yield return index;
                }
            }
            else if (field >= 0)
            {
                // One group without the surrounding array: the caller reads it from this property to its end.
                yield return 0;
                yield break;
            }
            else
            {
                // Paging fields (total, nextPage...) beside the groups, or fields of a group before any that shows it to
                // be one, which the group's reader would skip too.
                await others.SkipAsync(reader, cancellationToken).ConfigureAwait(false);
            }
        }

        EnsureEndObject(reader);
        others.SawGroupField = wrapped;
        others.ThrowIfNoGroup(groupFields);
    }

    /// <summary>
    /// The fields of an object read as a group (or as the object around the groups) that are none of a group's: an
    /// object that has only such fields is no group. <c>{"detail": "Token invalido"}</c>, an error sent with a 200, gave
    /// no rows and no error, which reads as a period without readings; it is an InvalidResponse error instead, quoting
    /// the error's text, as the other NEU readers refuse an item with none of their rows' fields. Paging fields and null
    /// values say nothing (<c>{"total": 0}</c> is an empty answer), as for the other readers. Once per group, not per
    /// reading, so the readings' path does not pay for it.
    /// </summary>
    private sealed class OtherFields
    {
        private string? message;

        /// <summary>A field of a group was met (or, for the object around the groups, its data list of groups).</summary>
        public bool SawGroupField { get; set; }

        /// <summary>A field other than a group's, a paging field or a null value was met.</summary>
        public bool SawOtherField { get; private set; }

        /// <summary>On the PropertyName of a field that is not a group's: notes it and skips its value.</summary>
        public async ValueTask SkipAsync(JsonStreamReader reader, CancellationToken cancellationToken)
        {
            var name = reader.GetString() ?? string.Empty;
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new NeuProtocolException("The NEU consumption response ended inside an account.");
            }

            if (reader.TokenType != JsonTokenType.Null && !NeuPageInfo.IsPagingField(name))
            {
                SawOtherField = true;
                if (message is null && reader.TokenType == JsonTokenType.String && IsMessageField(name))
                {
                    message = reader.GetString();
                }
            }

            await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
        }

        public void ThrowIfNoGroup(string[] groupFields)
        {
            if (SawGroupField || !SawOtherField)
            {
                return;
            }

            var group = groupFields == FrontierFields ? "a frontier" : "an account";
            var quoted = message is null ? string.Empty : ": '" + NeuClient.Shorten(message) + "'";
            throw new NeuProtocolException($"An object of the response has none of the fields of {group} ({string.Join(", ", groupFields)}){quoted}; the response is not in a shape this module reads (an error sent with a success status, say).");
        }

        // How REST frameworks name an error's text (Django REST Framework: detail).
        private static bool IsMessageField(string name) =>
            string.Equals(name, "message", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "detail", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "error", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>With the reader on the StartArray of a list of groups, yields once per group, on its StartObject.</summary>
    private static async IAsyncEnumerable<int> ReadGroupArrayAsync(JsonStreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new NeuProtocolException($"Item {index} of the NEU consumption response is not an object ({reader.TokenType}).");
            }

            yield return index++;
        }
    }

    /// <summary>
    /// Moves to the next property of a group: false at its end. The first time, a group read without the surrounding
    /// array already stands on its first property (see <see cref="ReadGroupsAsync"/>), which is then not moved past.
    /// </summary>
    private static async ValueTask<bool> NextGroupPropertyAsync(JsonStreamReader reader, bool first, CancellationToken cancellationToken) =>
        ((first && reader.TokenType == JsonTokenType.PropertyName) || await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>
    /// From a group's "data" property name to its value. False for <c>"data": null</c>, which stands for a group
    /// without readings and gives no rows; anything else but an array is refused by the array reader that follows.
    /// </summary>
    private static async ValueTask<bool> MoveToDataAsync(JsonStreamReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new NeuProtocolException("The NEU consumption response ended inside an account.");
        }

        return reader.TokenType != JsonTokenType.Null;
    }

    private static void EnsureEndObject(JsonStreamReader reader)
    {
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new NeuProtocolException("The NEU consumption response ended inside an account.");
        }
    }

    private static async ValueTask<long?> ReadLongAsync(JsonStreamReader reader, CancellationToken cancellationToken)
    {
        var element = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
        return NeuFields.ToLong(element);
    }

    private static async ValueTask<string?> ReadStringAsync(JsonStreamReader reader, CancellationToken cancellationToken) =>
        StringOf(await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false));

    private static string? StringOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };

    private static NeuFrontierConsumption ParseFrontierRow(ref Utf8JsonReader reader)
    {
        var row = new NeuFrontierConsumption();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new NeuProtocolException($"A frontier reading is not an object ({reader.TokenType}).");
        }

        var nextField = 0;
        var unreadable = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldIndex(ref reader, ref nextField);
            reader.Read();
            switch (field)
            {
                case 3: row.Date = Date(ref reader, ref unreadable, field); break;
                case 4: row.Consumption = Number(ref reader, ref unreadable, field); break;
                default: SkipValue(ref reader); break;
            }
        }

        if (nextField == 0 && reader.TokenType == JsonTokenType.EndObject)
        {
            throw NoReadingFields("frontier");
        }

        row.UnreadableFields = unreadable;

        return row;
    }

    /// <summary>
    /// A whole reading object with none of a reading's fields is no reading: the answer is not in a shape this reader
    /// knows (an account read as a reading, say), and a row of nulls (no date, no service) would hide that. It is an
    /// error (InvalidResponse, after the rows before it), not a row skipped with a warning: a misread shape makes every
    /// "reading" such an object, and a command that writes nothing or some of the data with only a warning looks like
    /// it succeeded (in an export, say); a reading that is no object is refused the same way. The parsers' nextField
    /// stays 0 until a field matches, so the check costs one comparison per row. A reading cut off by the end of the
    /// buffer is not whole, and the parser is run again on it once it is.
    /// </summary>
    private static NeuProtocolException NoReadingFields(string kind) =>
        new($"A {kind} reading has none of a reading's fields ({string.Join(", ", RowFieldNames)}): the response is not in a shape this module reads.");

    /// <summary>
    /// The index of the current property name in <see cref="RowFields"/>, or -1. Rows list their fields in the same
    /// order, so the field after the previous one is tried first: one comparison per property instead of up to 20.
    /// A name without escapes (every name the document writes) is compared on its raw bytes; the others, and the
    /// names in another case (Date, ID_SERVICE, as every other NEU reader matches names and as the document's own
    /// Id_alarm/id_alarm invite), go to <see cref="FieldIndexOfOtherName"/>.
    /// </summary>
    private static int FieldIndex(ref Utf8JsonReader reader, ref int expected)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return FieldIndexOfOtherName(ref reader, ref expected);
        }

        var name = reader.ValueSpan;
        if (expected < RowFields.Length && name.SequenceEqual(RowFields[expected]))
        {
            return expected++;
        }

        for (var i = 0; i < RowFields.Length; i++)
        {
            if (name.SequenceEqual(RowFields[i]))
            {
                expected = i + 1;
                return i;
            }
        }

        return FieldIndexOfOtherName(ref reader, ref expected);
    }

    /// <summary>
    /// After the fast match failed: a name with escapes (compared on its unescaped string) or in another case
    /// (compared as ASCII on the raw bytes). The document's names all are lower case, so comparing without case also
    /// finds an escaped name that is the document's own. Only names that are not written as the document writes them
    /// get here, so the exact path, the one a million rows a second take, does not pay for this.
    /// </summary>
    private static int FieldIndexOfOtherName(ref Utf8JsonReader reader, ref int expected)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            var name = reader.GetString();
            for (var i = 0; i < RowFieldNames.Length; i++)
            {
                if (string.Equals(name, RowFieldNames[i], StringComparison.OrdinalIgnoreCase))
                {
                    expected = i + 1;
                    return i;
                }
            }

            return -1;
        }

        var text = reader.ValueSpan;
        for (var i = 0; i < RowFields.Length; i++)
        {
            if (EqualsIgnoringAsciiCase(text, RowFields[i]))
            {
                expected = i + 1;
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="text"/> equals <paramref name="lowerCaseName"/> once its ASCII capitals are lowered.</summary>
    private static bool EqualsIgnoringAsciiCase(ReadOnlySpan<byte> text, byte[] lowerCaseName)
    {
        if (text.Length != lowerCaseName.Length)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((uint)(c - (byte)'A') <= 'Z' - 'A')
            {
                c = (byte)(c | 0x20);
            }

            if (c != lowerCaseName[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A timestamp. The document's own shape, <c>yyyy-MM-ddTHH:mm:ss</c> without escapes, is read from the UTF-8 bytes
    /// (no string, no format list: this was the largest per-row cost); any other text goes through
    /// NeuFields.ParseDate and a number through NeuFields.FromEpoch, as every other NEU date does.
    /// </summary>
    private static DateTime? Date(ref Utf8JsonReader reader, ref int unreadable, int field)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && TryParsePlainDate(reader.ValueSpan, out var date))
        {
            return date;
        }

        return reader.TokenType switch
        {
            JsonTokenType.String when NeuFields.ParseDate(reader.GetString()) is { } parsed => parsed,
            JsonTokenType.Number when reader.TryGetDecimal(out var number) && NeuFields.FromEpoch(number) is { } epoch => epoch,
            _ => Unreadable<DateTime>(ref reader, ref unreadable, field),
        };
    }

    internal static bool TryParsePlainDate(ReadOnlySpan<byte> text, out DateTime date)
    {
        date = default;
        if (text.Length != 19 || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T' || text[13] != (byte)':' || text[16] != (byte)':')
        {
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        date = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - (byte)'0';
            if (digit < 0 || digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    private static double? Number(ref Utf8JsonReader reader, ref int unreadable, int field) => reader.TokenType switch
    {
        JsonTokenType.Number when !reader.HasValueSequence && TryParseShortDecimal(reader.ValueSpan, out var value) => value,
        JsonTokenType.Number when reader.TryGetDouble(out var value) => value,
        JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => Unreadable<double>(ref reader, ref unreadable, field),
    };

    /// <summary>
    /// A JSON number written with at most 15 significant digits and no exponent (what meters report: 12.5, 10000,
    /// -0.25) as the nearest double, with the same result as double.Parse: the digits form an integer below 2^53 and
    /// 10^k is exact for k &lt;= 22, so one correctly rounded IEEE division gives the correctly rounded value. General
    /// parsing cost several times the tokenizer's own work per number, 16 times per row; anything else takes that path.
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<byte> number, out double value)
    {
        value = 0;
        if (number.IsEmpty || number.Length > MaxShortDecimalLength)
        {
            return false;
        }

        var negative = number[0] == (byte)'-';
        var first = negative ? 1 : 0;
        var point = -1;
        long digits = 0;
        for (var i = first; i < number.Length; i++)
        {
            var digit = (uint)(number[i] - (byte)'0');
            if (digit <= 9)
            {
                digits = (digits * 10) + digit;
            }
            else if (number[i] == (byte)'.' && point < 0)
            {
                point = i;
            }
            else
            {
                // An exponent: the general parser handles it.
                return false;
            }
        }

        var significantDigits = number.Length - first - (point < 0 ? 0 : 1);
        if (significantDigits is 0 or > 15)
        {
            return false;
        }

        var fractionDigits = point < 0 ? 0 : number.Length - point - 1;
        value = fractionDigits > 0 ? digits / PowersOfTen[fractionDigits] : digits;
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static long? Long(ref Utf8JsonReader reader, ref int unreadable, int field) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value,

        // 282.0 is the id 282 (see NeuFields.ToLong); it takes this path only when the plain form does not parse.
        JsonTokenType.Number when reader.TryGetDecimal(out var value) && NeuFields.WholeNumber(value) is { } whole => whole,
        JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && NeuFields.WholeNumber(parsed) is { } wholeText => wholeText,
        _ => Unreadable<long>(ref reader, ref unreadable, field),
    };

    private static bool? Bool(ref Utf8JsonReader reader, ref int unreadable, int field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value != 0,
        JsonTokenType.String when bool.TryParse(reader.GetString(), out var flag) => flag,
        _ => Unreadable<bool>(ref reader, ref unreadable, field),
    };

    private static string? Text(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
            default:
                SkipValue(ref reader);
                return null;
        }
    }

    /// <summary>
    /// Null for a value that gives none: null itself, an empty text, or one that does not read as the field's type, which is marked
    /// in <paramref name="unreadable"/> (bit <paramref name="field"/>) to be reported. A value of an unexpected kind
    /// (an object, say) is skipped whole so the next property is read correctly.
    /// </summary>
    private static T? Unreadable<T>(ref Utf8JsonReader reader, ref int unreadable, int field)
        where T : struct
    {
        if (reader.TokenType != JsonTokenType.Null && !IsBlankText(ref reader))
        {
            unreadable |= 1 << field;
        }

        SkipValue(ref reader);
        return null;
    }

    // An empty text ("", or spaces) is how some servers write a missing value: empty, like null, not unreadable.
    private static bool IsBlankText(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && string.IsNullOrWhiteSpace(reader.GetString());

    /// <summary>
    /// Skips the current value. Rows are parsed from buffers that end before the body does (isFinalBlock false), where
    /// Utf8JsonReader.Skip always throws, even on a null: a row with a null reading or a field of its own then failed
    /// the fast path every time. TrySkip skips what is buffered; a value cut off by the end of the buffer means the
    /// row is not whole yet, and the throw sends it to the careful path, which reads it once the rest has arrived.
    /// </summary>
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("A consumption reading is not whole in the buffer.");
        }
    }

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Parses consumption rows of one response. Keeps the last service name to reuse its string, and the last source
    /// (account and service fields) to give it to every following row of the same service.
    /// </summary>
    private sealed class RowParser(string interval)
    {
        private byte[]? lastNameUtf8;
        private string? lastName;
        private long? accountId;
        private string? accountName;
        private NeuConsumptionSource? lastSource;

        /// <summary>The account whose data array comes next: its fields go into the sources of the rows that follow.</summary>
        public void StartAccount(long? id, string? name)
        {
            accountId = id;
            accountName = name;
            lastSource = null;
        }

        public NeuConsumption Parse(ref Utf8JsonReader reader)
        {
            var row = new NeuConsumption();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new NeuProtocolException($"A consumption reading is not an object ({reader.TokenType}).");
            }

            long? serviceId = null;
            string? serviceName = null;
            bool? isBackup = null;
            var nextField = 0;
            var unreadable = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldIndex(ref reader, ref nextField);
                reader.Read();
                switch (field)
                {
                    case 0: serviceId = Long(ref reader, ref unreadable, field); break;
                    case 1: serviceName = Name(ref reader); break;
                    case 2: isBackup = Bool(ref reader, ref unreadable, field); break;
                    case 3: row.Date = Date(ref reader, ref unreadable, field); break;
                    case 4: row.Consumption = Number(ref reader, ref unreadable, field); break;
                    case 5: row.Injection = Number(ref reader, ref unreadable, field); break;
                    case 6: row.ReactiveInductive = Number(ref reader, ref unreadable, field); break;
                    case 7: row.ReactiveInductiveExcess = Number(ref reader, ref unreadable, field); break;
                    case 8: row.ReactiveCapacitive = Number(ref reader, ref unreadable, field); break;
                    case 9: row.ReactiveExcess = Number(ref reader, ref unreadable, field); break;
                    case 10: row.ImportedActiveCumulative = Number(ref reader, ref unreadable, field); break;
                    case 11: row.ImportedReactiveCumulative = Number(ref reader, ref unreadable, field); break;
                    case 12: row.ExportedActiveCumulative = Number(ref reader, ref unreadable, field); break;
                    case 13: row.ExportedReactiveCumulative = Number(ref reader, ref unreadable, field); break;
                    case 14: row.CurrentA = Number(ref reader, ref unreadable, field); break;
                    case 15: row.CurrentB = Number(ref reader, ref unreadable, field); break;
                    case 16: row.CurrentC = Number(ref reader, ref unreadable, field); break;
                    case 17: row.VoltageA = Number(ref reader, ref unreadable, field); break;
                    case 18: row.VoltageB = Number(ref reader, ref unreadable, field); break;
                    case 19: row.VoltageC = Number(ref reader, ref unreadable, field); break;
                    default: SkipValue(ref reader); break;
                }
            }

            if (nextField == 0 && reader.TokenType == JsonTokenType.EndObject)
            {
                throw NoReadingFields("consumption");
            }

            row.UnreadableFields = unreadable;
            row.Source = SourceFor(serviceId, serviceName, isBackup);
            return row;
        }

        private NeuConsumptionSource SourceFor(long? serviceId, string? serviceName, bool? isBackup)
        {
            if (lastSource is null || lastSource.ServiceId != serviceId || lastSource.IsBackup != isBackup
                || !string.Equals(lastSource.ServiceName, serviceName, StringComparison.Ordinal))
            {
                lastSource = new NeuConsumptionSource(accountId, accountName, serviceId, serviceName, isBackup, interval);
            }

            return lastSource;
        }

        // Every row of a service repeats its name: the same text gives the same string instead of a new one per row.
        private string? Name(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String && lastNameUtf8 is not null && reader.ValueTextEquals(lastNameUtf8))
            {
                return lastName;
            }

            var name = Text(ref reader);
            if (reader.TokenType == JsonTokenType.String && name is not null)
            {
                lastName = name;
                lastNameUtf8 = Encoding.UTF8.GetBytes(name);
            }

            return name;
        }
    }

    /// <summary>
    /// Reports the values of a response that did not read as their field's type and were left empty (NEU rows keep no
    /// copy of the answer as sent): once per field and response, naming the first row it was seen in, since a server
    /// that writes a field in an unknown form (a decimal comma, a date format of its own) does so in every row.
    /// </summary>
    private sealed class UnreadableValues(string routeName, IRequestTrace? trace)
    {
        private int reported;

        public void Report(int fields, long? serviceId, DateTime? date)
        {
            var unreported = fields & ~reported;
            if (unreported == 0)
            {
                return;
            }

            reported |= unreported;
            var row = (serviceId is { } id ? " of service " + id.ToString(CultureInfo.InvariantCulture) : string.Empty)
                + (date is { } at ? " at " + at.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) : string.Empty);
            for (var field = 0; field < RowFieldNames.Length; field++)
            {
                if ((unreported & (1 << field)) != 0)
                {
                    var name = RowFieldNames[field];
                    trace.WarnOnce(
                        "unreadable NEU field " + routeName + " " + name,
                        $"NEU {routeName}: field {name} {ProblemOf(field)} in the reading{row}, and is left empty in every reading where it does not read (Invoke-NeuRequest shows the answer as sent).");
                }
            }
        }

        private static string ProblemOf(int field) => field switch
        {
            0 => "is not a whole number",
            2 => "is not true or false",
            3 => "is not a date",
            _ => "is not a number",
        };
    }
}
