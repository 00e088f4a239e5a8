using System;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace EnergyData.Emulator;

/// <summary>Who called a Khipu service: with the API key or with a Bearer token (and its subject).</summary>
internal sealed record KhipuCaller(bool WithApiKey, string Subject);

/// <summary>
/// Khipu's two schemes: <c>x-api-key</c>, or <c>Authorization: Bearer</c> with a token from the emulator's
/// OAuth2 token endpoint (client credentials, RFC 6749 section 4.4). Failures are 401 with Khipu's error
/// envelope and code A000.
/// </summary>
internal static class KhipuAuthentication
{
    /// <summary>The caller, or a 401 failure that names what is wrong.</summary>
    public static KhipuCaller Authenticate(HttpRequest request, EmulatorState state)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        var hasApiKey = apiKey.Length > 0;
        var hasAuthorization = authorization.Length > 0;
        if (hasApiKey && hasAuthorization)
        {
            throw Unauthorized("Use either x-api-key or Authorization: Bearer, not both.");
        }

        if (hasApiKey)
        {
            return string.Equals(apiKey, state.Options.KhipuApiKey, StringComparison.Ordinal)
                ? new KhipuCaller(WithApiKey: true, Subject: "api-key")
                : throw Unauthorized("The API key is not valid.");
        }

        if (!hasAuthorization)
        {
            throw Unauthorized("Authentication is required: send x-api-key or Authorization: Bearer <JWT>.");
        }

        if (!AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(header.Parameter))
        {
            throw Unauthorized("The Authorization header must be 'Bearer <JWT>'.");
        }

        var issued = state.FindKhipuToken(header.Parameter);
        if (issued is null)
        {
            throw RejectedToken(state, "The JWT is invalid or has been revoked.");
        }

        if (issued.Expires <= DateTimeOffset.UtcNow)
        {
            throw RejectedToken(state, "The JWT has expired.");
        }

        return new KhipuCaller(WithApiKey: false, Subject: issued.Subject);
    }

    /// <summary>
    /// POST _emulator/oauth/token (that exact path; any query is accepted and recorded): form body with
    /// grant_type=client_credentials; the client authenticates with client_id/client_secret in the body or with
    /// HTTP Basic (form-urlencoded id and secret, RFC 6749 2.3.1).
    /// Errors use RFC 6749 section 5.2's <c>{"error": ...}</c>.
    /// </summary>
    public static async Task IssueTokenAsync(HttpContext context, EmulatorState state)
    {
        var request = context.Request;

        // Routing matches the template with or without a trailing slash; a strict identity server does not, and the
        // client must use the token URL exactly as the user gave it.
        if (!string.Equals(request.Path.Value, "/" + KhipuEndpoints.TokenPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        state.CountKhipuTokenRequest(request.QueryString.Value ?? string.Empty);
        if (!request.HasFormContentType)
        {
            await OAuthErrorAsync(context, 400, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        if (!string.Equals(form["grant_type"].ToString(), "client_credentials", StringComparison.Ordinal))
        {
            await OAuthErrorAsync(context, 400, "unsupported_grant_type", "Only client_credentials is supported.");
            return;
        }

        string? clientId = null;
        string? clientSecret = null;
        var usedBasic = false;
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            && header.Parameter is { } encoded)
        {
            usedBasic = true;
            var pair = DecodeBasic(encoded);
            var colon = pair?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (colon > 0)
            {
                clientId = Uri.UnescapeDataString(pair![..colon].Replace('+', ' '));
                clientSecret = Uri.UnescapeDataString(pair[(colon + 1)..].Replace('+', ' '));
            }
        }

        if (form.ContainsKey("client_id") || form.ContainsKey("client_secret"))
        {
            if (usedBasic)
            {
                // RFC 6749 2.3: a client must not use more than one authentication method per request.
                await OAuthErrorAsync(context, 400, "invalid_request", "Use either HTTP Basic or body parameters for client authentication, not both.");
                return;
            }

            clientId = form["client_id"].ToString();
            clientSecret = form["client_secret"].ToString();
        }

        if (!string.Equals(clientId, state.Options.KhipuClientId, StringComparison.Ordinal)
            || !string.Equals(clientSecret, state.Options.KhipuClientSecret, StringComparison.Ordinal))
        {
            if (usedBasic)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"khipu-emulator\"";
            }

            await OAuthErrorAsync(context, 401, "invalid_client", "Client authentication failed.");
            return;
        }

        var lifetime = state.KhipuOptions.IssueExpiredTokens
            ? TimeSpan.FromSeconds(-60)
            : TimeSpan.FromSeconds(state.Options.KhipuTokenLifetimeSeconds);
        var token = state.IssueKhipuToken(clientId!, lifetime);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(
            new TokenResponse(token, "Bearer", state.Options.KhipuTokenLifetimeSeconds),
            context.RequestAborted);
    }

    private static KhipuRequestException RejectedToken(EmulatorState state, string description) =>
        state.KhipuOptions.RejectedTokenAsStatusError
            ? new(StatusCodes.Status200OK, "A000", "DO_NOT_RETRY", description)
            : Unauthorized(description);

    private static KhipuRequestException Unauthorized(string description) =>
        new(StatusCodes.Status401Unauthorized, "A000", "DO_NOT_RETRY", description);

    private static string? DecodeBasic(string encoded)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async Task OAuthErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new OAuthError(error, description), context.RequestAborted);
    }

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record OAuthError(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);
}
