using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using EnergyData.Auth;
using EnergyData.Diagnostics;

namespace EnergyData.Khipu;

/// <summary>
/// Writes the request envelope <c>{"RequestData": {...}, "CallbackUrl": ...}</c>. The same walk writes the
/// redacted copy shown at Debug, where secret values become <c>***</c>.
/// </summary>
internal static class KhipuRequestWriter
{
    public static byte[] Write(KhipuRequest request) => WriteCore(request, redact: false);

    public static string WriteRedacted(KhipuRequest request) => Encoding.UTF8.GetString(WriteCore(request, redact: true));

    private static byte[] WriteCore(KhipuRequest request, bool redact)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("RequestData");
            WriteValue(writer, request.RequestData, redact, depth: 0);
            if (request.CallbackUrl is not null)
            {
                writer.WriteString("CallbackUrl", request.CallbackUrl.AbsoluteUri);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, bool redact, int depth)
    {
        if (depth > 32)
        {
            throw new Validation.ParameterValidationException("RequestData", "must not be nested more than 32 levels deep");
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
            case int or long or short or byte or sbyte or ushort or uint or ulong:
                writer.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case float number:
                writer.WriteNumberValue(number);
                break;
            case DateTime date:
                writer.WriteStringValue(date.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset date:
                writer.WriteStringValue(date.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                break;
            case Uri uri:
                writer.WriteStringValue(uri.OriginalString);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case KhipuAccountCredential credential:
                WriteCredential(writer, credential, redact);
                break;
            case IDictionary<string, object?> map:
                WriteMap(writer, map, redact, depth);
                break;
            case IReadOnlyDictionary<string, object?> map:
                WriteMap(writer, map, redact, depth);
                break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    writer.WritePropertyName(key);
                    WriteMaybeSecret(writer, key, entry.Value, redact, depth);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, redact, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> map, bool redact, int depth)
    {
        writer.WriteStartObject();
        foreach (var pair in map)
        {
            writer.WritePropertyName(pair.Key);
            WriteMaybeSecret(writer, pair.Key, pair.Value, redact, depth);
        }

        writer.WriteEndObject();
    }

    private static void WriteMaybeSecret(Utf8JsonWriter writer, string key, object? value, bool redact, int depth)
    {
        if (redact && value is not null && Redaction.IsSecretName(key) && value is not KhipuAccountCredential)
        {
            writer.WriteStringValue(Redaction.Mask);
        }
        else
        {
            WriteValue(writer, value, redact, depth + 1);
        }
    }

    private static void WriteCredential(Utf8JsonWriter writer, KhipuAccountCredential credential, bool redact)
    {
        writer.WriteStartObject();
        if (credential.IsAccountLink)
        {
            writer.WriteString("AccountLink", redact ? Redaction.Mask : credential.Secret.ToPlainText());
        }
        else
        {
            writer.WriteString("Username", credential.UserName);
            writer.WriteString("Password", redact ? Redaction.Mask : credential.Secret.ToPlainText());
        }

        writer.WriteEndObject();
    }
}
