using System;
using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;
using EnergyData.Auth;
using EnergyData.Http;

namespace EnergyData.Neu;

/// <summary>What the NEU token's <c>exp</c> claim says about it.</summary>
public enum NeuTokenState
{
    /// <summary>A JWT whose exp is more than <see cref="NeuTokenInspector.WarningWindow"/> away.</summary>
    Valid,

    /// <summary>A JWT that expires within <see cref="NeuTokenInspector.WarningWindow"/>.</summary>
    ExpiresSoon,

    Expired,

    /// <summary>A JWT without a numeric exp claim.</summary>
    NoExpiry,

    /// <summary>Not three base64url parts with a JSON payload: nothing can be said about its lifetime.</summary>
    NotJwt,
}

public sealed class NeuTokenStatus
{
    internal NeuTokenStatus(NeuTokenState state, DateTimeOffset? expiresAt)
    {
        State = state;
        ExpiresAt = expiresAt;
    }

    public NeuTokenState State { get; }

    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The line to show (never the token): a warning for Expired and ExpiresSoon, verbose otherwise.</summary>
    public string Describe(DateTimeOffset now) => State switch
    {
        NeuTokenState.Expired => string.Format(CultureInfo.InvariantCulture, "The NEU token expired at {0:u} ({1} ago) by its exp claim. It is sent anyway and NEU's answer decides; if NEU refuses it (401), generate a new token in the NEU web app (user profile) and run Connect-EnergyData -NeuToken again.", ExpiresAt, TimeFormat.InWords(now - ExpiresAt!.Value)),
        NeuTokenState.ExpiresSoon => string.Format(CultureInfo.InvariantCulture, "The NEU token expires at {0:u} (in {1}). Generate a new token in the NEU web app (user profile) soon.", ExpiresAt, TimeFormat.InWords(ExpiresAt!.Value - now)),
        NeuTokenState.Valid => string.Format(CultureInfo.InvariantCulture, "The NEU token is valid until {0:u}.", ExpiresAt),
        NeuTokenState.NoExpiry => "The NEU token is a JWT without an exp claim: its expiry cannot be checked.",
        _ => "The NEU token is not a JWT: its expiry cannot be checked, so no expiry warning will be given.",
    };

    /// <summary>What a 401 error adds for an expired token: when its exp passed (never the token).</summary>
    internal string DescribeRefusal(DateTimeOffset now) =>
        State == NeuTokenState.Expired
            ? string.Format(CultureInfo.InvariantCulture, "The token expired at {0:u} ({1} ago) by its exp claim; generate a new one in the NEU web app (user profile).", ExpiresAt, TimeFormat.InWords(now - ExpiresAt!.Value))
            : string.Empty;
}

/// <summary>
/// Reads only the <c>exp</c> claim of a NEU token. The signature is not checked (the key is NEU's) and the token
/// itself is never logged or kept as a string beyond this call.
/// </summary>
public static class NeuTokenInspector
{
    /// <summary>A token closer than this to its expiry gets a warning.</summary>
    public static readonly TimeSpan WarningWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// The token as it goes into the connection: without surrounding whitespace and without a leading "Bearer "
    /// (any case), which users paste along with the token from examples of the header. The scheme is added when the
    /// header is written, so a pasted one would be sent twice. Returns <paramref name="token"/> itself when it needs
    /// no change.
    /// </summary>
    public static SecureString Normalize(SecureString token)
    {
        if (token is null)
        {
            throw new ArgumentNullException(nameof(token));
        }

        var text = token.ToPlainText();
        var normalized = WithoutScheme(text.Trim());
        return normalized.Length == text.Length ? token : normalized.ToSecureString();
    }

    public static NeuTokenStatus Inspect(SecureString token, DateTimeOffset now)
    {
        if (token is null)
        {
            throw new ArgumentNullException(nameof(token));
        }

        return Inspect(token.ToPlainText(), now);
    }

    internal static NeuTokenStatus Inspect(string token, DateTimeOffset now)
    {
        var parts = WithoutScheme(token.Trim()).Split('.');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return new NeuTokenStatus(NeuTokenState.NotJwt, null);
        }

        byte[] payload;
        try
        {
            payload = DecodeBase64Url(parts[1]);
        }
        catch (FormatException)
        {
            return new NeuTokenStatus(NeuTokenState.NotJwt, null);
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new NeuTokenStatus(NeuTokenState.NotJwt, null);
            }

            if (!document.RootElement.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetDouble(out var seconds))
            {
                return new NeuTokenStatus(NeuTokenState.NoExpiry, null);
            }

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(Math.Max(seconds, -62135596800d), 253402300799d));
            var state = expiresAt <= now ? NeuTokenState.Expired
                : expiresAt - now <= WarningWindow ? NeuTokenState.ExpiresSoon
                : NeuTokenState.Valid;
            return new NeuTokenStatus(state, expiresAt);
        }
        catch (JsonException)
        {
            return new NeuTokenStatus(NeuTokenState.NotJwt, null);
        }
    }

    private static string WithoutScheme(string token)
    {
        const string Scheme = "Bearer";
        if (!token.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return token;
        }

        if (token.Length == Scheme.Length)
        {
            // "Bearer" alone is the scheme without a token: nothing is left to send.
            return string.Empty;
        }

        return char.IsWhiteSpace(token[Scheme.Length]) ? token.Substring(Scheme.Length).TrimStart() : token;
    }

    private static byte[] DecodeBase64Url(string text)
    {
        var base64 = new StringBuilder(text.Length + 3).Append(text.Replace('-', '+').Replace('_', '/'));
        switch (text.Length % 4)
        {
            case 2:
                base64.Append("==");
                break;
            case 3:
                base64.Append('=');
                break;
            case 1:
                throw new FormatException("Not base64url.");
        }

        return Convert.FromBase64String(base64.ToString());
    }
}
