using System.Globalization;

namespace EnergyData.Json;

/// <summary>An amount or other decimal that a server sent as text rather than as a JSON number.</summary>
internal static class DecimalText
{
    // What a JSON number may hold (sign, decimal point, exponent), with white space around: no thousands separator.
    private const NumberStyles Styles = NumberStyles.Float;

    private const int ThousandsGroupDigits = 3;

    /// <summary>
    /// The text as a decimal, read as JSON writes numbers. Not read, so that the caller warns and leaves the value empty:
    /// a thousands separator (<c>"1,5"</c> had been read as 15, and <c>"1,234.5"</c> is no JSON number either), and a
    /// text whose one point is followed by exactly three digits after a whole part other than 0 (<c>"20.000"</c>):
    /// Chile and Colombia write thousands that way (20000 pesos), and read as a decimal point it would be a thousand
    /// times too small, without a word. <c>"0.125"</c>, <c>"20.5"</c> and <c>"20.0000"</c> read as they are.
    /// </summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (text is null || !decimal.TryParse(text, Styles, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        if (LooksLikeThousandsGroup(text.Trim()))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>Why <see cref="TryParse"/> did not read the text, as a warning says it.</summary>
    public static string WhyNot(string? text) =>
        text is not null && LooksLikeThousandsGroup(text.Trim())
            ? "is ambiguous (a point before three digits groups thousands in Chile and Colombia, so it could be a thousand times more)"
            : "is not a number";

    private static bool LooksLikeThousandsGroup(string text)
    {
        var digits = text.TrimStart('-', '+');
        var point = digits.IndexOf('.');
        if (point <= 0 || point > ThousandsGroupDigits || digits.Length - point - 1 != ThousandsGroupDigits || digits[0] == '0')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is not ((>= '0' and <= '9') or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
