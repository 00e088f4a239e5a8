using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace EnergyData.Http;

/// <summary>
/// Formats headers for Debug output with credential values replaced. Header names stay visible so a user can
/// tell that authentication was sent at all.
/// </summary>
public static class HeaderRedaction
{
    public const string Mask = "***";

    private static readonly HashSet<string> SensitiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "x-api-key",
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "Set-Cookie",
    };

    // Custom key headers (ApiKeyAuthentication takes any header name) are caught by these fragments.
    private static readonly string[] SensitiveFragments = { "api-key", "apikey", "token", "secret", "password" };

    public static bool IsSensitive(string headerName)
    {
        if (headerName is null)
        {
            throw new ArgumentNullException(nameof(headerName));
        }

        return SensitiveNames.Contains(headerName)
            || SensitiveFragments.Any(f => headerName.IndexOf(f, StringComparison.OrdinalIgnoreCase) >= 0);
    }

    /// <summary>One line, <c>Name: value; Name: ***</c>, headers in the order given.</summary>
    public static string Format(params IEnumerable<KeyValuePair<string, IEnumerable<string>>>?[] headerSets)
    {
        if (headerSets is null)
        {
            throw new ArgumentNullException(nameof(headerSets));
        }

        var builder = new StringBuilder();
        foreach (var set in headerSets)
        {
            if (set is null)
            {
                continue;
            }

            foreach (var header in set)
            {
                if (builder.Length > 0)
                {
                    builder.Append("; ");
                }

                builder.Append(header.Key).Append(": ");
                builder.Append(IsSensitive(header.Key) ? Mask : string.Join(", ", header.Value));
            }
        }

        return builder.ToString();
    }
}
