using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace EnergyData.Benchmarks;

/// <summary>Scenarios that need the NEU and callback parts of the emulator.</summary>
internal static class ExtraScenarios
{
    public static IEnumerable<(string Name, Func<BenchSize, Task<BenchLine>> Run)> All =>
    [
        ("stream", StreamScenario.RunAsync),
        ("callbacks", CallbackScenario.RunAsync),
    ];
}
