using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace EnergyData.Emulator;

/// <summary>
/// Everything the endpoints share. Partial: the Khipu, NEU and callback parts keep their own state in
/// their own files (EmulatorState.Khipu.cs, EmulatorState.Neu.cs, EmulatorState.Callbacks.cs) and clear it on <see cref="Reset"/>.
/// </summary>
public sealed partial class EmulatorState : IAsyncDisposable
{
    private readonly EmulatorOptions initialOptions;

    public EmulatorState(EmulatorOptions options)
    {
        initialOptions = options.Clone();
        Options = options;
        InitializeCallbacks();
    }

    /// <summary>Live options; tests may change them between requests.</summary>
    public EmulatorOptions Options { get; private set; }

    /// <summary>The address the server listens on, with a trailing slash.</summary>
    public Uri BaseUri { get; internal set; } = new("http://127.0.0.1/");

    public RequestCounters Counters { get; } = new();

    public FaultInjector Faults { get; } = new();

    public void Reset()
    {
        Options = initialOptions.Clone();
        Counters.Clear();
        Faults.Clear();
        ResetKhipu();
        ResetNeu();
        ResetCallbacks();
    }

    public async ValueTask DisposeAsync()
    {
        while (disposables.TryPop(out var disposable))
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Parts that own background work (callback delivery) register here to be stopped with the server.</summary>
    internal void RegisterForDisposal(IAsyncDisposable disposable) => disposables.Push(disposable);

    private readonly ConcurrentStack<IAsyncDisposable> disposables = new();

    // Each part of the emulator (Khipu, NEU, callbacks) keeps its state in its own partial file and clears it here.
    partial void InitializeCallbacks();

    partial void ResetKhipu();

    partial void ResetNeu();

    partial void ResetCallbacks();
}

/// <summary>Requests that reached an API endpoint (control endpoints are not counted), by path and in total.</summary>
public sealed class RequestCounters
{
    private long total;
    private long faultsInjected;

    public long Total => System.Threading.Interlocked.Read(ref total);

    public long FaultsInjected => System.Threading.Interlocked.Read(ref faultsInjected);

    public ConcurrentDictionary<string, long> ByPath { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, long> FaultsByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Request bodies, when <see cref="EmulatorOptions.RecordRequestBodies"/> is on: (path, body) in arrival order.</summary>
    public ConcurrentQueue<(string Path, string Body)> Bodies { get; } = new();

    internal void RecordBody(string path, string body) => Bodies.Enqueue((path.Trim('/'), body));

    public long For(string path) => ByPath.TryGetValue(path.Trim('/'), out var count) ? count : 0;

    internal void Count(string path)
    {
        System.Threading.Interlocked.Increment(ref total);
        ByPath.AddOrUpdate(path.Trim('/'), 1, (_, count) => count + 1);
    }

    internal void CountFault(FaultKind kind)
    {
        System.Threading.Interlocked.Increment(ref faultsInjected);
        FaultsByKind.AddOrUpdate(kind.ToString(), 1, (_, count) => count + 1);
    }

    internal void Clear()
    {
        System.Threading.Interlocked.Exchange(ref total, 0);
        System.Threading.Interlocked.Exchange(ref faultsInjected, 0);
        ByPath.Clear();
        FaultsByKind.Clear();
        Bodies.Clear();
    }
}
