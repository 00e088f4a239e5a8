using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace EnergyData.Completion;

/// <summary>
/// What every completer of the module does with its candidates: keep those that match the word typed so
/// far (a prefix, case-insensitively, or a wildcard pattern with * and ?), keep their order, drop duplicates,
/// and quote values PowerShell would otherwise split.
/// </summary>
public static class CompletionMatcher
{
    private static readonly char[] Wildcards = { '*', '?' };
    private static readonly char[] NeedQuotes = { ' ', '\t', '\'', '"', '`', '$', ';', ',', '(', ')', '{', '}', '@', '#', '&', '|', '<', '>' };

    public static IReadOnlyList<CompletionMatch> Match(IEnumerable<CompletionCandidate> candidates, string? wordToComplete)
    {
        if (candidates is null)
        {
            throw new ArgumentNullException(nameof(candidates));
        }

        var matches = Matcher(Unquote(wordToComplete));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<CompletionMatch>();
        foreach (var candidate in candidates)
        {
            if (candidate is null || string.IsNullOrEmpty(candidate.Value) || !matches(candidate.Value) || !seen.Add(candidate.Value))
            {
                continue;
            }

            var toolTip = string.IsNullOrWhiteSpace(candidate.Description) ? candidate.Value : candidate.Value + ": " + candidate.Description;
            result.Add(new CompletionMatch(Quote(candidate.Value), candidate.Value, toolTip));
        }

        return result;
    }

    /// <summary>Single-quotes a value that contains a space or a character PowerShell would parse (quotes doubled).</summary>
    public static string Quote(string value) =>
        value is null ? throw new ArgumentNullException(nameof(value))
        : value.IndexOfAny(NeedQuotes) < 0 ? value
        : "'" + value.Replace("'", "''") + "'";

    private static string Unquote(string? word)
    {
        // The host passes what was typed, opening quote included: 'Hou completes like Hou.
        var text = (word ?? string.Empty).Trim();
        if (text.Length > 0 && text[0] is '\'' or '"')
        {
            var quote = text[0];
            text = text.Substring(1);
            if (text.Length > 0 && text[text.Length - 1] == quote)
            {
                text = text.Substring(0, text.Length - 1);
            }
        }

        return text;
    }

    private static Func<string, bool> Matcher(string word)
    {
        if (word.IndexOfAny(Wildcards) < 0)
        {
            return value => value.StartsWith(word, StringComparison.OrdinalIgnoreCase);
        }

        // A wildcard pattern matches from the start, like a prefix with a trailing *.
        var pattern = new StringBuilder("^");
        foreach (var character in word)
        {
            pattern.Append(character switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(character.ToString()),
            });
        }

        var regex = new Regex(pattern.Append(".*$").ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        return value => regex.IsMatch(value);
    }
}
