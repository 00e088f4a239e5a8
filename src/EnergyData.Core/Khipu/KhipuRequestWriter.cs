using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using EnergyData.Auth;
using EnergyData.Diagnostics;
using EnergyData.Json;

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
            (redact ? ValueWriter.Redacting : ValueWriter.Plain).WriteValue(writer, request.RequestData);
            if (request.CallbackUrl is not null)
            {
                writer.WriteString("CallbackUrl", request.CallbackUrl.AbsoluteUri);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Khipu's dates, its account credential, and (for the Debug copy) secret-named members masked.</summary>
    private sealed class ValueWriter(bool redact) : PlainJsonWriter("RequestData")
    {
        public static readonly ValueWriter Plain = new(redact: false);

        public static readonly ValueWriter Redacting = new(redact: true);

        protected override string FormatDate(DateTime date) => date.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

        protected override string FormatDate(DateTimeOffset date) => date.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

        protected override bool TryWriteOwnValue(Utf8JsonWriter writer, object value)
        {
            if (value is not KhipuAccountCredential credential)
            {
                return false;
            }

            WriteCredential(writer, credential, redact);
            return true;
        }

        protected override void WriteMember(Utf8JsonWriter writer, string key, object? value, int depth, string path)
        {
            if (redact && value is not null && Redaction.IsSecretName(key) && value is not KhipuAccountCredential)
            {
                writer.WriteStringValue(Redaction.Mask);
            }
            else
            {
                WriteValue(writer, value, depth, path);
            }
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
