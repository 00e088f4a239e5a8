using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;

namespace EnergyData.Http;

/// <summary>Reads the <c>Retry-After</c> header in both of its RFC 9110 forms: delta-seconds and HTTP-date.</summary>
public static class RetryAfter
{
    // IMF-fixdate first; RFC 850 and asctime are obsolete but still must be accepted by recipients.
    private static readonly string[] HttpDateFormats =
    {
        "r",
        "ddd, d MMM yyyy H:m:s 'GMT'",
        "dddd, d-MMM-yy H:m:s 'GMT'",
        "ddd MMM d H:m:s yyyy",
    };

    /// <summary>
    /// Parses a header value into a delay from <paramref name="now"/>. A date in the past gives a zero delay;
    /// a negative or malformed value gives false.
    /// </summary>
    public static bool TryParse(string? value, DateTimeOffset now, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value!.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            // Clamp absurd values instead of overflowing: anything this large exceeds MaxRetryAfter anyway.
            delay = TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.FromDays(365).TotalSeconds));
            return true;
        }

        if (DateTimeOffset.TryParseExact(
                text,
                HttpDateFormats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var date))
        {
            var remaining = date - now;
            delay = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The wait a failed answer's Retry-After asks for, for its error: null when it has none, or none that is still
    /// ahead (0 seconds, a date past), since "wait 0 seconds" tells a user nothing.
    /// </summary>
    public static TimeSpan? WaitAskedBy(HttpResponseMessage response, DateTimeOffset now) =>
        TryGetDelay(response, now, out var delay) && delay > TimeSpan.Zero ? delay : null;

    public static bool TryGetDelay(HttpResponseMessage response, DateTimeOffset now, out TimeSpan delay)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        delay = TimeSpan.Zero;
        return response.Headers.TryGetValues("Retry-After", out var values)
            && TryParse(values.FirstOrDefault(), now, out delay);
    }
}
