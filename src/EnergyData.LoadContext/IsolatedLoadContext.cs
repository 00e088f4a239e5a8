using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace EnergyData.Loading;

/// <summary>
/// The module's own load context on PowerShell 7: the dependencies folder's assemblies load here, so another
/// module's Polly.Core or Microsoft.Bcl.* in the default context neither breaks nor is broken by ours.
/// <para>
/// An assembly the host process itself ships (the .NET runtime beside PowerShell: System.Text.Json,
/// System.Memory, ...) at the same or a newer version is left to the host: no module can replace it, so
/// sharing it cannot conflict, and framework types such as Span&lt;T&gt; keep one identity. An older host copy
/// (PowerShell 7.4 with a newer System.Text.Json shipped here) is not used: ours loads here.
/// </para>
/// </summary>
public sealed class IsolatedLoadContext : AssemblyLoadContext
{
    private readonly string dependencyFolder;
    private readonly string? hostFolder;
    private readonly object gate = new();

    /// <param name="dependencyFolder">The module's dependencies folder.</param>
    /// <param name="hostFolder">Where the host's runtime assemblies are; the folder of the running runtime when null.</param>
    public IsolatedLoadContext(string dependencyFolder, string? hostFolder = null)
        : base("EnergyData", isCollectible: false)
    {
        this.dependencyFolder = Path.GetFullPath(dependencyFolder);
        var runtimeLocation = typeof(object).Assembly.Location;
        this.hostFolder = hostFolder ?? (string.IsNullOrEmpty(runtimeLocation) ? null : Path.GetDirectoryName(runtimeLocation));
    }

    /// <summary>Called by EnergyData.Loader through reflection: a loader bound to one new context.</summary>
    public static Func<AssemblyName, Assembly?> CreateLoader(string dependencyFolder) => new IsolatedLoadContext(dependencyFolder).LoadDependency;

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
        if (!File.Exists(path) || HostProvides(assemblyName))
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

    private bool HostProvides(AssemblyName assemblyName)
    {
        if (hostFolder is null)
        {
            return false;
        }

        var hostPath = Path.Combine(hostFolder, assemblyName.Name + ".dll");
        if (!File.Exists(hostPath))
        {
            return false;
        }

        var hostVersion = AssemblyName.GetAssemblyName(hostPath).Version;
        return assemblyName.Version is null || (hostVersion is not null && hostVersion >= assemblyName.Version);
    }
}
