using System;
using System.Net.Http;

namespace EnergyData.Http;

/// <summary>
/// The connection failed (refused, reset, dropped mid-response) on every attempt the budget allowed.
/// Derives from <see cref="HttpRequestException"/> so code that already handles transport failures keeps working.
/// The message names the method, the URI without its query, and the attempt count; never headers or bodies.
/// </summary>
public sealed class RequestAttemptException : HttpRequestException
{
    public RequestAttemptException()
    {
    }

    public RequestAttemptException(string message)
        : base(message)
    {
    }

    public RequestAttemptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestAttemptException(string message, int attempts, Exception innerException)
        : base(message, innerException)
    {
        Attempts = attempts;
    }

    /// <summary>Attempts made for the logical call, counting those of other layers sharing its <see cref="RequestContext"/>.</summary>
    public int Attempts { get; }
}
