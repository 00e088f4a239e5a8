using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Http;

/// <summary>
/// Follows redirects itself, below the authentication layer, instead of leaving them to the transport: .NET's own
/// redirect handling drops <c>Authorization</c> on every hop (so a server that 307-redirects <c>/accounts</c> to
/// <c>/accounts/</c>, as FastAPI does, sees no token) yet keeps custom headers such as <c>x-api-key</c> even to
/// another host. Here the re-sent request carries every header the authentication layer applied, and only to the
/// same origin (scheme, host and port): a redirect elsewhere is refused, so a credential never leaves its server.
/// </summary>
/// <remarks>
/// The hops belong to the attempt that received the first answer: a redirect is not a retry, so it neither uses the
/// retry budget nor counts as another (billed) attempt in <see cref="RequestContext.Attempts"/>; each hop is shown at
/// Verbose instead. The attempt timeout covers every hop. The transport below must not follow redirects itself.
/// </remarks>
public sealed class RedirectHandler : DelegatingHandler
{
    /// <summary>Redirects followed for one attempt before giving up: real servers need one, rarely two.</summary>
    public const int MaxRedirects = 5;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var trace = request.GetRequestContext()?.Trace;
        var current = request;
        byte[]? body = null;
        var bodyRead = false;
        try
        {
            for (var hops = 1; ; hops++)
            {
                var response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
                if (!IsFollowed(response.StatusCode) || response.Headers.Location is not { } location)
                {
                    return response;
                }

                var target = location.IsAbsoluteUri ? location : new Uri(current.RequestUri!, location);
                var status = (int)response.StatusCode;
                response.Dispose();
                var description = HttpRequestCloner.Describe(current);
                if (!SameOrigin(current.RequestUri!, target))
                {
                    throw new RedirectRefusedException(
                        $"{description} was redirected ({status}) to {Show(target)}, another origin than {Show(current.RequestUri!, pathToo: false)}. Redirects are followed only within the same scheme, host and port, so that the credential is never sent elsewhere; if the new address is genuine, connect with it as the base URI.",
                        Show(target));
                }

                if (hops > MaxRedirects)
                {
                    throw new RedirectRefusedException(
                        $"{description} was redirected more than {MaxRedirects} times (the last redirect, {status}, pointed to {Show(target)}); the server seems to redirect in a loop.",
                        Show(target));
                }

                var toGet = TurnsIntoGet(status, current.Method);
                if (!toGet && !bodyRead)
                {
                    // Read only when a redirect re-sends the body (most requests are never redirected). The layers
                    // above buffered it, so it can be read again after it was sent.
                    body = await HttpRequestCloner.BufferContentAsync(current).ConfigureAwait(false);
                    bodyRead = true;
                }

                var next = HttpRequestCloner.Clone(current, toGet ? null : body);
                next.RequestUri = target;
                if (toGet)
                {
                    next.Method = HttpMethod.Get;

                    // Once turned into a GET, later hops (a 307 after a 303, say) have no body to keep either.
                    body = null;
                    bodyRead = true;
                }

                trace?.Verbose($"{description} -> {status} redirect to {Show(target)}{(toGet && current.Method != HttpMethod.Get ? " (as GET)" : string.Empty)}; followed within the same attempt (redirect {hops} of at most {MaxRedirects})");
                if (!ReferenceEquals(current, request))
                {
                    current.Dispose();
                }

                current = next;
            }
        }
        catch when (!ReferenceEquals(current, request))
        {
            // A hop's own request is this handler's to dispose; the caller's is the caller's.
            current.Dispose();
            throw;
        }
    }

    private static bool IsFollowed(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// Whether the next hop is a GET without a body, by the usual rules: 307 and 308 keep the method and body; 303 turns
    /// anything but HEAD into a GET; 301 and 302 turn a POST into a GET (what browsers and .NET do) and keep others.
    /// </summary>
    private static bool TurnsIntoGet(int status, HttpMethod method) => status switch
    {
        303 => method != HttpMethod.Head && method != HttpMethod.Get,
        301 or 302 => method == HttpMethod.Post,
        _ => false,
    };

    private static bool SameOrigin(Uri from, Uri to) =>
        Uri.Compare(from, to, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// A URI as it may be shown: scheme, host, port and path, without user info or query (either can hold a secret);
    /// a query that was there is shown as <c>?...</c>.
    /// </summary>
    internal static string Show(Uri uri, bool pathToo = true)
    {
        var shown = uri.GetComponents(pathToo ? UriComponents.SchemeAndServer | UriComponents.Path : UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        return pathToo && uri.Query.Length > 1 ? shown + "?..." : shown;
    }
}

/// <summary>
/// A redirect that was not followed: to another origin (the credential would go with it) or one too many. Not an
/// <see cref="HttpRequestException"/>, so the resilience layer does not retry it: the server would answer the same.
/// </summary>
public sealed class RedirectRefusedException : Exception
{
    public RedirectRefusedException()
    {
    }

    public RedirectRefusedException(string message)
        : base(message)
    {
    }

    public RedirectRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RedirectRefusedException(string message, string location)
        : base(message)
    {
        Location = location;
    }

    /// <summary>Where the refused redirect pointed, without user info or query.</summary>
    public string? Location { get; }
}
