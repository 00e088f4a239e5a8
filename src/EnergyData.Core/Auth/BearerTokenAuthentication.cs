using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Auth;

/// <summary>A JWT the user obtained elsewhere, sent as <c>Authorization: Bearer</c>. It cannot be refreshed here.</summary>
public sealed class BearerTokenAuthentication : IAuthenticationProvider
{
    private readonly SecureString _token;

    public BearerTokenAuthentication(SecureString token)
    {
        if (token is null)
        {
            throw new ArgumentNullException(nameof(token));
        }

        _token = token.Copy();
        _token.MakeReadOnly();
        Diagnostics.KnownSecrets.Register(_token);
    }

    public string Scheme => "Bearer";

    public bool CanRefresh => false;

    public ValueTask ApplyAsync(HttpRequestMessage request, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.ToPlainText());
        return default;
    }

    public void Invalidate()
    {
    }
}
