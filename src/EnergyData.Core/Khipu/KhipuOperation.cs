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
    // An offset written without its colon (-0400), after a time: the year of a date written last ("03-12-2026") is not one.
    private static readonly Regex OffsetWithoutColon = new(@"(:\d{2}(?:\.\d+)?)([+-]\d{2})(\d{2})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // A date written with dashes and the year last: day first, as Chile writes dates and as the module reads them in
    // Data (FieldMapper). The general parser reads "03-12-2026 10:00" month first and gives up on "25-12-2026 10:00".
    private static readonly Regex DashedYearLast = new(@"^\d{1,2}-\d{1,2}-\d{4}(?:$|[ T])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly string[] DayFirstFormats = DayFirst();

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

    /// <summary>
    /// Reads Khipu's LifeSpan ("2017-07-22T00:00:00-0400", or ISO 8601 with a colon or Z; a dashed date with the year
    /// last is read day first, as Chile writes it: "25-12-2026 10:00"). Without an offset, the time is taken as UTC.
    /// </summary>
    public static DateTimeOffset? ParseLifeSpan(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var normalized = OffsetWithoutColon.Replace(text!.Trim(), "$1$2:$3");
        if (DashedYearLast.IsMatch(normalized))
        {
            // Never month first: a date that is not one day first ("12-25-2026") stays unread (LifeSpanRaw keeps it).
            return DateTimeOffset.TryParseExact(normalized, DayFirstFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dayFirst) ? dayFirst : null;
        }

        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
    }

    /// <summary>d-M-yyyy, alone or with a time (H:mm, H:mm:ss, with a fraction) after a space or a T, with or without an offset.</summary>
    private static string[] DayFirst()
    {
        var formats = new System.Collections.Generic.List<string> { "d'-'M'-'yyyy" };
        foreach (var separator in new[] { "' '", "'T'" })
        {
            foreach (var time in new[] { "H':'mm", "H':'mm':'ss", "H':'mm':'ss'.'FFFFFFF" })
            {
                formats.Add("d'-'M'-'yyyy" + separator + time);
                formats.Add("d'-'M'-'yyyy" + separator + time + "K");
            }
        }

        return formats.ToArray();
    }
}
