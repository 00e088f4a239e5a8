using System.Management.Automation;
using EnergyData.Callbacks;

namespace EnergyData.Commands;

/// <summary>Remove-Module closes the callback receiver, so its port is free and no listener outlives the module.</summary>
public sealed class CallbackReceiverCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => CallbackSession.Stop();
}
