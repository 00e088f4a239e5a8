using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using EnergyData.Auth;

namespace EnergyData.Http;

public static class EnergyDataHttpClientFactory
{
    private static readonly ProductInfoHeaderValue UserAgent = new("EnergyData-PowerShell", ModuleVersion());

    /// <summary>
    /// One client per connection, kept for the connection's lifetime so its connection pool is reused:
    /// ResilienceHandler, then AuthenticationHandler (when <paramref name="authentication"/> is given), then
    /// RedirectHandler, then <paramref name="innerHandler"/> or a new HttpClientHandler. Redirects are followed below
    /// the authentication layer so the re-sent request keeps its credential (see <see cref="RedirectHandler"/>); a
    /// supplied <paramref name="innerHandler"/> must therefore not follow redirects itself. The client owns and
    /// disposes the whole chain, including a supplied <paramref name="innerHandler"/>.
    /// </summary>
    public static HttpClient Create(
        ResilienceOptions options,
        IAuthenticationProvider? authentication,
        HttpMessageHandler? innerHandler = null,
        TimeProvider? timeProvider = null)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        var resilience = new ResilienceHandler(options, timeProvider);
        var transport = new RedirectHandler { InnerHandler = innerHandler ?? CreateTransport() };
        if (authentication is null)
        {
            resilience.InnerHandler = transport;
        }
        else
        {
            resilience.InnerHandler = new AuthenticationHandler(authentication) { InnerHandler = transport };
        }

        // The pipeline owns every timeout; HttpClient's own 100 s default would cut long Khipu scrapes short.
        var client = new HttpClient(resilience, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        return client;
    }

    internal static DecompressionMethods SupportedDecompression()
    {
        var methods = DecompressionMethods.GZip | DecompressionMethods.Deflate;

        // The netstandard2.0 enum has no Brotli member; .NET Core 3.0+ does (value 4), .NET Framework rejects it.
        if (Enum.IsDefined(typeof(DecompressionMethods), "Brotli"))
        {
            methods |= (DecompressionMethods)Enum.Parse(typeof(DecompressionMethods), "Brotli");
        }

        return methods;
    }

    /// <summary>Connections per server the transport allows: enough for the highest -ThrottleLimit.</summary>
    internal const int MaxConnectionsPerServer = 64;

    /// <summary>
    /// The transport: no redirects of its own (it would drop Authorization on the way, see
    /// <see cref="RedirectHandler"/>), decompression, and enough connections per server.
    /// </summary>
    internal static HttpClientHandler CreateTransport()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = SupportedDecompression() };
        try
        {
            // .NET Framework defaults to 2 connections per server (ServicePointManager.DefaultConnectionLimit),
            // which would serialise -ThrottleLimit 16 on Windows PowerShell 5.1; .NET (Core) has no limit.
            if (handler.MaxConnectionsPerServer < MaxConnectionsPerServer)
            {
                handler.MaxConnectionsPerServer = MaxConnectionsPerServer;
            }
        }
        catch (PlatformNotSupportedException)
        {
            // Framework builds before 4.7.1 do not expose the setting; they keep their default.
        }

        return handler;
    }

    private static string ModuleVersion()
    {
        var version = typeof(EnergyDataHttpClientFactory).Assembly.GetName().Version ?? new Version(0, 0, 0);
        return version.ToString(3);
    }
}
