using System;
using System.Text.Json;

namespace EnergyData.Http;

public static class KhipuErrorClassifier
{
    /// <summary>How long Khipu asks callers to wait after WAIT_4_HOURS_BEFORE_RETRY.</summary>
    public static readonly TimeSpan Wait4HoursDelay = TimeSpan.FromHours(4);

    public static KhipuErrorType Parse(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return KhipuErrorType.Unknown;
        }

        switch (type!.Trim().ToUpperInvariant())
        {
            case "RETRY_IMMEDIATELY":
                return KhipuErrorType.RetryImmediately;
            case "DO_NOT_RETRY":
                return KhipuErrorType.DoNotRetry;
            case "WAIT_4_HOURS_BEFORE_RETRY":
                return KhipuErrorType.Wait4HoursBeforeRetry;
            case "RETRY_AFTER_NOTIFICATION":
                return KhipuErrorType.RetryAfterNotification;
            default:
                return KhipuErrorType.Unknown;
        }
    }

    /// <summary>
    /// True only for RETRY_IMMEDIATELY. Unknown is false here: the caller then falls back to the HTTP status,
    /// because an unrecognised type says nothing either way.
    /// </summary>
    public static bool IsRetryable(KhipuErrorType type) => type == KhipuErrorType.RetryImmediately;

    /// <summary>True for the types that forbid an automatic repeat of the call.</summary>
    public static bool ForbidsRetry(KhipuErrorType type) =>
        type is KhipuErrorType.DoNotRetry or KhipuErrorType.Wait4HoursBeforeRetry or KhipuErrorType.RetryAfterNotification;

    /// <summary>
    /// Reads <c>Error.Type</c> from a Khipu envelope (property names matched case-insensitively). Anything that is
    /// not such an envelope (HTML from a proxy, truncated JSON) gives Unknown rather than an exception.
    /// </summary>
    public static KhipuErrorType ParseEnvelope(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return KhipuErrorType.Unknown;
        }

        try
        {
            using var document = JsonDocument.Parse(Json.ByteOrderMark.Skip(body));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !Json.JsonProperties.TryGetIgnoringCase(document.RootElement, "Error", out var error)
                || error.ValueKind != JsonValueKind.Object
                || !Json.JsonProperties.TryGetIgnoringCase(error, "Type", out var type)
                || type.ValueKind != JsonValueKind.String)
            {
                return KhipuErrorType.Unknown;
            }

            return Parse(type.GetString());
        }
        catch (JsonException)
        {
            return KhipuErrorType.Unknown;
        }
    }
}
