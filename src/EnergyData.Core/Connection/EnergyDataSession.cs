using System.Threading;

namespace EnergyData.Connection;

/// <summary>
/// The session's current connection, shared by every cmdlet in the process: every runspace (ForEach-Object -Parallel,
/// thread jobs) sees the same one, and a Connect-EnergyData in any of them replaces it for all. Reads and swaps are
/// atomic, so runspaces running in parallel see either the old or the new connection, never half of one. A command
/// holds what it uses with a lease (<see cref="Acquire"/>), so a replaced or disconnected connection is only retired:
/// its HTTP clients are disposed when the last command using it ends.
/// </summary>
public static class EnergyDataSession
{
    private static EnergyDataConnection? current;

    public static EnergyDataConnection? Current => Volatile.Read(ref current);

    /// <summary>
    /// Makes <paramref name="connection"/> current and retires the one it replaces (closed once the commands using it
    /// end), unless that one was handed to the user (-PassThru): a script may still pass it with -Connection, so it
    /// stays open until the process ends.
    /// </summary>
    public static void Set(EnergyDataConnection connection)
    {
        var previous = Interlocked.Exchange(ref current, connection);
        if (previous is not null && !ReferenceEquals(previous, connection))
        {
            RetireUnlessHandedOut(previous);
        }
    }

    /// <summary>Forgets the current connection and retires it (unless handed out). Returns false when there was none.</summary>
    public static bool Clear()
    {
        var previous = Interlocked.Exchange(ref current, null);
        if (previous is not null)
        {
            RetireUnlessHandedOut(previous);
        }

        return previous is not null;
    }

    /// <summary>
    /// Closes <paramref name="connection"/> whether or not it was handed out (Disconnect-EnergyData -Connection), and
    /// forgets it when it is the session's. Returns true when it was the session's. The close is a retirement: no
    /// command can start on it any more, and commands already using it (in any runspace) finish their requests before
    /// its HTTP clients are disposed.
    /// </summary>
    public static bool Close(EnergyDataConnection connection)
    {
        if (connection is null)
        {
            throw new System.ArgumentNullException(nameof(connection));
        }

        var wasCurrent = ReferenceEquals(Interlocked.CompareExchange(ref current, null, connection), connection);
        connection.Retire();
        return wasCurrent;
    }

    /// <summary>
    /// The connection a command uses (as <see cref="Resolve"/> finds it), held with a lease until the command ends: a
    /// Connect-EnergyData or Disconnect-EnergyData meanwhile, in any runspace, does not close it under the command. When
    /// the session's connection is replaced between the read and the lease, the new one is taken. Throws
    /// <see cref="NotConnectedException"/> when there is none, or when <paramref name="explicitConnection"/> was closed.
    /// </summary>
    public static ConnectionLease Acquire(EnergyDataConnection? explicitConnection)
    {
        if (explicitConnection is not null)
        {
            return explicitConnection.AcquireLease();
        }

        for (var attempt = 0; ; attempt++)
        {
            var connection = Resolve(null);
            if (connection.TryAcquireLease(out var lease))
            {
                return lease!;
            }

            // Retired between the read and the lease: another runspace connected or disconnected. Read again.
            if (attempt >= 100)
            {
                return connection.AcquireLease();
            }
        }
    }

    private static void RetireUnlessHandedOut(EnergyDataConnection connection)
    {
        if (!connection.IsHandedOut())
        {
            connection.Retire();
        }
    }

    /// <summary>
    /// The connection a command uses: the one passed with -Connection, else the session's, else one made
    /// from the ENERGYDATA_* environment variables (kept as the session's so its HttpClient is reused).
    /// </summary>
    public static EnergyDataConnection Resolve(EnergyDataConnection? explicitConnection) =>
        explicitConnection ?? CurrentOrFromEnvironment();

    /// <summary>
    /// The session's connection, else one made from the ENERGYDATA_* environment variables and kept as the session's.
    /// Without a lease: for showing it (Get-EnergyDataConnection); a command that sends requests uses <see cref="Acquire"/>.
    /// </summary>
    public static EnergyDataConnection CurrentOrFromEnvironment()
    {
        if (Current is { } session)
        {
            return session;
        }

        if (!ConnectionSettings.EnvironmentHasCredentials())
        {
            throw new NotConnectedException("Not connected. Run Connect-EnergyData, or set ENERGYDATA_KHIPU_API_KEY / ENERGYDATA_NEU_TOKEN for unattended scripts.");
        }

        var fromEnvironment = EnergyDataConnection.Create(ConnectionSettings.FromEnvironment());
        if (Interlocked.CompareExchange(ref current, fromEnvironment, null) is { } raced)
        {
            fromEnvironment.Dispose();
            return raced;
        }

        return fromEnvironment;
    }
}
