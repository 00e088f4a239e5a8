using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace EnergyData.Loading;

/// <summary>
/// Decides which assembly requests the module answers, and with which file of its dependencies folder.
/// Only the module's own requests are answered: an over-broad resolver would hand our copy of, say,
/// System.Text.Json to another module that asked for its own version, and break it.
/// </summary>
internal sealed class DependencyResolver
{
    private readonly Dictionary<string, AssemblyName> files;
    private readonly Dictionary<string, string> paths;
    private readonly HashSet<string> moduleAssemblies;

    /// <param name="dependencyFolder">The folder holding the module's dependencies.</param>
    /// <param name="moduleAssemblyNames">Simple names of the module's own assemblies outside that folder (EnergyData, EnergyData.Loader).</param>
    public DependencyResolver(string dependencyFolder, IEnumerable<string> moduleAssemblyNames)
    {
        DependencyFolder = Path.GetFullPath(dependencyFolder);
        files = new Dictionary<string, AssemblyName>(StringComparer.OrdinalIgnoreCase);
        paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        moduleAssemblies = new HashSet<string>(moduleAssemblyNames, StringComparer.OrdinalIgnoreCase);
        if (!Directory.Exists(DependencyFolder))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(DependencyFolder, "*.dll"))
        {
            if (ReadName(path) is { Name: { } name } assemblyName)
            {
                files[name] = assemblyName;
                paths[name] = path;
            }
        }
    }

    public string DependencyFolder { get; }

    /// <summary>Simple names of the assemblies in the dependencies folder.</summary>
    public IReadOnlyCollection<string> DependencyNames => files.Keys;

    /// <summary>
    /// The file that answers <paramref name="requested"/>, or null when the request is not the module's.
    /// </summary>
    /// <param name="requested">The assembly the runtime could not find.</param>
    /// <param name="requester">
    /// The assembly whose reference is being resolved. .NET Framework sometimes leaves it out; then only an
    /// exact identity match is answered, so no other module's request for another version is taken over.
    /// </param>
    public string? FindPath(AssemblyName requested, AssemblyName? requester)
    {
        if (requested?.Name is null || !files.TryGetValue(requested.Name, out var file))
        {
            return null;
        }

        if (requester is null)
        {
            return string.Equals(requested.FullName, file.FullName, StringComparison.OrdinalIgnoreCase) ? paths[requested.Name] : null;
        }

        if (requester.Name is null || !(moduleAssemblies.Contains(requester.Name) || files.ContainsKey(requester.Name)))
        {
            return null;
        }

        // A request signed by someone else is for another assembly that happens to share the name.
        var requestedToken = requested.GetPublicKeyToken();
        if (requestedToken is { Length: > 0 } && !requestedToken.SequenceEqual(file.GetPublicKeyToken() ?? Array.Empty<byte>()))
        {
            return null;
        }

        // A newer file satisfies an older reference (what binding redirects would do on .NET Framework, where
        // System.Memory asks for an older System.Runtime.CompilerServices.Unsafe than the one shipped); an
        // older file cannot satisfy a newer reference.
        if (requested.Version is not null && file.Version is not null && file.Version < requested.Version)
        {
            return null;
        }

        return paths[requested.Name];
    }

    private static AssemblyName? ReadName(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException)
        {
            // A native library: not a managed dependency.
            return null;
        }
    }
}
