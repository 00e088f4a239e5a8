using System;

namespace EnergyData.Connection;

/// <summary>No connection, or no credential for the API a command needs: every further input would fail too.</summary>
public sealed class NotConnectedException : InvalidOperationException
{
    public NotConnectedException()
        : base("Not connected. Run Connect-EnergyData first.")
    {
    }

    public NotConnectedException(string message)
        : base(message)
    {
    }

    public NotConnectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
