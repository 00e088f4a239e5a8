using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EnergyData.Khipu;

/// <summary>
/// A request Khipu accepted for asynchronous processing (HTTP 202). The result is POSTed to the CallbackUrl
/// later; OperationId is the key that matches it.
/// </summary>
public sealed class KhipuOperation
{
    private static readonly Regex OffsetWithoutColon = new(@"([+-]\d{2})(\d{2})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public string? OperationId { get; set; }

    /// <summary>Short service name, for example EnelDebtStatus.</summary>
    public string Service { get; set; } = string.Empty;

    public string ServicePath { get; set; } = string.Empty;

    /// <summary>The input that identifies the request: a ClientIdentifier, a RutDeudor, or empty.</summary>
    public string? InputIdentifier { get; set; }

    public string? CallbackUrl { get; set; }

    /// <summary>The request's non-secret identifying fields as JSON, so Wait-KhipuOperation can map the result later.</summary>
    public string? RequestInputs { get; set; }

    /// <summary>Khipu's estimate of the latest delivery time, when it could be read as a date.</summary>
    public DateTimeOffset? LifeSpan { get; set; }

    /// <summary>LifeSpan as Khipu sent it.</summary>
    public string? LifeSpanRaw { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public string? Status { get; set; }

    public string? AdditionalInformation { get; set; }

    /// <summary>Set only when Khipu answered a request with a CallbackUrl synchronously anyway: the whole body, so nothing is lost.</summary>
    public string? ResultJson { get; set; }

    /// <summary>Reads Khipu's LifeSpan ("2017-07-22T00:00:00-0400", or ISO 8601 with a colon or Z).</summary>
    public static DateTimeOffset? ParseLifeSpan(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var normalized = OffsetWithoutColon.Replace(text!.Trim(), "$1:$2");
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
    }
}
