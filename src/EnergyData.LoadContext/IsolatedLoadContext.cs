using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace EnergyData.Loading;

/// <summary>
/// The module's own load context on PowerShell 7: the dependencies folder's assemblies load here, so another
/// module's Polly.Core or Microsoft.Bcl.* in the default context neither breaks nor is broken by ours.
/// <para>
/// An assembly the host itself binds (its trusted platform assemblies: the .NET runtime and PowerShell's own
/// dlls, such as System.Text.Json or System.Memory) at the same or a newer version is left to the host. No module
/// can replace those, so sharing them cannot conflict; and the cmdlet assembly, which PowerShell loads into the
/// default context, sees the same copy as EnergyData.Core here, so types such as Span&lt;T&gt; or
/// IAsyncEnumerable&lt;T&gt; keep one identity across the two. An older host copy (PowerShell 7.4 with a newer
/// dependency shipped here) is not used: ours loads here.
/// </para>
/// </summary>
public sealed class IsolatedLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<Dictionary<string, string>> TrustedPlatformAssemblies = new(ReadTrustedPlatformAssemblies);
    private static readonly ConcurrentDictionary<string, Version?> FileVersions = new(StringComparer.OrdinalIgnoreCase);
    private readonly string dependencyFolder;
    private readonly Func<AssemblyName, Version?> hostVersion;
    private readonly object gate = new();

    /// <param name="dependencyFolder">The module's dependencies folder.</param>
    /// <param name="hostVersion">
    /// The version at which the host binds an assembly, or null when it does not; the host's trusted platform
    /// assemblies when omitted.
    /// </param>
    public IsolatedLoadContext(string dependencyFolder, Func<AssemblyName, Version?>? hostVersion = null)
        : base("EnergyData", isCollectible: false)
    {
        this.dependencyFolder = Path.GetFullPath(dependencyFolder);
        this.hostVersion = hostVersion ?? TrustedPlatformVersion;
    }

    /// <summary>Called by EnergyData.Loader through reflection: a loader bound to one new context.</summary>
    public static Func<AssemblyName, Assembly?> CreateLoader(string dependencyFolder) => new IsolatedLoadContext(dependencyFolder).LoadDependency;

    /// <summary>The version of <paramref name="assemblyName"/> among the host's trusted platform assemblies, or null.</summary>
    public static Version? TrustedPlatformVersion(AssemblyName assemblyName)
    {
        ArgumentNullException.ThrowIfNull(assemblyName);
        return assemblyName.Name is { } name && TrustedPlatformAssemblies.Value.TryGetValue(name, out var path)
            ? FileVersions.GetOrAdd(path, file => AssemblyName.GetAssemblyName(file).Version)
            : null;
    }

    /// <summary>Our copy of <paramref name="assemblyName"/> in this context, or null when it is not ours to load.</summary>
    public Assembly? LoadDependency(AssemblyName assemblyName) => Load(assemblyName);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        ArgumentNullException.ThrowIfNull(assemblyName);
        if (assemblyName.Name is null)
        {
            return null;
        }

        var path = Path.Combine(dependencyFolder, assemblyName.Name + ".dll");
        if (!File.Exists(path) || HostProvides(assemblyName) || IsOlderThanRequested(path, assemblyName))
        {
            return null;
        }

        lock (gate)
        {
            foreach (var loaded in Assemblies)
            {
                if (string.Equals(loaded.GetName().Name, assemblyName.Name, StringComparison.OrdinalIgnoreCase))
                {
                    return loaded;
                }
            }

            return LoadFromAssemblyPath(path);
        }
    }

    private static Dictionary<string, string> ReadTrustedPlatformAssemblies()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            result[Path.GetFileNameWithoutExtension(path)] = path;
        }

        return result;
    }

    // A file older than the reference cannot satisfy it; the default context may still find one that does.
    private static bool IsOlderThanRequested(string path, AssemblyName assemblyName) =>
        assemblyName.Version is not null && FileVersions.GetOrAdd(path, file => AssemblyName.GetAssemblyName(file).Version) is { } version && version < assemblyName.Version;

    private bool HostProvides(AssemblyName assemblyName)
    {
        var version = hostVersion(assemblyName);
        return version is not null && (assemblyName.Version is null || version >= assemblyName.Version);
    }
}
