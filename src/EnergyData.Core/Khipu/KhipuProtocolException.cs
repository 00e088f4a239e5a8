using System;

namespace EnergyData.Khipu;

/// <summary>The server answered with something that is not a Khipu envelope (HTML, a JSON array, no Status).</summary>
public sealed class KhipuProtocolException : Exception
{
    public KhipuProtocolException()
    {
    }

    public KhipuProtocolException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public KhipuProtocolException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }
}
