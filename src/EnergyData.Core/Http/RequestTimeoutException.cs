using System;

namespace EnergyData.Http;

/// <summary>Which limit of <see cref="ResilienceOptions"/> expired.</summary>
public enum RequestTimeoutKind
{
    /// <summary>No response headers within <see cref="ResilienceOptions.AttemptTimeout"/> on the last attempt.</summary>
    Attempt,

    /// <summary>The whole logical call, retries and waits included, exceeded <see cref="ResilienceOptions.TotalTimeout"/>.</summary>
    Total,

    /// <summary>The response body sent nothing for <see cref="ResilienceOptions.BodyIdleTimeout"/>.</summary>
    BodyIdle,
}

/// <summary>
/// A timeout of the pipeline, as opposed to a user's cancellation (which stays an OperationCanceledException).
/// The message says which limit and its length, so the user knows which option to raise.
/// </summary>
public sealed class RequestTimeoutException : TimeoutException
{
    public RequestTimeoutException()
    {
    }

    public RequestTimeoutException(string message)
        : base(message)
    {
    }

    public RequestTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestTimeoutException(string message, RequestTimeoutKind kind, TimeSpan timeout, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
        Timeout = timeout;
    }

    public RequestTimeoutKind Kind { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Attempts made for the logical call (0 when not known, as for the body's idle limit).</summary>
    public int Attempts { get; init; }
}
