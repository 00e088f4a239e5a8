using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using EnergyData.Validation;

namespace EnergyData.Neu;

/// <summary>Consumption detail: the document's HOURLY, DAILY and MONTHLY.</summary>
public enum NeuInterval
{
    Hourly,
    Daily,
    Monthly,
}

/// <summary>The NEU input rules, checked before any request (a <see cref="ParameterValidationException"/> names the parameter and rule).</summary>
public static class NeuInput
{
    /// <summary>Service ids in one consumption request: the document sets no limit; this keeps one body sane.</summary>
    public const int MaxServiceIds = 500;

    public const int MaxSicCodes = 500;

    private static readonly Regex SicCodePattern = new("^[A-Za-z0-9_-]{1,32}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex MethodPattern = new("^(GET|POST|PUT|PATCH|DELETE)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    public static long Id(long value, string parameterName)
    {
        if (value <= 0)
        {
            throw new ParameterValidationException(parameterName, "must be a positive integer", string.Format(CultureInfo.InvariantCulture, "It was {0}.", value));
        }

        return value;
    }

    public static long[] Ids(IEnumerable<long>? values, string parameterName, int max)
    {
        var list = values?.ToArray() ?? [];
        if (list.Length == 0)
        {
            throw new ParameterValidationException(parameterName, "must contain at least one id");
        }

        if (list.Length > max)
        {
            throw new ParameterValidationException(parameterName, $"must contain at most {max} ids per request", $"It has {list.Length}.");
        }

        foreach (var value in list)
        {
            Id(value, parameterName);
        }

        return list.Distinct().ToArray();
    }

    /// <summary>Optional From/To: each within the accepted span, From not after To.</summary>
    public static void OptionalRange(DateTime? from, DateTime? to) => InputRules.DateRange(Clock(from), Clock(to));

    /// <summary>Required From/To, From before To.</summary>
    public static void RequiredRange(DateTime? from, DateTime? to)
    {
        if (from is null)
        {
            throw new ParameterValidationException("From", "is required");
        }

        if (to is null)
        {
            throw new ParameterValidationException("To", "is required");
        }

        OptionalRange(from, to);
    }

    public static string[] SicCodes(IEnumerable<string?>? values)
    {
        var list = values?.Select(value => value?.Trim()).ToArray() ?? [];
        if (list.Length == 0)
        {
            throw new ParameterValidationException("SicCode", "must contain at least one SIC frontier code");
        }

        if (list.Length > MaxSicCodes)
        {
            throw new ParameterValidationException("SicCode", $"must contain at most {MaxSicCodes} codes per request", $"It has {list.Length}.");
        }

        foreach (var code in list)
        {
            if (code is null || !SicCodePattern.IsMatch(code))
            {
                throw new ParameterValidationException("SicCode", "must be 1 to 32 letters, digits, '-' or '_' (a SIC frontier code)", $"'{code}' is not.");
            }
        }

        return list.Distinct(StringComparer.Ordinal).ToArray()!;
    }

    public static string Method(string? value)
    {
        var text = InputRules.Required(value, "Method");
        if (!MethodPattern.IsMatch(text))
        {
            throw new ParameterValidationException("Method", "must be GET, POST, PUT, PATCH or DELETE", $"'{value}' is not.");
        }

        return text.ToUpperInvariant();
    }

    /// <summary>
    /// Whether a request with this method changes data, so Invoke-NeuRequest asks first (ShouldProcess): PUT, PATCH and
    /// DELETE. GET and POST are sent without asking, because NEU reads with POST too (consumption, bills).
    /// </summary>
    public static bool ChangesData(string? method) =>
        method?.Trim().ToUpperInvariant() is "PUT" or "PATCH" or "DELETE";

    /// <summary>
    /// A path relative to the NEU base URI: no scheme, no '..' (written out or percent-encoded), no fragment (a query
    /// is allowed).
    /// </summary>
    public static string Path(string? value)
    {
        var path = InputRules.Required(value, "Path");
        if (path.Contains("://") || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("\\"))
        {
            throw new ParameterValidationException("Path", "must be relative to the NEU base URI, not an absolute URL (for example bills/overdue/)", $"'{value}' is not.");
        }

        var pathPart = path.Split('?')[0];
        if (pathPart.Split('/').Any(segment => segment is ".." or "."))
        {
            throw new ParameterValidationException("Path", "must not contain '..' or '.' segments", $"'{value}' does.");
        }

        // Only the path part: a query may carry an encoded slash as data (a date, a URL).
        if (InputRules.HasEncodedDotOrSeparator(pathPart))
        {
            throw new ParameterValidationException("Path", "must not hold a percent-encoded dot, slash or backslash (%2e, %2f, %5c) before its query: write a dot as '.'", $"'{value}' does.");
        }

        if (path.Contains("#"))
        {
            throw new ParameterValidationException("Path", "must not contain a fragment", $"'{value}' does.");
        }

        return path.TrimStart('/');
    }

    private static DateTime? Clock(DateTime? value) => value is { } date ? NeuDates.ToNeuClock(date) : null;
}
