using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace EnergyData.Tests.Docs;

/// <summary>
/// A PlatyPS command page read into its parts: front matter, the level-two sections, the syntax blocks, the
/// examples and the parameters with their yaml facts. Headings inside code fences are text, not structure.
/// </summary>
internal sealed class HelpPage
{
    private HelpPage(string path)
    {
        Path = path;
        var lines = File.ReadAllLines(path);
        var start = 0;
        if (lines.Length > 0 && lines[0] == "---")
        {
            var end = Array.IndexOf(lines, "---", 1);
            if (end > 0)
            {
                foreach (var line in lines.Skip(1).Take(end - 1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        FrontMatter[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }
                }

                start = end + 1;
            }
        }

        string? section = null;
        var inFence = false;
        foreach (var line in lines.Skip(start))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith("# ", StringComparison.Ordinal) && Title is null)
            {
                Title = line[2..].Trim();
                continue;
            }
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                Sections[section] = new List<string>();
                continue;
            }

            if (section is not null)
            {
                Sections[section].Add(line);
            }
        }

        Syntax = Subsections("SYNTAX").ToDictionary(pair => pair.Key, pair => string.Join(" ", Fences(pair.Value).SelectMany(fence => fence)), StringComparer.Ordinal);
        if (Syntax.Count == 0 && Sections.TryGetValue("SYNTAX", out var syntax) && Fences(syntax).Any())
        {
            // One parameter set: PlatyPS may write its block without a set heading.
            Syntax["__AllParameterSets"] = string.Join(" ", Fences(syntax).SelectMany(fence => fence));
        }

        Examples = Subsections("EXAMPLES").Select(pair => new HelpExample(pair.Key, Fences(pair.Value).FirstOrDefault(), string.Join(" ", Prose(pair.Value)).Trim())).ToList();
        Parameters = Subsections("PARAMETERS")
            .Where(pair => pair.Key.StartsWith('-'))
            .ToDictionary(pair => pair.Key[1..], pair => new HelpParameter(pair.Key[1..], string.Join(" ", Prose(pair.Value)).Trim(), Yaml(pair.Value)), StringComparer.Ordinal);
        HasCommonParameters = Subsections("PARAMETERS").Any(pair => pair.Key == "CommonParameters");
    }

    public string Path { get; }

    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.Ordinal);

    public string? Title { get; }

    /// <summary>Level-two sections (SYNOPSIS, SYNTAX, ...) and their lines.</summary>
    public Dictionary<string, List<string>> Sections { get; } = new(StringComparer.Ordinal);

    /// <summary>Parameter-set heading to the text of its syntax block.</summary>
    public Dictionary<string, string> Syntax { get; }

    public IReadOnlyList<HelpExample> Examples { get; }

    public Dictionary<string, HelpParameter> Parameters { get; }

    public bool HasCommonParameters { get; }

    public static HelpPage Read(string path) => new(path);

    /// <summary>The prose of a section: its lines outside code fences, joined.</summary>
    public string Text(string section) => Sections.TryGetValue(section, out var lines) ? string.Join(" ", Prose(lines)).Trim() : string.Empty;

    /// <summary>The level-three headings of a section.</summary>
    public IEnumerable<string> Headings(string section) => Subsections(section).Select(pair => pair.Key);

    private IEnumerable<KeyValuePair<string, List<string>>> Subsections(string section)
    {
        if (!Sections.TryGetValue(section, out var lines))
        {
            yield break;
        }

        string? heading = null;
        var body = new List<string>();
        var inFence = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                if (heading is not null)
                {
                    yield return new(heading, body);
                }

                heading = line[4..].Trim();
                body = new List<string>();
                continue;
            }

            body.Add(line);
        }

        if (heading is not null)
        {
            yield return new(heading, body);
        }
    }

    private static IEnumerable<List<string>> Fences(IEnumerable<string> lines)
    {
        List<string>? fence = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (fence is null)
                {
                    fence = new List<string> { line[3..].Trim() };
                }
                else
                {
                    yield return fence;
                    fence = null;
                }
            }
            else
            {
                fence?.Add(line);
            }
        }
    }

    private static IEnumerable<string> Prose(IEnumerable<string> lines)
    {
        var inFence = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.Trim().Length > 0)
            {
                yield return line.Trim();
            }
        }
    }

    private static Dictionary<string, string> Yaml(IEnumerable<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var fence = Fences(lines).FirstOrDefault(candidate => candidate[0] == "yaml");
        foreach (var line in fence?.Skip(1) ?? Enumerable.Empty<string>())
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                result[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return result;
    }
}

/// <summary>One example: its heading, its code fence (language first, then the lines) and the text after it.</summary>
internal sealed record HelpExample(string Heading, List<string>? Fence, string Text)
{
    public string Code => Fence is null ? string.Empty : string.Join("\n", Fence.Skip(1));
}

/// <summary>One documented parameter: its description and the facts of its yaml block.</summary>
internal sealed record HelpParameter(string Name, string Description, IReadOnlyDictionary<string, string> Facts);
