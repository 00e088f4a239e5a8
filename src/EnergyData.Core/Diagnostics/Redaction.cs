using System;
using System.Text.RegularExpressions;

namespace EnergyData.Diagnostics;

/// <summary>
/// Hides secrets in text shown at Debug: JSON string values and form fields whose names say they hold a
/// secret (passwords, tokens, keys, account links).
/// </summary>
public static class Redaction
{
    public const string Mask = "***";

    private const string SecretNames = "password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|id_token|api[-_]?key|x-api-key|authorization|accountlink|account_link|credential";

    private static readonly Regex JsonSecret = new(
        "\"(?<name>[^\"]*(?:" + SecretNames + ")[^\"]*)\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(2));

    private static readonly Regex FormSecret = new(
        "(?<name>(?:^|&)[^=&]*(?:" + SecretNames + ")[^=&]*)=[^&]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(2));

    private static readonly Regex SecretName = new("(?:" + SecretNames + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static bool IsSecretName(string name) => name is not null && SecretName.IsMatch(name);

    /// <summary>Masks secret-named string values in JSON text (also when the text is cut off mid-value).</summary>
    public static string RedactJson(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        return JsonSecret.Replace(text, match => "\"" + match.Groups["name"].Value + "\":\"" + Mask + "\"");
    }

    /// <summary>Masks secret-named fields in application/x-www-form-urlencoded text.</summary>
    public static string RedactForm(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        return FormSecret.Replace(text, match => match.Groups["name"].Value + "=" + Mask);
    }
}
