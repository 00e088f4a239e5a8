using System;
using System.Net;

namespace EnergyData.Neu;

/// <summary>NEU answered with an error status (other than 401, which is an <see cref="Auth.AuthenticationException"/>).</summary>
public sealed class NeuException : Exception
{
    public NeuException()
    {
    }

    public NeuException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public NeuException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }

    public NeuException(string message, HttpStatusCode statusCode, string route, string? responseText)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
        StatusCode = statusCode;
        Route = route;
        ResponseText = responseText is null ? null : Diagnostics.KnownSecrets.Redact(responseText);
    }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The route name and "METHOD path" that was called.</summary>
    public string? Route { get; }

    /// <summary>The start of the error body (redacted), for diagnosis.</summary>
    public string? ResponseText { get; }

    /// <summary>Attempts made for the call, retries included (0 when not known).</summary>
    public int Attempts { get; init; }

    /// <summary>The wait the last answer's Retry-After header asked for (seconds or a date); null when it asked none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When that wait ends: the earliest time NEU asked to be tried again.</summary>
    public DateTimeOffset? EarliestRetry { get; init; }
}

/// <summary>NEU answered 2xx with a body this client cannot read as the documented shape.</summary>
public sealed class NeuProtocolException : Exception
{
    public NeuProtocolException()
    {
    }

    public NeuProtocolException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public NeuProtocolException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }
}
