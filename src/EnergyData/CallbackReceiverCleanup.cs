using System.Management.Automation;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>
/// Remove-Module closes the callback receiver, so its port is free and no listener outlives the module. It waits a
/// couple of seconds at most for deliveries in progress (Remove-Module cannot be interrupted), then abandons them.
/// </summary>
public sealed class CallbackReceiverCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => CallbackSession.Stop(CallbackSession.ModuleRemovalWait, System.Threading.CancellationToken.None);
}
