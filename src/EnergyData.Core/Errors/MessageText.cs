using System;

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

    private static bool IsClosing(char c) => c is ')' or ']' or '"' or '\'' or '\u201D' or '\u2019' or '\u00BB';
}
