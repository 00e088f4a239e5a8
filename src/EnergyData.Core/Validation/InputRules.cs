using System;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace EnergyData.Validation;

/// <summary>
/// The documented input rules of both APIs, checked before any request is sent so a bad value costs nothing
/// (every Khipu request is billed). Each check throws <see cref="ParameterValidationException"/> naming the
/// parameter and the rule.
/// </summary>
public static class InputRules
{
    /// <summary>Khipu: ClientIdentifier is at most 20 characters.</summary>
    public const int ClientIdentifierMaxLength = 20;

    /// <summary>Khipu: CallbackUrl is at most 255 characters.</summary>
    public const int CallbackUrlMaxLength = 255;

    /// <summary>CEN rows per page: the document gives no bound; these keep one page a sane size.</summary>
    public const int CenPageSizeMin = 1;

    public const int CenPageSizeMax = 1000;

    public const int CenDefaultPageSize = 200;

    /// <summary>
    /// A request body (Invoke-KhipuRequest -RequestData, Invoke-NeuRequest -Body) nests at most this deep; the limit
    /// also stops a hashtable that contains itself. Checked where PowerShell's values are converted and again where
    /// the core writes JSON, for callers of the core.
    /// </summary>
    public const int BodyMaxDepth = 32;

    /// <summary>The CEN date filter accepts calendar dates; outside this span a value is a typo, not a query.</summary>
    public static readonly DateTime EarliestDate = new(1900, 1, 1);

    public static readonly DateTime LatestDate = new(2100, 12, 31);

    // Account or client number, without check digit or with it after a hyphen (Enel document: "1234567-8").
    private static readonly Regex ClientIdentifierPattern = new(@"^[0-9]+(-[0-9Kk])?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // The Enel document's pattern ^[\w-\.]+@([\w-]+\.)+[\w-]{2,4}$, written so .NET accepts the character class.
    private static readonly Regex EmailPattern = new(@"^[\w.-]+@([\w-]+\.)+[\w-]{2,4}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // Digits, the last of which may be the check digit K (a RUT's check digit is 0-9 or K).
    private static readonly Regex RutPattern = new(@"^(?:[0-9]{1,10}|[0-9]{1,9}[Kk])$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static string ClientIdentifier(string? value, string parameterName = "ClientIdentifier")
    {
        var text = Required(value, parameterName);
        if (text.Length > ClientIdentifierMaxLength)
        {
            throw new ParameterValidationException(parameterName, $"must be at most {ClientIdentifierMaxLength} characters", $"'{text}' has {text.Length}.");
        }

        if (!ClientIdentifierPattern.IsMatch(text))
        {
            throw new ParameterValidationException(parameterName, "must be digits, optionally followed by a hyphen and the check digit (for example 1234567-8)", $"'{text}' is not.");
        }

        return text;
    }

    public static string Email(string? value, string parameterName = "Email")
    {
        var text = Required(value, parameterName);
        if (!EmailPattern.IsMatch(text))
        {
            throw new ParameterValidationException(parameterName, @"must match the pattern ^[\w-\.]+@([\w-]+\.)+[\w-]{2,4}$", $"'{text}' does not.");
        }

        return text;
    }

    public static string Rut(string? value, string parameterName = "RutDeudor")
    {
        var text = Required(value, parameterName);
        if (!RutPattern.IsMatch(text))
        {
            throw new ParameterValidationException(parameterName, "must be 1 to 10 digits (the last may be the check digit K), without dots or hyphen (for example 76999999)", $"'{text}' is not.");
        }

        return text;
    }

    public static int CenPageSize(int value, string parameterName = "PageSize")
    {
        if (value is < CenPageSizeMin or > CenPageSizeMax)
        {
            throw new ParameterValidationException(parameterName, $"must be between {CenPageSizeMin} and {CenPageSizeMax}", $"It was {value}.");
        }

        return value;
    }

    private static readonly string[] IsoDateFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    public static DateTime Date(DateTime value, string parameterName)
    {
        if (value < EarliestDate || value > LatestDate)
        {
            throw new ParameterValidationException(
                parameterName,
                string.Format(CultureInfo.InvariantCulture, "must be between {0:yyyy-MM-dd} and {1:yyyy-MM-dd}", EarliestDate, LatestDate),
                $"It was {value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.");
        }

        return value;
    }

    /// <summary>Both ends inside the accepted span, and From not after To.</summary>
    public static void DateRange(DateTime? from, DateTime? to, string fromName = "From", string toName = "To")
    {
        if (from is { } f)
        {
            Date(f, fromName);
        }

        if (to is { } t)
        {
            Date(t, toName);
        }

        if (from is { } start && to is { } end && start > end)
        {
            throw new ParameterValidationException(
                fromName,
                $"must not be later than '{toName}'",
                string.Format(CultureInfo.InvariantCulture, "{0} is {1:yyyy-MM-dd HH:mm:ss}, {2} is {3:yyyy-MM-dd HH:mm:ss}.", fromName, start, toName, end));
        }
    }

    /// <summary>
    /// A date written year first with dashes (<c>2025-01-31</c>, with a time after a T or a space, or not; no zone): one
    /// date in every culture, read in the Gregorian calendar. PowerShell's binder reads a compiled cmdlet's date text in
    /// the session's culture and its calendar, so on th-TH <c>2024-01-05</c> was the Buddhist year 2024 (1481) and on
    /// ar-SA no date at all.
    /// </summary>
    public static bool TryParseIsoDate(string text, out DateTime date) =>
        DateTime.TryParseExact(text.Trim(), IsoDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Khipu's CEN format: MM/DD/YYYY, whatever the user's culture.</summary>
    public static string ToCenDate(DateTime value) => value.ToString("MM'/'dd'/'yyyy", CultureInfo.InvariantCulture);

    public static Uri CallbackUrl(Uri? value, string parameterName = "CallbackUrl")
    {
        if (value is null)
        {
            throw new ParameterValidationException(parameterName, "is required");
        }

        if (!value.IsAbsoluteUri)
        {
            throw new ParameterValidationException(parameterName, "must be an absolute http or https URL", $"'{value.OriginalString}' is relative.");
        }

        if (value.Scheme != Uri.UriSchemeHttp && value.Scheme != Uri.UriSchemeHttps)
        {
            throw new ParameterValidationException(parameterName, "must be an absolute http or https URL", $"The scheme '{value.Scheme}' is not allowed.");
        }

        if (value.AbsoluteUri.Length > CallbackUrlMaxLength)
        {
            throw new ParameterValidationException(parameterName, $"must be at most {CallbackUrlMaxLength} characters", $"It has {value.AbsoluteUri.Length}.");
        }

        // The module writes a receiver's URL with *** for its secret segment (KhipuOperation.CallbackUrl,
        // RedactedCallbackUrl), and that text comes back through CSV columns: sent, it would give Khipu an address that
        // no receiver answers (or that the receiver refuses as forged), and the billed result would be lost.
        if (Uri.UnescapeDataString(value.AbsoluteUri).Contains(Diagnostics.Redaction.Mask))
        {
            var hint = parameterName == "CallbackUrl" ? " Nothing was sent. The real URL is held by the receiver: use -Async (without a CallbackUrl property or column) to send it." : string.Empty;
            throw new ParameterValidationException(parameterName, "must be a real URL, not one with a secret hidden", $"'{value.AbsoluteUri}' holds '{Diagnostics.Redaction.Mask}', the placeholder that KhipuOperation rows and RedactedCallbackUrl show in place of a callback receiver's secret path segment.{hint}");
        }

        return value;
    }

    /// <summary>
    /// An API base address: absolute, https (plain http only on the loopback, for emulators and tunnels, unless
    /// <paramref name="allowUnencrypted"/>), and without user information or a query that could carry a secret into logs.
    /// </summary>
    public static Uri BaseUri(Uri? value, string parameterName, bool allowUnencrypted = false)
    {
        CheckServerAddress(value, parameterName, allowUnencrypted);
        if (!string.IsNullOrEmpty(value!.Query) || !string.IsNullOrEmpty(value.Fragment))
        {
            throw new ParameterValidationException(parameterName, "must not contain a query or fragment");
        }

        // Relative service paths are appended to it, so it must end with a slash.
        return value.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? value : new Uri(value.AbsoluteUri + "/");
    }

    /// <summary>
    /// An OAuth token endpoint: checked as a base address is (absolute, https or loopback http, no user information),
    /// but returned exactly as given. The documents do not name Khipu's token endpoint, so only the URL the user was
    /// given is known to work: a slash added to its path is another resource on a strict router, and an identity
    /// server may need a query (a tenant or policy name, for example). A fragment is refused: it is never sent.
    /// </summary>
    public static Uri TokenUri(Uri? value, string parameterName, bool allowUnencrypted = false)
    {
        CheckServerAddress(value, parameterName, allowUnencrypted);
        if (!string.IsNullOrEmpty(value!.Fragment))
        {
            throw new ParameterValidationException(parameterName, "must not contain a fragment");
        }

        return value;
    }

    // Every request carries a credential (an API key, a token or a client secret), so plain http is refused unless it
    // stays on this machine or the user opts in, as Invoke-RestMethod's -AllowUnencryptedAuthentication does.
    private static void CheckServerAddress(Uri? value, string parameterName, bool allowUnencrypted)
    {
        if (value is null)
        {
            throw new ParameterValidationException(parameterName, "is required");
        }

        if (!value.IsAbsoluteUri)
        {
            throw new ParameterValidationException(parameterName, "must be an absolute URI", $"'{value.OriginalString}' is relative.");
        }

        // First, so that no later message can show a password written into the address.
        if (!string.IsNullOrEmpty(value.UserInfo))
        {
            throw new ParameterValidationException(parameterName, "must not contain user information; pass credentials to Connect-EnergyData instead");
        }

        if (value.Scheme != Uri.UriSchemeHttps && !(value.Scheme == Uri.UriSchemeHttp && (allowUnencrypted || IsLoopback(value))))
        {
            throw new ParameterValidationException(
                parameterName,
                "must use https (plain http is accepted for a loopback address, or for any host with -AllowUnencryptedAuthentication or ENERGYDATA_ALLOW_UNENCRYPTED_AUTHENTICATION)",
                $"'{value.Scheme}://{value.Authority}' is not.");
        }
    }

    public static bool IsLoopback(Uri uri)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        if (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// The refusal of a text that cannot become <paramref name="valueType"/> (a CSV cell such as <c>WEEKLY</c> for an
    /// interval, <c>abc</c> for an id): PowerShell's binder drops such a value from a piped object without a word, and
    /// the input then runs with the parameter's default, so the cmdlets refuse it by this rule instead.
    /// </summary>
    public static ParameterValidationException NotConvertible(string parameterName, string text, Type valueType)
    {
        if (valueType is null)
        {
            throw new ArgumentNullException(nameof(valueType));
        }

        var type = Nullable.GetUnderlyingType(valueType) ?? valueType;
        var rule = type.IsEnum ? "must be one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(long) || type == typeof(int) ? "must be a whole number"
            : type == typeof(DateTime) ? "must be a date, such as 2025-01-31 or 2025-01-31T13:00:00"
            : type == typeof(double) || type == typeof(decimal) ? "must be a number"
            : "must be a " + type.Name;
        return new ParameterValidationException(parameterName, rule, $"'{text}' is not.");
    }

    /// <summary>
    /// Whether a value given for a whole-number parameter (an id) is one as written. PowerShell's own conversion rounds
    /// '41.5' and 41.5 to 42 and reads '282,450' as 282450 (a thousands separator), which asked for another account's
    /// data without a word; only digits with an optional sign (and spaces around, and a fraction of zeros) are taken as
    /// text, and a fractional number is refused. Anything else (an object whose properties are bound next, empty text that the "empty id"
    /// rules handle) is left to the binder.
    /// </summary>
    public static bool IsWholeNumberOrOther(object? value)
    {
        switch (value)
        {
            case string text:
                var trimmed = text.Trim();
                if (trimmed.Length == 0)
                {
                    return true;
                }

                var start = trimmed[0] is '+' or '-' ? 1 : 0;
                if (start == trimmed.Length)
                {
                    return false;
                }

                // Digits, then at most a point and zeros ('41.0', as a spreadsheet may write an id): still that id.
                var point = trimmed.IndexOf('.');
                var digitsEnd = point < 0 ? trimmed.Length : point;
                if (digitsEnd == start)
                {
                    return false;
                }

                for (var i = start; i < trimmed.Length; i++)
                {
                    var isDigit = trimmed[i] is >= '0' and <= '9';
                    if (i < digitsEnd ? !isDigit : i > digitsEnd && trimmed[i] != '0')
                    {
                        return false;
                    }
                }

                return true;
            case double number:
                return !double.IsNaN(number) && !double.IsInfinity(number) && Math.Floor(number) == number;
            case float number:
                return !float.IsNaN(number) && !float.IsInfinity(number) && Math.Floor(number) == number;
            case decimal number:
                return decimal.Truncate(number) == number;
            default:
                return true;
        }
    }

    /// <summary>
    /// Whether a path holds a percent-encoded dot, slash or backslash (%2e, %2f, %5c in any case). The URI parser or
    /// the server decodes them, so "v1/%2e%2e/x" climbs out of v1/ as "v1/../x" would; a path never needs them, since
    /// a dot can be written as itself and an encoded separator is no separator to the rules that check segments.
    /// </summary>
    public static bool HasEncodedDotOrSeparator(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        return path.IndexOf("%2e", StringComparison.OrdinalIgnoreCase) >= 0
            || path.IndexOf("%2f", StringComparison.OrdinalIgnoreCase) >= 0
            || path.IndexOf("%5c", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    public static string Required(string? value, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ParameterValidationException(parameterName, "must not be empty");
        }

        return value!.Trim();
    }
}
