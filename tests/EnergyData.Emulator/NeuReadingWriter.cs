using System;
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace EnergyData.Emulator;

/// <summary>
/// Writes one consumption reading (a row of <c>data/consumption/</c>) in the document's field order. The large mode
/// writes a million of them, so it uses a <see cref="Template"/>: the row's bytes rendered once per hour of the day
/// by these same methods, with only the date and the three counters that change from row to row filled in. Formatting
/// 16 doubles per row was most of the emulator's cost, which the benchmark's client shares the machine with.
/// </summary>
public static class NeuReadingWriter
{
    private const string Iso = "yyyy-MM-dd'T'HH:mm:ss";

    // Readings repeat with the hour of the day (index % 24) apart from the date and the cumulative counters.
    private const int Phases = 24;

    public static void Write(Utf8JsonWriter writer, NeuServiceData service, DateTime date, long index)
    {
        WriteHead(writer, service);
        writer.WritePropertyName("date");
        writer.WriteStringValue(date.ToString(Iso, CultureInfo.InvariantCulture));
        WriteInstantValues(writer, service, index);
        writer.WritePropertyName("imported_active_acum");
        writer.WriteNumberValue(ImportedActive(index));
        writer.WritePropertyName("imported_reactive_acum");
        writer.WriteNumberValue(ImportedReactive(index));
        writer.WritePropertyName("exported_active_acum");
        writer.WriteNumberValue(ExportedActive(index));
        WriteTail(writer);
    }

    private static long ImportedActive(long index) => 10000 + (index * 2);

    private static long ImportedReactive(long index) => 3000 + index;

    private static long ExportedActive(long index) => 500 + index;

    private static void WriteHead(Utf8JsonWriter writer, NeuServiceData service)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id_service", service.Id);
        writer.WriteString("name", service.Name);
        writer.WriteBoolean("is_backup", service.Id == 283);
    }

    private static void WriteInstantValues(Utf8JsonWriter writer, NeuServiceData service, long index)
    {
        var cons = Math.Round((((service.Id % 7) + 1) * 1.5) + ((index % Phases) * 0.25), 2);
        writer.WriteNumber("cons", cons);
        writer.WriteNumber("injec", Math.Round(cons / 10, 3));
        writer.WriteNumber("reactive_in", Math.Round(cons * 0.3, 3));
        writer.WriteNumber("reactive_in_ex", 0.0);
        writer.WriteNumber("reactive_cap", Math.Round(cons * 0.05, 3));
        writer.WriteNumber("reactive_ex", 0.0);
    }

    private static void WriteTail(Utf8JsonWriter writer)
    {
        writer.WriteNumber("exported_reactive_acum", 100);
        writer.WriteNumber("ia", 12.5);
        writer.WriteNumber("ib", 12.25);
        writer.WriteNumber("ic", 12.75);
        writer.WriteNumber("va", 120.1);
        writer.WriteNumber("vb", 119.8);
        writer.WriteNumber("vc", 120.4);
        writer.WriteEndObject();
    }

    /// <summary>The rows of one service, pre-rendered; <see cref="Render"/> gives the same bytes as <see cref="Write"/>.</summary>
    public sealed class Template
    {
        private const int DateLength = 19;
        private readonly byte[] head;
        private readonly byte[][] instantValues = new byte[Phases][];
        private readonly byte[] importedReactiveName;
        private readonly byte[] exportedActiveName;
        private readonly byte[] tail;
        private readonly byte[] row;
        private DateTime cachedDay = DateTime.MinValue;
        private readonly byte[] dayText = new byte[11];

        public Template(NeuServiceData service)
        {
            ArgumentNullException.ThrowIfNull(service);
            var buffer = new ArrayBufferWriter<byte>();
            using var writer = new Utf8JsonWriter(buffer);
            for (var phase = 0; phase < Phases; phase++)
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                WriteHead(writer, service);
                writer.WritePropertyName("date");
                var headEnd = Mark(writer, buffer);
                writer.WriteStringValue("2000-01-01T00:00:00");
                var dateEnd = Mark(writer, buffer);
                WriteInstantValues(writer, service, phase);
                writer.WritePropertyName("imported_active_acum");
                var instantEnd = Mark(writer, buffer);
                writer.WriteNumberValue(0);
                var firstCounterEnd = Mark(writer, buffer);
                writer.WritePropertyName("imported_reactive_acum");
                var secondNameEnd = Mark(writer, buffer);
                writer.WriteNumberValue(0);
                var secondCounterEnd = Mark(writer, buffer);
                writer.WritePropertyName("exported_active_acum");
                var thirdNameEnd = Mark(writer, buffer);
                writer.WriteNumberValue(0);
                var thirdCounterEnd = Mark(writer, buffer);
                WriteTail(writer);
                var end = Mark(writer, buffer);

                var bytes = buffer.WrittenSpan;
                instantValues[phase] = bytes[dateEnd..instantEnd].ToArray();
                if (phase == 0)
                {
                    head = bytes[..headEnd].ToArray();
                    importedReactiveName = bytes[firstCounterEnd..secondNameEnd].ToArray();
                    exportedActiveName = bytes[secondCounterEnd..thirdNameEnd].ToArray();
                    tail = bytes[thirdCounterEnd..end].ToArray();
                }
            }

            head ??= [];
            importedReactiveName ??= [];
            exportedActiveName ??= [];
            tail ??= [];
            var longest = 0;
            foreach (var values in instantValues)
            {
                longest = Math.Max(longest, values.Length);
            }

            // Room for the longest phase and three counters of up to 20 digits each.
            row = new byte[head.Length + DateLength + 2 + longest + importedReactiveName.Length + exportedActiveName.Length + tail.Length + 60];
        }

        /// <summary>The row for <paramref name="date"/> and <paramref name="index"/>; valid until the next call.</summary>
        public ReadOnlySpan<byte> Render(DateTime date, long index)
        {
            var span = row.AsSpan();
            var at = Append(span, 0, head);
            span[at++] = (byte)'"';
            at = AppendDate(span, at, date);
            span[at++] = (byte)'"';
            at = Append(span, at, instantValues[index % Phases]);
            at = AppendNumber(span, at, ImportedActive(index));
            at = Append(span, at, importedReactiveName);
            at = AppendNumber(span, at, ImportedReactive(index));
            at = Append(span, at, exportedActiveName);
            at = AppendNumber(span, at, ExportedActive(index));
            at = Append(span, at, tail);
            return span[..at];
        }

        private static int Mark(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
        {
            writer.Flush();
            return buffer.WrittenCount;
        }

        private static int Append(Span<byte> span, int at, byte[] bytes)
        {
            bytes.CopyTo(span[at..]);
            return at + bytes.Length;
        }

        private static int AppendNumber(Span<byte> span, int at, long value)
        {
            Utf8Formatter.TryFormat(value, span[at..], out var written);
            return at + written;
        }

        // yyyy-MM-ddTHH:mm:ss; the day part is formatted once per day, since rows advance an hour at a time.
        private int AppendDate(Span<byte> span, int at, DateTime date)
        {
            if (date.Date != cachedDay)
            {
                cachedDay = date.Date;
                var text = date.ToString("yyyy-MM-dd'T'", CultureInfo.InvariantCulture);
                for (var i = 0; i < dayText.Length; i++)
                {
                    dayText[i] = (byte)text[i];
                }
            }

            at = Append(span, at, dayText);
            at = TwoDigits(span, at, date.Hour);
            span[at++] = (byte)':';
            at = TwoDigits(span, at, date.Minute);
            span[at++] = (byte)':';
            return TwoDigits(span, at, date.Second);
        }

        private static int TwoDigits(Span<byte> span, int at, int value)
        {
            span[at] = (byte)('0' + (value / 10));
            span[at + 1] = (byte)('0' + (value % 10));
            return at + 2;
        }
    }
}
