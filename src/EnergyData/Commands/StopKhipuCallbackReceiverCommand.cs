using System.Management.Automation;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>Stop-KhipuCallbackReceiver: closes the session's receiver; results already stored stay in the inbox.</summary>
[Cmdlet(VerbsLifecycle.Stop, "KhipuCallbackReceiver")]
[OutputType(typeof(CallbackReceiverStatus))]
public sealed class StopKhipuCallbackReceiverCommand : PSCmdlet
{
    /// <summary>Emit the receiver's final counters.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var final = CallbackSession.Stop();
        if (final is null)
        {
            WriteVerbose("No callback receiver is running; nothing to do.");
            return;
        }

        WriteVerbose($"Stopped the receiver on {final.ListenPrefix}: {final.Accepted} results accepted, {final.Duplicates} duplicates, {final.Rejected} requests rejected.");
        if (PassThru.IsPresent)
        {
            WriteObject(final);
        }
    }
}
