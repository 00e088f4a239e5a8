using System;
using System.IO;
using System.Threading;

namespace EnergyData.Callbacks;

/// <summary>
/// The callback receiver of the session (started by Start-KhipuCallbackReceiver), which <c>-Async</c> uses.
/// One per process, like the connection; closed by Stop-KhipuCallbackReceiver or when the module is removed.
/// </summary>
public static class CallbackSession
{
    private static CallbackReceiver? current;
    private static string? moduleRemovalNotice;

    public static CallbackReceiver? Current => Volatile.Read(ref current);

    /// <summary>The inbox used when none is named: a per-user data folder, so a later session finds it.</summary>
    public static string DefaultInboxPath
    {
        get
        {
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(root))
            {
                root = Path.GetTempPath();
            }

            return Path.Combine(root, "EnergyData", "KhipuInbox");
        }
    }

    /// <summary>The longest Remove-Module waits for deliveries in progress before closing the receiver.</summary>
    public static readonly TimeSpan ModuleRemovalWait = TimeSpan.FromSeconds(2);

    /// <summary>Starts a receiver and makes it the session's. Refuses while another one is running.</summary>
    public static CallbackReceiver Start(CallbackReceiverOptions options) => Start(options, CancellationToken.None);

    /// <summary>
    /// Starts a receiver and makes it the session's. Refuses while another one is running; one that stopped listening
    /// is replaced and closed, waiting for its deliveries in progress as <see cref="CallbackReceiver.Stop()"/> does
    /// unless <paramref name="cancellationToken"/> is cancelled (Ctrl+C).
    /// </summary>
    public static CallbackReceiver Start(CallbackReceiverOptions options, CancellationToken cancellationToken)
    {
        if (Current is { IsListening: true } running)
        {
            throw new InvalidOperationException($"A callback receiver is already running on {running.ListenPrefix}; run Stop-KhipuCallbackReceiver first.");
        }

        var receiver = CallbackReceiver.Start(options);
        var previous = Interlocked.Exchange(ref current, receiver);
        if (previous is not null)
        {
            previous.Stop(null, cancellationToken);
            previous.Dispose();
        }

        return receiver;
    }

    /// <summary>Stops and forgets the session's receiver. Returns its final status, or null when none ran.</summary>
    public static CallbackReceiverStatus? Stop() => Stop(null, CancellationToken.None);

    /// <summary>
    /// Stops and forgets the session's receiver, waiting for its deliveries in progress at most
    /// <paramref name="maxWait"/> (the receiver's <see cref="CallbackReceiver.DefaultStopWait"/> when null) and only until
    /// <paramref name="cancellationToken"/> is cancelled (see <see cref="CallbackReceiver.Stop(TimeSpan?, CancellationToken)"/>).
    /// Returns its final status, or null when none ran.
    /// </summary>
    public static CallbackReceiverStatus? Stop(TimeSpan? maxWait, CancellationToken cancellationToken)
    {
        var previous = Interlocked.Exchange(ref current, null);
        if (previous is null)
        {
            return null;
        }

        previous.Stop(maxWait, cancellationToken);
        previous.Dispose();
        return previous.GetStatus();
    }

    /// <summary>
    /// Stops the receiver as the module is removed (Remove-Module, or Import-Module -Force, which removes it first),
    /// waiting <see cref="ModuleRemovalWait"/> at most, and keeps a notice for the next command of the module: a removal
    /// has no way to say anything itself, and a receiver gone without a word loses the results that arrive next.
    /// </summary>
    public static void StopForModuleRemoval()
    {
        if (Stop(ModuleRemovalWait, CancellationToken.None) is not { } status)
        {
            return;
        }

        Volatile.Write(ref moduleRemovalNotice, string.Format(
            System.Globalization.CultureInfo.InvariantCulture,
            "The callback receiver on {0} was stopped at {1:u} when the module was removed (Remove-Module, or Import-Module -Force, which removes it first). Results Khipu sent to it after that were not received. Run Start-KhipuCallbackReceiver again before submitting with -Async; import the module without -Force while operations are pending.",
            status.ListenPrefix,
            DateTimeOffset.UtcNow));
    }

    /// <summary>The notice <see cref="StopForModuleRemoval"/> left, once (null when there is none or it was given).</summary>
    public static string? TakeModuleRemovalNotice() => Interlocked.Exchange(ref moduleRemovalNotice, null);

    /// <summary>The inbox a waiter reads: the one named, else the running receiver's, else the default folder.</summary>
    public static CallbackInbox ResolveInbox(string? inboxPath) =>
        new(string.IsNullOrEmpty(inboxPath) ? Current?.Inbox.Root ?? DefaultInboxPath : inboxPath!);
}
