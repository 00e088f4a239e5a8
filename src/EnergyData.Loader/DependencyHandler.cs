using System;
using System.Reflection;

namespace EnergyData.Loading;

/// <summary>
/// The AssemblyResolve handler: answers the module's own requests from its dependencies folder, into the
/// module's load context on PowerShell 7 and with LoadFrom on Windows PowerShell 5.1.
/// </summary>
internal sealed class DependencyHandler
{
    private readonly DependencyResolver resolver;
    private readonly Func<AssemblyName, Assembly?>? isolatedLoader;

    public DependencyHandler(DependencyResolver resolver, Func<AssemblyName, Assembly?>? isolatedLoader)
    {
        this.resolver = resolver;
        this.isolatedLoader = isolatedLoader;
    }

    public Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        var path = resolver.FindPath(requested, args.RequestingAssembly?.GetName());
        if (path is null)
        {
            return null;
        }

        return isolatedLoader is null ? Assembly.LoadFrom(path) : isolatedLoader(requested);
    }
}
