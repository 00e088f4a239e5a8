using System;

namespace EnergyData.Auth;

/// <summary>
/// Credentials were refused or a token could not be obtained. Terminating by nature: every further request with
/// the same credentials would fail the same way, so the cmdlet layer ends the command instead of writing one error
/// per input. Messages carry the HTTP status and the OAuth <c>error</c> code, never a secret or token.
/// </summary>
public sealed class AuthenticationException : Exception
{
    public AuthenticationException()
    {
    }

    public AuthenticationException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public AuthenticationException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }

    public AuthenticationException(string message, int? statusCode, string? errorCode, Exception? innerException = null)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>Always true: callers use it to choose ThrowTerminatingError over WriteError.</summary>
    public bool IsTerminating { get; } = true;

    /// <summary>HTTP status of the token endpoint's reply, when there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>The OAuth <c>error</c> code (for example invalid_client), when the endpoint sent one.</summary>
    public string? ErrorCode { get; }
}
