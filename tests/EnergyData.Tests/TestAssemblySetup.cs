using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace EnergyData.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// Tests drive the pump the way PowerShell's pipeline thread does, blocking a thread while work is outstanding;
    /// xunit runs them on thread-pool threads, many at once. Enough ready threads keep those blocked test threads from
    /// delaying other tests' continuations (which the 250 ms cancellation bounds would misread as slowness).
    /// </summary>
    [ModuleInitializer]
    internal static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = Math.Max(64, Environment.ProcessorCount * 16);
        ThreadPool.SetMinThreads(Math.Max(workers, wanted), Math.Max(completionPorts, wanted));
    }
}
