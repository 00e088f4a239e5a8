using System;

namespace EnergyData.Auth;

/// <summary>How the client proves its identity to the token endpoint (RFC 6749 section 2.3.1).</summary>
public enum ClientAuthenticationMethod
{
    /// <summary><c>client_id</c> and <c>client_secret</c> as form fields in the request body.</summary>
    Body,

    /// <summary>HTTP Basic with the URL-encoded id and secret.</summary>
    Basic,
}

public sealed class ClientCredentialsOptions
{
    public ClientAuthenticationMethod ClientAuthentication { get; set; } = ClientAuthenticationMethod.Body;

    /// <summary>A token is replaced this long before <c>expires_in</c> says it expires, so it does not lapse in flight.</summary>
    public TimeSpan RefreshSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on one token request; the token endpoint is not behind the resilience pipeline.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public ClientCredentialsOptions Clone() => (ClientCredentialsOptions)MemberwiseClone();
}
