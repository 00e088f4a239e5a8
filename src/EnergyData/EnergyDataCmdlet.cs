using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Errors;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// The one base of every EnergyData cmdlet. Work runs asynchronously in the core; this class owns the
/// <see cref="OperationPump"/> that brings results and messages back to the pipeline thread (the only
/// thread allowed to call Write*), cancels HTTP in flight on Ctrl+C, turns core errors into ErrorRecords, and holds
/// the lease on the connection a command uses until the command ends.
/// </summary>
public abstract class EnergyDataCmdlet : PSCmdlet, IPipelineSink, IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly ProgressBars progressBars = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    private OperationPump? pump;
    private ConnectionLease? lease;
    private int progressId;

    /// <summary>How operations are run: one at a time and in order unless a cmdlet says otherwise.</summary>
    protected virtual PumpOptions PumpOptions => new() { ThrottleLimit = 1, Ordered = true };

    private OperationPump Pump
    {
        get
        {
            if (pump is null)
            {
                pump = new OperationPump(this, PumpOptions, stopping.Token) { ReleasedCallback = ShowProgress };
                progressId = NewProgressActivityId();
            }

            return pump;
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    void IPipelineSink.WriteObject(object item) => WriteObject(Shape(item));

    void IPipelineSink.WriteError(OperationError failure)
    {
        var record = ErrorRecords.From(failure);
        if (failure.IsTerminating)
        {
            // Nothing can be written once the command is terminating, so the bars are closed first.
            CloseProgress();
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }

    void IPipelineSink.WriteVerbose(string message) => WriteVerbose(message);

    void IPipelineSink.WriteDebug(string message) => WriteDebug(message);

    void IPipelineSink.WriteWarning(string message) => WriteWarning(message);

    void IPipelineSink.WriteProgress(ProgressInfo progress) => WriteProgressBar(ToProgressRecord(progress));

    /// <summary>Starts one input's work. Returns at once unless the throttle limit is reached.</summary>
    protected void Submit(object? target, Func<IOperationContext, Task> operation) => Run(() => Pump.Submit(target, operation));

    /// <summary>
    /// Reports one input that failed before any work started (a validation error, for example). It goes through the
    /// pump like any input's outcome, so in ordered mode it comes after the results of the inputs before it.
    /// </summary>
    protected void WriteFailure(Exception exception, object? target) => Submit(target, _ => Task.FromException(exception));

    /// <summary>An activity id for one input's progress bar, unique in the process (see <see cref="ProgressBars"/>).</summary>
    protected static int NewProgressActivityId() => ProgressBars.NewActivityId();

    /// <summary>
    /// Reports a failed input at once, for a cmdlet that writes its results directly rather than through the pump
    /// (so its errors stay in place among them).
    /// </summary>
    protected void WriteFailureNow(Exception exception, object? target) => ((IPipelineSink)this).WriteError(ErrorMapper.FromException(exception, target));

    /// <summary>Turns a result into what goes down the pipeline (a cmdlet may add properties).</summary>
    protected virtual object Shape(object item) => item;

    /// <summary>
    /// The connection this command uses (<paramref name="explicitConnection"/>, else the session's), leased until the
    /// command ends: a Connect-EnergyData or Disconnect-EnergyData in another runspace meanwhile does not close it under
    /// the requests in flight. Throws <see cref="NotConnectedException"/> when there is none or it was closed.
    /// </summary>
    protected EnergyDataConnection AcquireConnection(EnergyDataConnection? explicitConnection)
    {
        var taken = EnergyDataSession.Acquire(explicitConnection);
        Interlocked.Exchange(ref lease, taken)?.Dispose();
        return taken.Connection;
    }

    protected override void BeginProcessing() => CallbackReceiverCleanup.WarnIfStoppedByModuleRemoval(this);

    protected override void EndProcessing()
    {
        EndProcessingCore();

        // The work is done: nothing of this command uses the connection any more. When EndProcessingCore throws
        // (-ErrorAction Stop, a refused credential), operations may still be in flight: Dispose releases the lease
        // once the pump has stopped them.
        ReleaseConnection();
    }

    protected override void StopProcessing()
    {
        // Called on another thread: only signal; the pipeline thread unwinds by itself. The lease is not released here,
        // while requests may still be unwinding on the connection: the engine disposes the command once it has stopped.
        stopping.Cancel();
        pump?.Cancel();
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Disposing the pump waits (briefly) for the cancelled operations; then the connection may go. Dispose is
            // the one release that always comes: after a terminating error, a stopped pipeline (Ctrl+C, Select-Object
            // -First) or an error in BeginProcessing, EndProcessing never ran.
            pump?.Dispose();
            ReleaseConnection();
            stopping.Dispose();
        }
    }

    private void EndProcessingCore()
    {
        if (pump is null)
        {
            return;
        }

        Run(pump.Complete);
        CloseProgress();
    }

    /// <summary>Releases the connection's lease, once: EndProcessing and Dispose may both come, on different paths.</summary>
    private void ReleaseConnection() => Interlocked.Exchange(ref lease, null)?.Dispose();

    private static ProgressRecord ToProgressRecord(ProgressInfo progress) =>
        new(progress.ActivityId, progress.Activity, progress.StatusDescription)
        {
            PercentComplete = progress.PercentComplete,
            CurrentOperation = progress.CurrentOperation,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };

    /// <summary>
    /// Runs the pump on the pipeline thread (Submit from ProcessRecord, Complete from EndProcessing). Whatever ends the
    /// command from inside it closes the bars on screen first, on either path: a downstream Select-Object -First
    /// stops the command from the WriteObject that gives its last row, usually in ProcessRecord when many inputs
    /// are piped, and EndProcessing then never runs; -ErrorAction Stop reaches here as a stopped pipeline too.
    /// </summary>
    private void Run(Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl+C: end the command the way PowerShell expects a stopped pipeline to end.
            CloseProgressIfStillPossible();
            throw new PipelineStoppedException();
        }
        catch
        {
            CloseProgressIfStillPossible();
            throw;
        }
    }

    private void ShowProgress(OperationPump source)
    {
        // A bar for long work only, updated a few times a second at most.
        if (source.Submitted < 2 || progressClock.Elapsed < ProgressInterval)
        {
            return;
        }

        progressClock.Restart();
        WriteProgressBar(new ProgressRecord(progressId, MyInvocation.MyCommand.Name, $"{source.Released} of {source.Submitted} inputs done"));
    }

    /// <summary>Writes a progress record, keeping the bars on screen so that every one gets its Completed record.</summary>
    private void WriteProgressBar(ProgressRecord record)
    {
        if (progressBars.Track(record.ActivityId, record.RecordType == ProgressRecordType.Completed))
        {
            WriteProgress(record);
        }
    }

    /// <summary>Removes every bar still on screen: the cmdlet's own and those of inputs that ended without closing theirs.</summary>
    private void CloseProgress()
    {
        foreach (var activityId in progressBars.TakeOpen())
        {
            WriteProgress(new ProgressRecord(activityId, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void CloseProgressIfStillPossible()
    {
        try
        {
            CloseProgress();
        }
        catch (PipelineStoppedException)
        {
            // The pipeline is already stopping: the engine takes no more records, and the original error goes on.
        }
    }
}
