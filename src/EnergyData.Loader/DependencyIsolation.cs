using System;
using System.IO;
using System.Management.Automation;

namespace EnergyData.Loading;

/// <summary>
/// Runs when PowerShell imports EnergyData.Loader, which the manifest lists as a nested module so that it is
/// imported before EnergyData.dll: PowerShell reads the cmdlet assembly's types (and so needs EnergyData.Core)
/// before that assembly's own initializers run.
/// <para>
/// On PowerShell 7 the module's dependencies load into the module's own AssemblyLoadContext; on Windows
/// PowerShell 5.1 an AssemblyResolve handler answers only the module's own requests from the dependencies
/// folder. Either way a module imported before or after this one keeps its own versions of System.Text.Json,
/// Polly.Core or Microsoft.Bcl.*. Remove-Module unhooks the handler.
/// </para>
/// </summary>
public sealed class DependencyIsolation : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public const string DependencyFolderName = "dependencies";

    // The module's assemblies outside the dependencies folder, whose requests the handler answers.
    private static readonly string[] ModuleAssemblyNames = { "EnergyData", "EnergyData.Loader" };
    private static readonly object Gate = new();
    private static DependencyHandler? handler;
    private static int imports;

    /// <summary>Imports not yet removed in this process; the resolver is hooked while this is above zero.</summary>
    public static int ActiveImports
    {
        get
        {
            lock (Gate)
            {
                return imports;
            }
        }
    }

    public void OnImport()
    {
        if (HostRequirement.Problem(LoadContextProxy.IsSupported, Environment.Version) is { } problem)
        {
            throw new PlatformNotSupportedException(problem);
        }

        TlsPolicy.EnableTls12OnNetFramework();
        lock (Gate)
        {
            // One handler and one load context per process: each runspace that imports the module counts, and
            // assemblies once loaded stay loaded, so a second context would give a second, incompatible copy.
            if (imports > 0)
            {
                imports++;
                return;
            }

            // Counted only once hooked: an import whose handler could not be made (a file locked or missing) throws,
            // and the next import tries again instead of finding a count above zero and hooking nothing.
            handler ??= CreateHandler();
            AppDomain.CurrentDomain.AssemblyResolve += handler.Resolve;
            imports = 1;
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (imports == 0 || --imports > 0 || handler is null)
            {
                return;
            }

            AppDomain.CurrentDomain.AssemblyResolve -= handler.Resolve;
        }
    }

    private static DependencyHandler CreateHandler()
    {
        var moduleFolder = Path.GetDirectoryName(typeof(DependencyIsolation).Assembly.Location)!;
        var resolver = new DependencyResolver(Path.Combine(moduleFolder, DependencyFolderName), ModuleAssemblyNames);
        return new DependencyHandler(resolver, LoadContextProxy.TryCreate(moduleFolder, resolver.DependencyFolder));
    }
}
