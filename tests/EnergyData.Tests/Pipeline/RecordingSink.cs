using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using EnergyData.Pipeline;

namespace EnergyData.Tests.Pipeline;

/// <summary>
/// A stand-in for a cmdlet: records every call and the thread it came on, so tests can prove that the pump
/// writes only on the thread that drives it (PowerShell's pipeline-thread rule).
/// </summary>
internal sealed class RecordingSink : IPipelineSink
{
    private readonly ConcurrentQueue<int> threads = new();

    public List<object> Objects { get; } = new();

    public List<OperationError> Errors { get; } = new();

    public List<string> Verbose { get; } = new();

    public List<string> Debug { get; } = new();

    public List<string> Warnings { get; } = new();

    public List<ProgressInfo> Progress { get; } = new();

    /// <summary>Runs before each object is recorded (to simulate a downstream command that stops the pipeline).</summary>
    public Action<object>? OnObject { get; set; }

    public IReadOnlyCollection<int> Threads => threads;

    public void WriteObject(object item)
    {
        Record();
        OnObject?.Invoke(item);
        Objects.Add(item);
    }

    public void WriteError(OperationError error)
    {
        Record();
        if (error.IsTerminating)
        {
            throw new InvalidOperationException("terminating: " + error.ErrorId);
        }

        Errors.Add(error);
    }

    public void WriteVerbose(string message)
    {
        Record();
        Verbose.Add(message);
    }

    public void WriteDebug(string message)
    {
        Record();
        Debug.Add(message);
    }

    public void WriteWarning(string message)
    {
        Record();
        Warnings.Add(message);
    }

    public void WriteProgress(ProgressInfo progress)
    {
        Record();
        Progress.Add(progress);
    }

    private void Record() => threads.Enqueue(Environment.CurrentManagedThreadId);
}
