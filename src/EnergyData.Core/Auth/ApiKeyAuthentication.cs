using System;
using System.Net.Http;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Auth;

/// <summary>Khipu's <c>x-api-key</c> header (or another header name).</summary>
public sealed class ApiKeyAuthentication : IAuthenticationProvider
{
    private readonly SecureString _apiKey;
    private readonly string _headerName;

    public ApiKeyAuthentication(SecureString apiKey, string headerName = "x-api-key")
    {
        if (apiKey is null)
        {
            throw new ArgumentNullException(nameof(apiKey));
        }

        if (string.IsNullOrWhiteSpace(headerName))
        {
            throw new ArgumentException("A header name is required.", nameof(headerName));
        }

        // A copy, so the caller disposing its SecureString does not break later requests.
        _apiKey = apiKey.Copy();
        _apiKey.MakeReadOnly();
        _headerName = headerName;
        Diagnostics.KnownSecrets.Register(_apiKey);
    }

    public string Scheme => "ApiKey";

    public bool CanRefresh => false;

    public ValueTask ApplyAsync(HttpRequestMessage request, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Headers.Remove(_headerName);
        request.Headers.TryAddWithoutValidation(_headerName, _apiKey.ToPlainText());
        return default;
    }

    public void Invalidate()
    {
    }
}
