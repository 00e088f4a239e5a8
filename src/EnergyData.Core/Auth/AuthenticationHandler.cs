using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Auth;

/// <summary>
/// Applies credentials to each attempt. Sits inside <see cref="ResilienceHandler"/>, so every retry gets fresh
/// credentials; on a 401 with a refreshable provider it fetches a new token and resends once, because an expired
/// token is the one 401 that a repeat can fix.
/// </summary>
public sealed class AuthenticationHandler : DelegatingHandler
{
    private readonly IAuthenticationProvider _provider;

    public AuthenticationHandler(IAuthenticationProvider provider)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
    }

    public IAuthenticationProvider Provider => _provider;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var context = request.GetRequestContext();
        var trace = context?.Trace;
        if (context is not null)
        {
            context.CanRefreshCredentials = _provider.CanRefresh;
            if (context.TakeCredentialRefresh() && _provider.CanRefresh)
            {
                // The API client saw the token rejected inside a 200 answer (Khipu's A000): fetch a new one first.
                trace?.Verbose($"{HttpRequestCloner.Describe(request)}: the service rejected the {_provider.Scheme} token (A000); refreshing it before resending");
                _provider.Invalidate();
            }
        }

        // Buffer only when a resend is possible; otherwise a streamed body goes through untouched.
        var body = _provider.CanRefresh ? await HttpRequestCloner.BufferContentAsync(request).ConfigureAwait(false) : null;
        var first = _provider.CanRefresh ? HttpRequestCloner.Clone(request, body) : request;

        await _provider.ApplyAsync(first, trace, cancellationToken).ConfigureAwait(false);
        trace?.Debug($"{_provider.Scheme} authentication applied: {HeaderRedaction.Format(first.Headers)}");
        var response = await base.SendAsync(first, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !_provider.CanRefresh)
        {
            return response;
        }

        trace?.Verbose($"{HttpRequestCloner.Describe(request)} -> 401 Unauthorized: refreshing the {_provider.Scheme} token and resending once");
        response.Dispose();
        _provider.Invalidate();

        var second = HttpRequestCloner.Clone(request, body);
        await _provider.ApplyAsync(second, trace, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(second, cancellationToken).ConfigureAwait(false);
    }
}
