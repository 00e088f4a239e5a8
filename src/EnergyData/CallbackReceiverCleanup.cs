using System.Management.Automation;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>
/// Remove-Module closes the callback receiver, so its port is free and no listener outlives the module. It waits a
/// couple of seconds at most for deliveries in progress (Remove-Module cannot be interrupted), then abandons them.
/// The next command of the module says so (<see cref="WarnIfStoppedByModuleRemoval"/>): the removal itself cannot.
/// </summary>
public sealed class CallbackReceiverCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => CallbackSession.StopForModuleRemoval();

    /// <summary>Warns, once, that the last removal of the module stopped the receiver (Import-Module -Force does it unasked).</summary>
    internal static void WarnIfStoppedByModuleRemoval(Cmdlet command)
    {
        if (CallbackSession.TakeModuleRemovalNotice() is { } notice)
        {
            command.WriteWarning(notice);
        }
    }
}
