using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>
/// Stop-KhipuCallbackReceiver: closes the session's receiver; results already stored stay in the inbox. It waits for
/// deliveries in progress, but Ctrl+C closes the listener at once and abandons them.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "KhipuCallbackReceiver", SupportsShouldProcess = true)]
[OutputType(typeof(CallbackReceiverStatus))]
public sealed class StopKhipuCallbackReceiverCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Emit the receiver's final counters.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    public void Dispose() => stopping.Dispose();

    protected override void EndProcessing()
    {
        // Deliveries that arrive once it has stopped are turned away (503), so -WhatIf and -Confirm ask first.
        if (CallbackSession.Current is { } running && !ShouldProcess(running.ListenPrefix, "Stop the Khipu callback receiver"))
        {
            return;
        }

        if (CallbackSession.Current is { DeliveriesInProgress: > 0 } receiver)
        {
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Waiting up to {0:0} s for {1} delivery(ies) in progress; Ctrl+C closes the listener at once and abandons them.", receiver.DefaultStopWait.TotalSeconds, receiver.DeliveriesInProgress));
        }

        var final = CallbackSession.Stop(null, stopping.Token);
        if (final is null)
        {
            WriteVerbose("No callback receiver is running; nothing to do.");
            return;
        }

        if (final.Abandoned > 0)
        {
            WriteWarning($"{final.Abandoned} delivery(ies) were turned away while the receiver stopped: answered 503 and not stored, so Khipu's delivery failed (Khipu decides whether to deliver again).");
        }

        WriteVerbose($"Stopped the receiver on {final.ListenPrefix}: {final.Accepted} results accepted, {final.Duplicates} duplicates, {final.Rejected} requests rejected, {final.Abandoned} abandoned.");
        if (PassThru.IsPresent)
        {
            WriteObject(final);
        }
    }

    protected override void StopProcessing()
    {
        // Ctrl+C, on another thread: only signal; the wait in EndProcessing ends and the listener closes.
        try
        {
            stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command has already ended.
        }
    }
}
