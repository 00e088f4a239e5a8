using System;
using System.IO;
using System.Reflection;

namespace EnergyData.Loading;

/// <summary>
/// Reaches the module's AssemblyLoadContext (in EnergyData.LoadContext.dll, built for .NET 8) from this
/// netstandard2.0 assembly, which cannot name the AssemblyLoadContext type.
/// </summary>
internal static class LoadContextProxy
{
    public const string AssemblyFileName = "EnergyData.LoadContext.dll";
    private const string TypeName = "EnergyData.Loading.IsolatedLoadContext";
    private const string FactoryName = "CreateLoader";

    /// <summary>True on .NET Core and later (PowerShell 7), false on .NET Framework (Windows PowerShell 5.1).</summary>
    public static bool IsSupported => typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext") is not null;

    /// <summary>
    /// A function that loads one of the module's dependencies into the module's own load context, or null on
    /// .NET Framework, where there are no load contexts.
    /// </summary>
    public static Func<AssemblyName, Assembly?>? TryCreate(string moduleFolder, string dependencyFolder)
    {
        if (!IsSupported)
        {
            return null;
        }

        var assembly = Assembly.LoadFrom(Path.Combine(moduleFolder, AssemblyFileName));
        var factory = assembly.GetType(TypeName, throwOnError: true)!.GetMethod(FactoryName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(TypeName, FactoryName);
        return (Func<AssemblyName, Assembly?>)factory.Invoke(null, new object[] { dependencyFolder })!;
    }
}
