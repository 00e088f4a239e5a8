using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Formatting;

/// <summary>
/// EnergyData.format.ps1xml against the built cmdlet assembly: every output type of every cmdlet (whoever
/// added it) has a table view, but for the few listed in <see cref="TypesWithoutView"/>; every view names a type of
/// the module, and every column reads a property the type has, so a renamed property cannot leave an empty column
/// behind.
/// </summary>
public sealed class FormatViewTests
{
    private const string FormatFileName = "EnergyData.format.ps1xml";

    /// <summary>
    /// Output types that must have no view, and why. Invoke-NeuRequest's items carry whatever fields the NEU path
    /// sends, added per object: a view can name only fixed properties (its RequestMethod/RequestPath/ItemIndex view
    /// hid every field NEU sent), and PowerShell ignores an object's own DefaultDisplayPropertySet, which names
    /// those fields, whenever a view of its type exists.
    /// </summary>
    private static readonly Dictionary<string, string> TypesWithoutView = new(StringComparer.Ordinal)
    {
        ["EnergyData.Neu.NeuResponseItem"] = "its fields are the response's, named on each object by Invoke-NeuRequest",
    };
    private static readonly Regex ScriptProperty = new(@"\$_\.(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant);

    private static ModuleMetadata Module => ModuleMetadata.Instance;

    private static XDocument Format => XDocument.Load(Path.Combine(Module.RepositoryRoot, FormatFileName));

    public static TheoryData<string> OutputTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in ModuleOutputTypes().Select(type => type.FullName!).Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OutputTypeNames))]
    public void Every_output_type_has_a_table_view(string typeName)
    {
        if (TypesWithoutView.TryGetValue(typeName, out var reason))
        {
            Assert.False(Views().Any(view => SelectedTypes(view).Contains(typeName)), $"{typeName} must have no view in {FormatFileName}: {reason}");
            return;
        }

        var views = Views().Where(view => SelectedTypes(view).Contains(typeName)).ToList();
        Assert.True(views.Count > 0, $"{typeName} is a cmdlet output type without a view in {FormatFileName}");
        Assert.Contains(views, view => view.Element("TableControl") is not null);
    }

    [Fact]
    public void Every_type_without_a_view_is_a_cmdlet_output_type()
    {
        // So the exception cannot outlive its type, or be taken by a type no cmdlet writes.
        var outputTypes = ModuleOutputTypes().Select(type => type.FullName!).ToHashSet(StringComparer.Ordinal);
        Assert.All(TypesWithoutView.Keys, typeName => Assert.Contains(typeName, outputTypes));
    }

    [Fact]
    public void Every_view_names_a_type_of_the_module_and_its_properties()
    {
        var types = ModuleOutputTypes().ToDictionary(type => type.FullName!, StringComparer.Ordinal);
        var views = Views().ToList();
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            var name = (string?)view.Element("Name");
            Assert.False(string.IsNullOrWhiteSpace(name), "a view without a name");
            foreach (var typeName in SelectedTypes(view))
            {
                var type = FindModuleType(typeName, types);
                Assert.True(type is not null, $"view {name} selects {typeName}, which is not a type of the module");
                // A script block may call a method too ($_.GetFields(), for fields no column can name).
                var properties = type!.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(property => property.Name)
                    .Concat(type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(method => method.Name))
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
                foreach (var property in ReadProperties(view))
                {
                    Assert.True(properties.Contains(property), $"view {name} reads {typeName}.{property}, which does not exist");
                }
            }
        }
    }

    [Fact]
    public void Table_views_have_one_column_item_per_header()
    {
        foreach (var table in Views().Select(view => view.Element("TableControl")).OfType<XElement>())
        {
            var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
            foreach (var row in table.Descendants("TableRowEntry"))
            {
                Assert.Equal(headers, row.Element("TableColumnItems")!.Elements("TableColumnItem").Count());
            }
        }
    }

    [Fact]
    public void The_manifest_loads_the_format_file()
    {
        var manifest = File.ReadAllText(Path.Combine(Module.RepositoryRoot, "EnergyData.psd1"));
        Assert.Matches(@"FormatsToProcess\s*=\s*@\(\s*'" + Regex.Escape(FormatFileName) + @"'\s*\)", manifest);
    }

    private static IEnumerable<XElement> Views() => Format.Root!.Element("ViewDefinitions")!.Elements("View");

    private static HashSet<string> SelectedTypes(XElement view) =>
        view.Element("ViewSelectedBy")!.Elements("TypeName").Select(element => element.Value.Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Properties a view reads: its PropertyName columns and the $_.Name uses of its script blocks.</summary>
    private static IEnumerable<string> ReadProperties(XElement view) =>
        view.Descendants("PropertyName").Select(element => element.Value.Trim())
            .Concat(view.Descendants("ScriptBlock").SelectMany(script => ScriptProperty.Matches(script.Value).Select(match => match.Groups["name"].Value)));

    /// <summary>Types the cmdlets declare with [OutputType], except void and the runtime's own (string, PSObject).</summary>
    private static IEnumerable<Type> ModuleOutputTypes() =>
        Module.Cmdlets.SelectMany(cmdlet => cmdlet.OutputTypes)
            .Where(type => type.Assembly.GetName().Name!.StartsWith("EnergyData", StringComparison.Ordinal))
            .Distinct();

    private static Type? FindModuleType(string typeName, IReadOnlyDictionary<string, Type> outputTypes)
    {
        if (outputTypes.TryGetValue(typeName, out var type))
        {
            return type;
        }

        // A view may also cover a module type no cmdlet declares (a nested record, for example).
        var assemblies = outputTypes.Values.Select(candidate => candidate.Assembly).Append(Module.Module).Distinct();
        return assemblies.Select(assembly => assembly.GetType(typeName)).FirstOrDefault(found => found is not null);
    }
}
