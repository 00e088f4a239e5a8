using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace EnergyData.Tests.Cmdlets;

/// <summary>
/// Reads the built cmdlet assembly without running it: MetadataLoadContext over the module dll, the core,
/// the PowerShell reference assembly and the runtime. Attribute instances of the reference assembly are
/// hollow, so only attribute *data* is read.
/// </summary>
internal sealed class ModuleMetadata : IDisposable
{
    private readonly MetadataLoadContext context;

    private ModuleMetadata()
    {
        RepositoryRoot = FindRepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        ModulePath = Path.Combine(RepositoryRoot, "src", "EnergyData", "bin", configuration, "netstandard2.0", "EnergyData.dll");
        var powerShellReference = Path.Combine(AppContext.BaseDirectory, "psref", "System.Management.Automation.dll");
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Where(path => !Path.GetFileName(path).Equals("EnergyData.dll", StringComparison.OrdinalIgnoreCase))
            .Concat(new[] { ModulePath, powerShellReference, Path.Combine(Path.GetDirectoryName(ModulePath)!, "EnergyData.Core.dll") })
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(group => group.Last());
        context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        Module = context.LoadFromAssemblyPath(ModulePath);
        Automation = context.LoadFromAssemblyName("System.Management.Automation");
    }

    public static ModuleMetadata Instance { get; } = new();

    public string RepositoryRoot { get; }

    public string ModulePath { get; }

    public Assembly Module { get; }

    public Assembly Automation { get; }

    public IReadOnlyList<CmdletInfo> Cmdlets => cmdlets ??= LoadCmdlets();

    private IReadOnlyList<CmdletInfo>? cmdlets;

    public void Dispose() => context.Dispose();

    public CmdletInfo Cmdlet(string name) => Cmdlets.Single(cmdlet => cmdlet.Name == name);

    /// <summary>Every approved verb, read from the Verbs* classes of the reference assembly.</summary>
    public IReadOnlySet<string> ApprovedVerbs()
    {
        var verbs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in Automation.GetTypes().Where(type => type.Namespace == "System.Management.Automation" && type.Name.StartsWith("Verbs", StringComparison.Ordinal)))
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(field => field.IsLiteral))
            {
                verbs.Add((string)field.GetRawConstantValue()!);
            }
        }

        return verbs;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EnergyData.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("EnergyData.sln not found above " + AppContext.BaseDirectory);
    }

    private List<CmdletInfo> LoadCmdlets()
    {
        var result = new List<CmdletInfo>();
        foreach (var type in Module.GetTypes().Where(type => type.IsClass && !type.IsAbstract))
        {
            var attribute = type.GetCustomAttributesData().SingleOrDefault(data => data.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
            if (attribute is not null)
            {
                result.Add(new CmdletInfo(type, attribute));
            }
        }

        return result;
    }
}

internal sealed class CmdletInfo
{
    public CmdletInfo(Type type, CustomAttributeData attribute)
    {
        Type = type;
        Verb = (string)attribute.ConstructorArguments[0].Value!;
        Noun = (string)attribute.ConstructorArguments[1].Value!;
        Named = attribute.NamedArguments.ToDictionary(argument => argument.MemberName, argument => argument.TypedValue.Value, StringComparer.Ordinal);
        OutputTypes = type.GetCustomAttributesData()
            .Where(data => data.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
            .SelectMany(data => data.ConstructorArguments)
            .SelectMany(argument => argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(item => item.Value) : new[] { argument.Value })
            .OfType<Type>()
            .ToList();
        Parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => new ParameterInfoData(property))
            .Where(parameter => parameter.IsParameter)
            .ToList();
    }

    public Type Type { get; }

    public string Verb { get; }

    public string Noun { get; }

    public string Name => Verb + "-" + Noun;

    public IReadOnlyDictionary<string, object?> Named { get; }

    public IReadOnlyList<Type> OutputTypes { get; }

    public IReadOnlyList<ParameterInfoData> Parameters { get; }

    public ParameterInfoData Parameter(string name) => Parameters.Single(parameter => parameter.Name == name);

    public override string ToString() => Name;
}

internal sealed class ParameterInfoData
{
    public ParameterInfoData(PropertyInfo property)
    {
        Property = property;
        var attributes = property.GetCustomAttributesData();
        var parameters = attributes.Where(data => data.AttributeType.FullName == "System.Management.Automation.ParameterAttribute").ToList();
        IsParameter = parameters.Count > 0;
        Sets = parameters.Select(data => data.NamedArguments.ToDictionary(argument => argument.MemberName, argument => argument.TypedValue.Value, StringComparer.Ordinal)).ToList();
        Aliases = attributes
            .Where(data => data.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
            .SelectMany(data => data.ConstructorArguments)
            .SelectMany(argument => argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(item => (string)item.Value!) : new[] { (string)argument.Value! })
            .ToList();
        Validators = attributes.Select(data => data.AttributeType.Name).Where(name => name.StartsWith("Validate", StringComparison.Ordinal) || name.StartsWith("Allow", StringComparison.Ordinal)).ToList();
    }

    public PropertyInfo Property { get; }

    public string Name => Property.Name;

    public string TypeName => Property.PropertyType.Name;

    public bool IsParameter { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Sets { get; }

    public IReadOnlyList<string> Aliases { get; }

    public IReadOnlyList<string> Validators { get; }

    public bool Mandatory => Sets.Any(set => set.TryGetValue("Mandatory", out var value) && value is true);

    public bool FromPipelineByPropertyName => Sets.Any(set => set.TryGetValue("ValueFromPipelineByPropertyName", out var value) && value is true);

    public bool FromPipeline => Sets.Any(set => set.TryGetValue("ValueFromPipeline", out var value) && value is true);

    /// <summary>Names the engine binds from a piped object's property: the parameter's name and its aliases.</summary>
    public IEnumerable<string> BindingNames => new[] { Name }.Concat(Aliases);
}
