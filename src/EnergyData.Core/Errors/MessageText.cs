using System;
using System.Globalization;

namespace EnergyData.Errors;

/// <summary>Small rules of the module's message text, shared by every place that builds one.</summary>
internal static class MessageText
{
    /// <summary>
    /// The text as a finished sentence: a server's own text (NEU's "Token invalido o expirado", a Khipu Description)
    /// often has no final stop, and the module's advice after it would read as part of the server's sentence. A stop
    /// before closing quotes or brackets counts ("(expired.)"). Empty text stays empty.
    /// </summary>
    public static string EndSentence(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var trimmed = text.TrimEnd();
        var last = trimmed.Length - 1;
        while (last >= 0 && IsClosing(trimmed[last]))
        {
            last--;
        }

        if (trimmed.Length == 0 || (last >= 0 && trimmed[last] is '.' or '!' or '?' or '\u2026'))
        {
            return trimmed;
        }

        return trimmed + ".";
    }

    /// <summary>A whole count with its noun in agreement: "1 attempt", "3 attempts".</summary>
    public static string Count(long count, string singular, string plural) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural);

    /// <summary>A count whose noun takes an "s" in the plural.</summary>
    public static string Count(long count, string noun) => Count(count, noun, noun + "s");

    /// <summary>
    /// A measured amount written with <paramref name="format"/>, its unit in agreement with the number as written:
    /// 1.04 days written "0.#" is "1 day", not "1 days"; 1.5 days is "1.5 days".
    /// </summary>
    public static string Amount(double amount, string format, string singular, string plural)
    {
        var written = amount.ToString(format, CultureInfo.InvariantCulture);
        return written + " " + (written == "1" ? singular : plural);
    }

    private static bool IsClosing(char c) => c is ')' or ']' or '"' or '\'' or '\u201D' or '\u2019' or '\u00BB';
}
