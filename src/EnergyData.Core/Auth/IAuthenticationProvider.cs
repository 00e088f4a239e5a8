using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Auth;

/// <summary>Puts credentials on one outgoing attempt. Implementations are shared by concurrent requests.</summary>
public interface IAuthenticationProvider
{
    /// <summary>"ApiKey", "Bearer" or "ClientCredentials": for display, never the credential.</summary>
    string Scheme { get; }

    /// <summary>True when <see cref="Invalidate"/> followed by <see cref="ApplyAsync"/> can produce a new credential.</summary>
    bool CanRefresh { get; }

    ValueTask ApplyAsync(HttpRequestMessage request, IRequestTrace? trace, CancellationToken cancellationToken);

    /// <summary>Forgets a cached token so the next <see cref="ApplyAsync"/> fetches a new one.</summary>
    void Invalidate();
}
