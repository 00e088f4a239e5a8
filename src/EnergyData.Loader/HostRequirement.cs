using System;

namespace EnergyData.Loading;

/// <summary>
/// The hosts the module runs on: Windows PowerShell 5.1 (.NET Framework) and PowerShell 7.4 or later (.NET 8 or
/// later). PowerShell 7.0-7.3 run on .NET Core 3.1 to .NET 7, which cannot load the module's .NET 8 load context;
/// a manifest can only state one minimum PowerShell version (5.1), so the import says so plainly instead of
/// failing later on a dll that does not load.
/// </summary>
internal static class HostRequirement
{
    public static readonly Version MinimumCoreRuntime = new(8, 0);

    /// <summary>Why this host cannot run the module, or null when it can.</summary>
    /// <param name="isCoreRuntime">True on .NET Core and later (PowerShell 6 and 7).</param>
    /// <param name="runtimeVersion">Environment.Version: the .NET runtime's version on .NET Core 3.0 and later.</param>
    public static string? Problem(bool isCoreRuntime, Version runtimeVersion) =>
        isCoreRuntime && runtimeVersion < MinimumCoreRuntime
            ? $"EnergyData needs PowerShell 7.4 or later (this PowerShell runs on .NET {runtimeVersion}, and the module needs .NET {MinimumCoreRuntime} or later), or Windows PowerShell 5.1. Update PowerShell: https://aka.ms/powershell"
            : null;
}
