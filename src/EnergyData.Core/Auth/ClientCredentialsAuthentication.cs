using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Auth;

/// <summary>
/// OAuth 2.0 client credentials: exchanges a client id and secret for an access token, caches it until shortly
/// before it expires, and lets concurrent requests share one token request.
/// </summary>
/// <remarks>
/// The <c>tokenHandler</c> is not owned: the caller keeps it alive while this provider is used and disposes it
/// afterwards, so one handler (and its connection pool) can serve both the API and the token endpoint.
/// </remarks>
public sealed class ClientCredentialsAuthentication : IAuthenticationProvider, IDisposable
{
    private readonly Uri _tokenUri;
    private readonly string _clientId;
    private readonly SecureString _clientSecret;
    private readonly string? _scope;
    private readonly ClientCredentialsOptions _options;
    private readonly HttpClient _tokenClient;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile CachedToken? _token;

    public ClientCredentialsAuthentication(
        Uri tokenUri,
        string clientId,
        SecureString clientSecret,
        string? scope,
        ClientCredentialsOptions options,
        HttpMessageHandler tokenHandler,
        TimeProvider? timeProvider = null)
    {
        _tokenUri = tokenUri ?? throw new ArgumentNullException(nameof(tokenUri));
        if (!tokenUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The token URI must be absolute.", nameof(tokenUri));
        }

        if (string.IsNullOrEmpty(clientId))
        {
            throw new ArgumentException("A client id is required.", nameof(clientId));
        }

        if (clientSecret is null)
        {
            throw new ArgumentNullException(nameof(clientSecret));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (tokenHandler is null)
        {
            throw new ArgumentNullException(nameof(tokenHandler));
        }

        _clientId = clientId;
        _clientSecret = clientSecret.Copy();
        _clientSecret.MakeReadOnly();
        Diagnostics.KnownSecrets.Register(_clientSecret);
        _scope = string.IsNullOrWhiteSpace(scope) ? null : scope;
        _options = options.Clone();
        _tokenClient = new HttpClient(tokenHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Scheme => "ClientCredentials";

    public bool CanRefresh => true;

    public async ValueTask ApplyAsync(HttpRequestMessage request, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var token = await GetTokenAsync(trace, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public void Invalidate() => _token = null;

    public void Dispose()
    {
        _tokenClient.Dispose();
        _gate.Dispose();
        _clientSecret.Dispose();
    }

    private async ValueTask<string> GetTokenAsync(IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var cached = _token;
        if (cached is not null && cached.IsValidAt(_timeProvider.GetUtcNow()))
        {
            return cached.AccessToken;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have fetched a token while this one waited for the gate.
            cached = _token;
            if (cached is not null && cached.IsValidAt(_timeProvider.GetUtcNow()))
            {
                return cached.AccessToken;
            }

            var fresh = await RequestTokenAsync(trace, cancellationToken).ConfigureAwait(false);
            _token = fresh;
            return fresh.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CachedToken> RequestTokenAsync(IRequestTrace? trace, CancellationToken cancellationToken)
    {
        trace?.Verbose($"requesting an access token from {_tokenUri.GetLeftPart(UriPartial.Path)} ({_options.ClientAuthentication} client authentication)");
        using var request = BuildTokenRequest();
        using var timeout = _timeProvider.CreateCancellationTokenSource(_options.TokenRequestTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        HttpResponseMessage response;
        string body;
        try
        {
            response = await _tokenClient.SendAsync(request, linked.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new AuthenticationException(
                $"The token endpoint {Describe()} did not answer within {_options.TokenRequestTimeout.TotalSeconds:0} s.", null, null);
        }
        catch (HttpRequestException ex)
        {
            throw new AuthenticationException($"The token endpoint {Describe()} could not be reached: {ex.Message}", null, null, ex);
        }
        catch (RedirectRefusedException ex)
        {
            throw new AuthenticationException($"The token endpoint {Describe()} could not be used: {ex.Message}", null, null, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var error = TryReadString(body, "error");
                throw new AuthenticationException(
                    $"The token endpoint {Describe()} refused the client credentials: HTTP {status} {response.StatusCode}"
                        + (error is null ? "." : $" ({SanitizeCode(error)})."),
                    status,
                    error is null ? null : SanitizeCode(error));
            }

            var accessToken = TryReadString(body, "access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                throw new AuthenticationException($"The token endpoint {Describe()} answered HTTP {status} without an access_token.", status, null);
            }

            var tokenType = TryReadString(body, "token_type");
            if (tokenType is not null && !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new AuthenticationException($"The token endpoint {Describe()} issued a '{SanitizeCode(tokenType)}' token; only Bearer tokens are supported.", status, null);
            }

            var expiresIn = TryReadNumber(body, "expires_in");
            var now = _timeProvider.GetUtcNow();
            DateTimeOffset? expires = null;
            if (expiresIn is { } seconds && seconds > 0)
            {
                var lifetime = TimeSpan.FromSeconds(seconds);

                // A lifetime shorter than the skew would expire at once; keep at least half of it.
                var usable = lifetime - _options.RefreshSkew;
                if (usable < TimeSpan.FromTicks(lifetime.Ticks / 2))
                {
                    usable = TimeSpan.FromTicks(lifetime.Ticks / 2);
                }

                expires = now + usable;
            }

            trace?.Verbose(expires is null
                ? "access token received (no expires_in: kept until the API rejects it)"
                : $"access token received, valid for {expiresIn!.Value.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} s");
            Diagnostics.KnownSecrets.Register(accessToken);
            return new CachedToken(accessToken!, expires);
        }
    }

    private HttpRequestMessage BuildTokenRequest()
    {
        var fields = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (_scope is not null)
        {
            fields.Add(new("scope", _scope));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _tokenUri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ClientAuthentication == ClientAuthenticationMethod.Basic)
        {
            var pair = Uri.EscapeDataString(_clientId) + ":" + Uri.EscapeDataString(_clientSecret.ToPlainText());
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            fields.Add(new("client_id", _clientId));
            fields.Add(new("client_secret", _clientSecret.ToPlainText()));
        }

        request.Content = new FormUrlEncodedContent(fields);
        return request;
    }

    private string Describe() => _tokenUri.GetLeftPart(UriPartial.Path);

    // OAuth error codes are short ASCII tokens; anything else is cut so a hostile reply cannot flood the message.
    private static string SanitizeCode(string code)
    {
        var builder = new StringBuilder();
        foreach (var c in code)
        {
            if (builder.Length >= 64)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString();
    }

    private static string? TryReadString(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static double? TryReadNumber(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(name, out var value))
            {
                return null;
            }

            // Some servers send expires_in as a string.
            return value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class CachedToken
    {
        public CachedToken(string accessToken, DateTimeOffset? expires)
        {
            AccessToken = accessToken;
            Expires = expires;
        }

        public string AccessToken { get; }

        public DateTimeOffset? Expires { get; }

        public bool IsValidAt(DateTimeOffset now) => Expires is null || now < Expires.Value;
    }
}
