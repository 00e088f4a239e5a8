using System;
using System.Globalization;

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

    public static string Milliseconds(TimeSpan value) =>
        value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
