using System.Management.Automation;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>Get-KhipuCallbackReceiver: the session receiver's addresses, inbox and counters (never its secret).</summary>
[Cmdlet(VerbsCommon.Get, "KhipuCallbackReceiver")]
[OutputType(typeof(CallbackReceiverStatus))]
public sealed class GetKhipuCallbackReceiverCommand : PSCmdlet
{
    protected override void BeginProcessing() => CallbackReceiverCleanup.WarnIfStoppedByModuleRemoval(this);

    protected override void EndProcessing()
    {
        if (CallbackSession.Current is { } receiver)
        {
            WriteObject(receiver.GetStatus());
            return;
        }

        WriteVerbose("No callback receiver is running. Start one with Start-KhipuCallbackReceiver.");
    }
}
