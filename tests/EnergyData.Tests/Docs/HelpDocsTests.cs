using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Docs;

/// <summary>
/// The help pages in docs/ against the built cmdlet assembly, for every cmdlet it contains (whoever added it):
/// a page per cmdlet, every parameter documented with the facts the engine will show (type, sets, aliases,
/// position, pipeline input), no documented parameter that no longer exists, examples that run the cmdlet and
/// export to CSV, and the sections PlatyPS needs to build MAML help.
/// </summary>
public sealed class HelpDocsTests
{
    private static readonly string[] RequiredSections = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };
    private static readonly Regex ExampleHeading = new(@"^Example \d+: \S", RegexOptions.CultureInvariant);
    private static readonly Regex RelativeLink = new(@"\]\((?<target>[^)#:\s]+\.md)(#[^)]*)?\)", RegexOptions.CultureInvariant);

    private static ModuleMetadata Module => ModuleMetadata.Instance;

    private static string DocsFolder => Path.Combine(Module.RepositoryRoot, "docs");

    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Module.Cmdlets.Select(cmdlet => cmdlet.Name).Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_cmdlet_has_a_page_with_front_matter_title_and_synopsis(string cmdletName)
    {
        var page = Page(cmdletName);
        Assert.Equal("EnergyData.dll-Help.xml", page.FrontMatter.GetValueOrDefault("external help file"));
        Assert.Equal("EnergyData", page.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal("2.0.0", page.FrontMatter.GetValueOrDefault("schema"));
        Assert.True(page.FrontMatter.ContainsKey("online version"), $"{cmdletName}: no 'online version' in the front matter");
        Assert.Equal(cmdletName, page.Title);
        foreach (var section in RequiredSections)
        {
            Assert.True(page.Sections.ContainsKey(section), $"{cmdletName}: no ## {section}");
        }

        Assert.NotEmpty(page.Text("SYNOPSIS"));
        Assert.True(page.Text("DESCRIPTION").Length > page.Text("SYNOPSIS").Length, $"{cmdletName}: the description says no more than the synopsis");
        Assert.True(page.HasCommonParameters, $"{cmdletName}: no ### CommonParameters");
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_parameter_is_documented_and_none_is_stale(string cmdletName)
    {
        var expected = ExpectedParameters(Module.Cmdlet(cmdletName)).Select(parameter => parameter.Name).Order(StringComparer.Ordinal);
        var documented = Page(cmdletName).Parameters.Keys.Order(StringComparer.Ordinal);
        Assert.Equal(expected, documented);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Documented_parameter_facts_match_the_cmdlet(string cmdletName)
    {
        var page = Page(cmdletName);
        foreach (var parameter in ExpectedParameters(Module.Cmdlet(cmdletName)))
        {
            if (!page.Parameters.TryGetValue(parameter.Name, out var documented))
            {
                continue; // reported by Every_parameter_is_documented_and_none_is_stale
            }

            var where = $"{cmdletName} -{parameter.Name}";
            Assert.True(documented.Description.Length > 10, $"{where}: no description");
            Assert.Equal(parameter.TypeName, Fact(documented, "Type", where));
            Assert.Equal(parameter.SetsText, SortedList(Fact(documented, "Parameter Sets", where)));
            Assert.Equal(parameter.AliasesText, SortedList(Fact(documented, "Aliases", where)));
            Assert.StartsWith(parameter.Mandatory ? "True" : "False", Fact(documented, "Required", where), StringComparison.Ordinal);
            Assert.Equal(parameter.PositionText, Fact(documented, "Position", where));
            Assert.True(documented.Facts.ContainsKey("Default value"), $"{where}: no 'Default value'");
            Assert.Equal(parameter.PipelineText, Fact(documented, "Accept pipeline input", where));
            Assert.Equal("False", Fact(documented, "Accept wildcard characters", where));
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Syntax_has_a_block_per_parameter_set_with_exactly_its_parameters(string cmdletName)
    {
        var cmdlet = Module.Cmdlet(cmdletName);
        var page = Page(cmdletName);
        var parameters = ExpectedParameters(cmdlet).ToList();
        var sets = parameters.SelectMany(parameter => parameter.Sets ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal);
        if (cmdlet.Named.GetValueOrDefault("DefaultParameterSetName") is string defaultSet)
        {
            sets.Add(defaultSet);
        }

        var headings = page.Syntax.Keys.Select(heading => heading.Replace(" (Default)", string.Empty, StringComparison.Ordinal)).ToList();
        Assert.Equal(sets.Count == 0 ? new[] { "__AllParameterSets" } : sets.Order(StringComparer.Ordinal), headings.Order(StringComparer.Ordinal));
        foreach (var (heading, text) in page.Syntax)
        {
            var set = heading.Replace(" (Default)", string.Empty, StringComparison.Ordinal);
            Assert.StartsWith(cmdletName, text.TrimStart(), StringComparison.Ordinal);
            foreach (var parameter in parameters)
            {
                var shown = Regex.IsMatch(text, @"\[?-" + Regex.Escape(parameter.Name) + @"\b");
                var belongs = parameter.Sets is null || parameter.Sets.Contains(set);
                Assert.True(shown == belongs, $"{cmdletName} syntax '{heading}' {(belongs ? "lacks" : "wrongly shows")} -{parameter.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_page_has_two_examples_of_the_cmdlet_one_exporting_to_csv(string cmdletName)
    {
        var examples = Page(cmdletName).Examples;
        Assert.True(examples.Count >= 2, $"{cmdletName}: {examples.Count} example(s)");
        foreach (var example in examples)
        {
            Assert.Matches(ExampleHeading, example.Heading);
            Assert.True(example.Fence is { } fence && fence[0] == "powershell", $"{cmdletName} '{example.Heading}': no powershell code block");
            Assert.Contains(cmdletName, example.Code, StringComparison.Ordinal);
        }

        Assert.Contains(examples, example => example.Code.Contains("Export-Csv", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Outputs_name_every_declared_output_type(string cmdletName)
    {
        var cmdlet = Module.Cmdlet(cmdletName);
        var headings = Page(cmdletName).Headings("OUTPUTS").ToHashSet(StringComparer.Ordinal);
        foreach (var type in cmdlet.OutputTypes)
        {
            var expected = type.FullName == "System.Void" ? "None" : type.FullName!;
            Assert.True(headings.Contains(expected), $"{cmdletName}: ## OUTPUTS lacks ### {expected}");
        }

        Assert.NotEmpty(Page(cmdletName).Headings("INPUTS"));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Relative_links_of_a_page_point_to_existing_pages(string cmdletName)
    {
        var text = File.ReadAllText(PagePath(cmdletName));
        foreach (Match link in RelativeLink.Matches(text))
        {
            var target = link.Groups["target"].Value;
            Assert.True(File.Exists(Path.Combine(DocsFolder, target)), $"{cmdletName} links to {target}, which does not exist");
        }
    }

    [Fact]
    public void Every_command_page_documents_a_cmdlet_of_the_module()
    {
        var names = Module.Cmdlets.Select(cmdlet => cmdlet.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(DocsFolder, "*.md"))
        {
            var page = HelpPage.Read(path);
            if (page.FrontMatter.ContainsKey("external help file"))
            {
                Assert.True(names.Contains(page.Title ?? string.Empty), $"{Path.GetFileName(path)} documents {page.Title}, which the module does not have");
                Assert.Equal(page.Title + ".md", Path.GetFileName(path));
            }
        }
    }

    [Theory]
    [InlineData("Connection and credentials", "Connect-EnergyData")]
    [InlineData("Synchronous and asynchronous Khipu calls", "-CallbackUrl")]
    [InlineData("Paging", "-First")]
    [InlineData("Throttling", "-ThrottleLimit")]
    [InlineData("Errors and retries", "-MaxRetryCount")]
    [InlineData("NEU route overrides", "neu-routes.md")]
    [InlineData("Running unattended", "Get-Secret")]
    [InlineData("Running unattended", "ENERGYDATA_KHIPU_API_KEY")]
    public void About_topic_covers_its_subjects(string heading, string mention)
    {
        var page = HelpPage.Read(Path.Combine(DocsFolder, "about_EnergyData.md"));
        Assert.Equal("about_EnergyData", page.Title);
        Assert.Contains(heading, page.Headings("Long description"));
        var lines = page.Sections["Long description"];
        var start = lines.IndexOf("### " + heading);
        var end = lines.FindIndex(start + 1, line => line.StartsWith("### ", StringComparison.Ordinal));
        var body = string.Join("\n", lines.Skip(start).Take((end < 0 ? lines.Count : end) - start));
        Assert.Contains(mention, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Get-NeuConsumption.md")]
    [InlineData("neu-routes.md")]
    [InlineData("about_EnergyData.md")]
    public void The_two_spellings_of_the_services_field_are_documented_with_the_way_round(string file)
    {
        // NEU's table says Id_services, its example Id_servicess; body names cannot be overridden, Invoke-NeuRequest helps.
        var text = File.ReadAllText(Path.Combine(DocsFolder, file));

        Assert.Contains("`Id_services`", text, StringComparison.Ordinal);
        Assert.Contains("Id_servicess", text, StringComparison.Ordinal);
        Assert.Contains("Invoke-NeuRequest", text, StringComparison.Ordinal);
    }

    [Fact]
    public void About_topic_explains_asynchronous_calls_step_by_step()
    {
        var lines = HelpPage.Read(Path.Combine(DocsFolder, "about_EnergyData.md")).Sections["Long description"];
        var steps = lines.SkipWhile(line => line != "### Synchronous and asynchronous Khipu calls").Skip(1)
            .TakeWhile(line => !line.StartsWith("### ", StringComparison.Ordinal))
            .Count(line => Regex.IsMatch(line, @"^\d+\. "));
        Assert.True(steps >= 3, $"{steps} numbered steps");
    }

    private static string PagePath(string cmdletName) => Path.Combine(DocsFolder, cmdletName + ".md");

    private static HelpPage Page(string cmdletName)
    {
        var path = PagePath(cmdletName);
        Assert.True(File.Exists(path), $"{cmdletName} has no help page: add docs/{cmdletName}.md");
        return HelpPage.Read(path);
    }

    /// <summary>
    /// A comma-separated list in ordinal order, so the order a page lists sets or aliases in does not matter; an
    /// empty list (PlatyPS may write nothing after "Aliases:") reads as None.
    /// </summary>
    private static string SortedList(string text)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length == 0 ? "None" : string.Join(", ", items.Order(StringComparer.Ordinal));
    }

    private static string Fact(HelpParameter parameter, string key, string where)
    {
        Assert.True(parameter.Facts.TryGetValue(key, out var value), $"{where}: no '{key}' in its yaml block");
        return value!;
    }

    /// <summary>The parameters Get-Help shows: the declared ones, plus those the engine adds for paging and ShouldProcess.</summary>
    private static IEnumerable<ExpectedParameter> ExpectedParameters(CmdletInfo cmdlet)
    {
        foreach (var parameter in cmdlet.Parameters)
        {
            var sets = parameter.Sets.Select(set => set.GetValueOrDefault("ParameterSetName") as string).ToList();
            var propertyType = parameter.Property.PropertyType;
            var typeName = propertyType.IsGenericType && propertyType.GetGenericTypeDefinition().FullName == "System.Nullable`1"
                ? propertyType.GetGenericArguments()[0].Name
                : propertyType.Name;
            var position = parameter.Sets.Select(set => set.GetValueOrDefault("Position")).OfType<int>().Cast<int?>().FirstOrDefault();
            yield return new ExpectedParameter(
                parameter.Name,
                typeName,
                sets.Any(set => set is null or "__AllParameterSets") ? null : sets.OfType<string>().ToList(),
                parameter.Aliases,
                parameter.Mandatory,
                position,
                parameter.FromPipeline,
                parameter.FromPipelineByPropertyName);
        }

        if (cmdlet.Named.GetValueOrDefault("SupportsPaging") is true)
        {
            yield return new ExpectedParameter("First", "UInt64", null, Array.Empty<string>(), false, null, false, false);
            yield return new ExpectedParameter("Skip", "UInt64", null, Array.Empty<string>(), false, null, false, false);
            yield return new ExpectedParameter("IncludeTotalCount", "SwitchParameter", null, Array.Empty<string>(), false, null, false, false);
        }

        if (cmdlet.Named.GetValueOrDefault("SupportsShouldProcess") is true)
        {
            yield return new ExpectedParameter("WhatIf", "SwitchParameter", null, new[] { "wi" }, false, null, false, false);
            yield return new ExpectedParameter("Confirm", "SwitchParameter", null, new[] { "cf" }, false, null, false, false);
        }
    }

    private sealed record ExpectedParameter(
        string Name,
        string TypeName,
        IReadOnlyList<string>? Sets,
        IReadOnlyList<string> Aliases,
        bool Mandatory,
        int? Position,
        bool ByValue,
        bool ByPropertyName)
    {
        public string SetsText => Sets is null ? "(All)" : string.Join(", ", Sets.Order(StringComparer.Ordinal));

        public string AliasesText => Aliases.Count == 0 ? "None" : string.Join(", ", Aliases.Order(StringComparer.Ordinal));

        public string PositionText => Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "Named";

        public string PipelineText => (ByValue, ByPropertyName) switch
        {
            (false, false) => "False",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "True (ByPropertyName, ByValue)",
        };
    }
}
