using System;
using EnergyData.Loading;
using Xunit;

namespace EnergyData.Tests.Loading;

public sealed class HostRequirementTests
{
    [Theory]
    [InlineData("3.1.32")] // PowerShell 7.0
    [InlineData("6.0.36")] // PowerShell 7.2
    [InlineData("7.0.20")] // PowerShell 7.3
    public void PowerShell_7_before_7_4_is_refused_with_what_to_do(string runtime)
    {
        var problem = HostRequirement.Problem(isCoreRuntime: true, Version.Parse(runtime));
        Assert.NotNull(problem);
        Assert.Contains("PowerShell 7.4 or later", problem, StringComparison.Ordinal);
        Assert.Contains(runtime, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "8.0.11")] // PowerShell 7.4
    [InlineData(true, "9.0.1")] // PowerShell 7.5
    [InlineData(true, "10.0.0")]
    [InlineData(false, "4.0.30319.42000")] // Windows PowerShell 5.1 on .NET Framework
    public void Supported_hosts_pass(bool isCoreRuntime, string runtime) =>
        Assert.Null(HostRequirement.Problem(isCoreRuntime, Version.Parse(runtime)));
}
