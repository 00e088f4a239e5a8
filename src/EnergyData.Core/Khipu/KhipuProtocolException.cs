using System;

namespace EnergyData.Khipu;

/// <summary>The server answered with something that is not a Khipu envelope (HTML, a JSON array, no Status).</summary>
public sealed class KhipuProtocolException : Exception
{
    public KhipuProtocolException()
    {
    }

    public KhipuProtocolException(string message)
        : base(message)
    {
    }

    public KhipuProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
