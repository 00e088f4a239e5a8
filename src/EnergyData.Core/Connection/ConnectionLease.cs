using System;
using System.Threading;

namespace EnergyData.Connection;

/// <summary>
/// A command's hold on the connection it uses (see <see cref="EnergyDataConnection.AcquireLease"/>): while it is held,
/// a Connect-EnergyData or Disconnect-EnergyData in any runspace may replace or close the connection for new commands,
/// but its HTTP clients stay open for this one. Disposing releases it, once however often it is called; the last
/// release of a replaced or closed connection disposes it.
/// </summary>
public sealed class ConnectionLease : IDisposable
{
    private int released;

    internal ConnectionLease(EnergyDataConnection connection)
    {
        Connection = connection;
    }

    public EnergyDataConnection Connection { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            Connection.ReleaseLease();
        }
    }
}
