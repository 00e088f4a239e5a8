using System;
using System.Globalization;
using EnergyData.Errors;

namespace EnergyData.Http;

/// <summary>Short, culture-independent durations for trace lines and error messages.</summary>
internal static class TimeFormat
{
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
        }

        if (value < TimeSpan.FromMinutes(2))
        {
            return value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
        }

        if (value < TimeSpan.FromHours(2))
        {
            return value.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min";
        }

        return value.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h";
    }

    /// <summary>
    /// A duration for a sentence a user reads, in the largest whole unit it reaches, with the unit in agreement:
    /// "1 day", "1.5 days", "3 hours", "15 minutes", "1 second". Negative durations read as zero seconds.
    /// </summary>
    public static string InWords(TimeSpan value) =>
        value.TotalDays >= 1 ? MessageText.Amount(value.TotalDays, "0.#", "day", "days")
        : value.TotalHours >= 1 ? MessageText.Amount(value.TotalHours, "0.#", "hour", "hours")
        : value.TotalMinutes >= 1 ? MessageText.Amount(value.TotalMinutes, "0.#", "minute", "minutes")
        : MessageText.Amount(Math.Max(0, value.TotalSeconds), "0", "second", "seconds");

    /// <summary>A wait a server asked for, as error text says it: "15 minutes (until 2026-01-15 12:15:00Z)".</summary>
    public static string Wait(TimeSpan delay, DateTimeOffset? until) =>
        InWords(delay) + (until is { } at ? " (until " + at.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture) + ")" : string.Empty);

    public static string Milliseconds(TimeSpan value) =>
        value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
