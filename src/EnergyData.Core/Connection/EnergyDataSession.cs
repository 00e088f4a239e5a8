using System.Threading;

namespace EnergyData.Connection;

/// <summary>
/// The session's current connection, shared by every cmdlet in the process. Reads and swaps are atomic,
/// so runspaces running in parallel see either the old or the new connection, never half of one.
/// </summary>
public static class EnergyDataSession
{
    private static EnergyDataConnection? current;

    public static EnergyDataConnection? Current => Volatile.Read(ref current);

    /// <summary>
    /// Makes <paramref name="connection"/> current and closes the one it replaces, unless that one was handed to
    /// the user (-PassThru): a script may still pass it with -Connection, so it stays open until the process ends.
    /// </summary>
    public static void Set(EnergyDataConnection connection)
    {
        var previous = Interlocked.Exchange(ref current, connection);
        if (previous is not null && !ReferenceEquals(previous, connection))
        {
            CloseUnlessHandedOut(previous);
        }
    }

    /// <summary>Forgets the current connection and closes it (unless handed out). Returns false when there was none.</summary>
    public static bool Clear()
    {
        var previous = Interlocked.Exchange(ref current, null);
        if (previous is not null)
        {
            CloseUnlessHandedOut(previous);
        }

        return previous is not null;
    }

    /// <summary>
    /// Closes <paramref name="connection"/> whether or not it was handed out (Disconnect-EnergyData -Connection),
    /// and forgets it when it is the session's. Returns true when it was the session's.
    /// </summary>
    public static bool Close(EnergyDataConnection connection)
    {
        if (connection is null)
        {
            throw new System.ArgumentNullException(nameof(connection));
        }

        var wasCurrent = ReferenceEquals(Interlocked.CompareExchange(ref current, null, connection), connection);
        connection.Dispose();
        return wasCurrent;
    }

    private static void CloseUnlessHandedOut(EnergyDataConnection connection)
    {
        if (!connection.IsHandedOut())
        {
            connection.Dispose();
        }
    }

    /// <summary>
    /// The connection a command uses: the one passed with -Connection, else the session's, else one made
    /// from the ENERGYDATA_* environment variables (kept as the session's so its HttpClient is reused).
    /// </summary>
    public static EnergyDataConnection Resolve(EnergyDataConnection? explicitConnection)
    {
        if (explicitConnection is not null)
        {
            return explicitConnection;
        }

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
