using System;
using System.Globalization;

namespace EnergyData.Json;

/// <summary>
/// Dates in the form HTTP headers use (RFC 1123: <c>Thu, 01 Apr 2021 00:00:00 GMT</c>). Flask's default JSON provider
/// writes every date and datetime this way, so a NEU or Khipu server built on Flask sends its dates in it; NEU's
/// fields and Khipu's both read it through here.
/// </summary>
internal static class HttpDate
{
    // The weekday and the zone are taken off before parsing (see TryParseClockTime); d reads one or two digits.
    private static readonly string[] Formats = ["d MMM yyyy HH':'mm':'ss"];

    /// <summary>
    /// The clock time of an HTTP date, of kind Unspecified: the zone (GMT, UTC, UT, Z, or RFC 2822's <c>+hhmm</c>,
    /// which Python's email.utils writes) is dropped and the clock time kept as written, as this module reads every
    /// date that carries a zone. Names match in any case. The weekday may be left out, and is not checked against the
    /// date: the date says which day it is. False for any other text.
    /// </summary>
    public static bool TryParseClockTime(string text, out DateTime clockTime)
    {
        clockTime = default;
        var rest = text.Trim();
        var comma = rest.IndexOf(',');
        if (comma >= 0)
        {
            if (comma != 3 || !char.IsLetter(rest[0]) || !char.IsLetter(rest[1]) || !char.IsLetter(rest[2]))
            {
                return false;
            }

            rest = rest.Substring(comma + 1).TrimStart();
        }

        var zoneStart = rest.LastIndexOf(' ');
        if (zoneStart < 0 || !IsZone(rest.Substring(zoneStart + 1)))
        {
            return false;
        }

        return DateTime.TryParseExact(rest.Substring(0, zoneStart), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out clockTime);
    }

    private static bool IsZone(string zone)
    {
        if (zone.Length == 5 && zone[0] is '+' or '-')
        {
            for (var i = 1; i < zone.Length; i++)
            {
                if (zone[i] is < '0' or > '9')
                {
                    return false;
                }
            }

            return true;
        }

        return string.Equals(zone, "GMT", StringComparison.OrdinalIgnoreCase)
            || string.Equals(zone, "UTC", StringComparison.OrdinalIgnoreCase)
            || string.Equals(zone, "UT", StringComparison.OrdinalIgnoreCase)
            || string.Equals(zone, "Z", StringComparison.OrdinalIgnoreCase);
    }
}
