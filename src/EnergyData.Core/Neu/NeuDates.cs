using System;
using System.Globalization;

namespace EnergyData.Neu;

/// <summary>
/// How dates travel to NEU. The document's examples are local times without a zone ("2021-04-01T00:00:00"), and NEU
/// serves Colombian meters, so a date is sent as the clock time it shows, with no conversion. The one exception is a
/// DateTime of kind Utc (for example [datetime]::UtcNow): it is converted to Colombia time (UTC-05:00, no daylight
/// saving) first, because a UTC instant sent as a local clock time would be five hours off.
/// </summary>
public static class NeuDates
{
    public static readonly TimeSpan ColombiaOffset = TimeSpan.FromHours(-5);

    /// <summary>The clock time to send: as given, or Colombia time for a UTC value.</summary>
    public static DateTime ToNeuClock(DateTime value) =>
        value.Kind == DateTimeKind.Utc ? DateTime.SpecifyKind(value + ColombiaOffset, DateTimeKind.Unspecified) : value;

    /// <summary>yyyy-MM-ddTHH:mm:ss, as in the document.</summary>
    public static string Format(DateTime value) =>
        ToNeuClock(value).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// The DDV (frontier) endpoint as seen in public use: the same clock time with a literal Z suffix, which is how its
    /// only known caller sends it ("2024-01-01T00:00:00Z" for the first hour of a day).
    /// </summary>
    public static string FormatFrontier(DateTime value) => Format(value) + "Z";
}
