namespace EnergyData.Emulator;

public sealed partial class EmulatorState
{
    /// <summary>Outgoing asynchronous results (Khipu's callback POSTs).</summary>
    public CallbackDelivery Callbacks { get; private set; } = null!;

    partial void InitializeCallbacks()
    {
        Callbacks = new CallbackDelivery(this);
        RegisterForDisposal(Callbacks);
    }

    partial void ResetCallbacks()
    {
        Callbacks.Clear();
    }
}
