using System;

namespace EnergyData.Http;

/// <summary>
/// The circuit breaker is open after repeated failures: the request was not sent. Wraps Polly's
/// BrokenCircuitException so callers do not depend on Polly types.
/// </summary>
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException()
    {
    }

    public ServiceUnavailableException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public ServiceUnavailableException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }

    public ServiceUnavailableException(string message, TimeSpan? retryAfter, Exception? innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the circuit stays open, when known.</summary>
    public TimeSpan? RetryAfter { get; }
}
