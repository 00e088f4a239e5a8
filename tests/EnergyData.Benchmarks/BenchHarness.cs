using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Pipeline;

namespace EnergyData.Benchmarks;

/// <summary>What every scenario needs: an emulator, a connection to it, and a pump driven like a cmdlet drives it.</summary>
internal static class BenchHarness
{
    public static async Task<EmulatorServer> StartEmulatorAsync(int latencyMilliseconds)
    {
        return await EmulatorServer.StartAsync(new EmulatorOptions { LatencyMilliseconds = latencyMilliseconds });
    }

    public static EnergyDataConnection Connect(EmulatorServer server)
    {
        var settings = new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            NeuBaseUri = server.NeuBaseUri,
            KhipuApiKey = server.State.Options.KhipuApiKey.ToSecureString(),
            NeuToken = server.State.Options.NeuToken.ToSecureString(),
        };
        return EnergyDataConnection.Create(settings);
    }

    /// <summary>
    /// Runs the operations through an <see cref="OperationPump"/> exactly as a cmdlet's ProcessRecord/EndProcessing
    /// do (Submit per input, then Complete), and returns what reached the sink.
    /// </summary>
    public static CountingSink RunPump<T>(T[] inputs, int throttleLimit, Func<T, IOperationContext, Task> operation) =>
        RunPump(inputs, new PumpOptions { ThrottleLimit = throttleLimit, Ordered = true }, operation);

    public static CountingSink RunPump<T>(T[] inputs, PumpOptions options, Func<T, IOperationContext, Task> operation)
    {
        var sink = new CountingSink();
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;

        // On a thread of its own, as PowerShell runs a pipeline: the sink's thread is not one of the pool's.
        var pipelineThread = new Thread(() =>
        {
            try
            {
                using var pump = new OperationPump(sink, options, CancellationToken.None);
                foreach (var input in inputs)
                {
                    pump.Submit(input, context => operation(input, context));
                }

                pump.Complete();
            }
            catch (Exception exception)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            Name = "pipeline",
        };
        pipelineThread.Start();
        pipelineThread.Join();
        failure?.Throw();
        return sink;
    }
}

/// <summary>A sink that counts, like a pipeline that discards output, and notes when the first object reached it.</summary>
internal sealed class CountingSink : IPipelineSink
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public long Objects { get; private set; }

    /// <summary>Time from the sink's creation (just before the first Submit) to the first object; null if none came.</summary>
    public TimeSpan? FirstObjectAfter { get; private set; }

    public ConcurrentQueue<OperationError> Errors { get; } = new();

    public void WriteObject(object item)
    {
        if (Objects++ == 0)
        {
            FirstObjectAfter = clock.Elapsed;
        }
    }

    public void WriteError(OperationError failure) => Errors.Enqueue(failure);

    public void WriteVerbose(string message)
    {
    }

    public void WriteDebug(string message)
    {
    }

    public void WriteWarning(string message)
    {
    }

    public void WriteProgress(ProgressInfo progress)
    {
    }
}
