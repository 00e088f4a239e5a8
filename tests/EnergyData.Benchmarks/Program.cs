using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using EnergyData.Benchmarks;

// The benchmark program: starts the emulator in-process with server-side latency, runs each scenario through the
// core (the layer every cmdlet uses) and prints one line per scenario: "bench <scenario> key=value ...".
// Usage: dotnet run -c Release --project tests/EnergyData.Benchmarks [-- --quick] [scenario ...]
var quick = args.Contains("--quick");
var wanted = args.Where(argument => !argument.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
var scenarios = new List<(string Name, Func<BenchSize, Task<BenchLine>> Run)>
{
    ("bulk", BulkScenario.RunAsync),
    ("paging", PagingScenario.RunAsync),
};
scenarios.AddRange(ExtraScenarios.All);

Console.WriteLine($"# {MachineDescription.Describe()} quick={quick.ToString().ToLowerInvariant()}");
var failures = 0;
foreach (var (name, run) in scenarios)
{
    if (wanted.Count > 0 && !wanted.Contains(name))
    {
        continue;
    }

    var line = await run(quick ? BenchSize.Quick : BenchSize.Full);
    Console.WriteLine(line.Format());
    failures += line.MissedTargets.Count;
    foreach (var missed in line.MissedTargets)
    {
        Console.WriteLine($"# {name}: target missed: {missed}");
    }
}

// Targets are reported, not enforced by exit code in quick mode (a loaded CI machine is not a benchmark rig).
return quick ? 0 : Math.Min(failures, 1);
