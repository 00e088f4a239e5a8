using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Http;
using EnergyData.Khipu;

namespace EnergyData.Tests.Khipu;

/// <summary>Collects what the core reports at Verbose and Debug, from any thread.</summary>
internal sealed class RecordingTrace : IRequestTrace
{
    private readonly ConcurrentQueue<string> verbose = new();
    private readonly ConcurrentQueue<string> debug = new();

    public IReadOnlyList<string> VerboseLines => verbose.ToList();

    public IReadOnlyList<string> DebugLines => debug.ToList();

    public string All => string.Join("\n", verbose.Concat(debug));

    public void Verbose(string message) => verbose.Enqueue(message);

    public void Debug(string message) => debug.Enqueue(message);
}

/// <summary>Answers every request with a canned response, for envelope shapes the emulator does not produce.</summary>
internal sealed class CannedHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, HttpResponseMessage> respond;

    public CannedHandler(HttpStatusCode status, string body, string mediaType = "application/json")
        : this(_ => new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) })
    {
    }

    public CannedHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) => this.respond = respond;

    public int Requests { get; private set; }

    public List<string> Bodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
        return respond(request);
    }

    public static KhipuClient Client(CannedHandler handler) =>
        new(new HttpClient(handler), new Uri("https://api.khipu.test/"), new KhipuClientOptions { MaxAttempts = 3 });
}

internal static class Connections
{
    public const string AccountPassword = "tgr-secret-password-123";

    public static KhipuAccountCredential Account => KhipuAccountCredential.FromUserName("tgr-user", AccountPassword.ToSecureString());

    /// <summary>A connection to the emulator with quick retry delays, so fault tests stay fast.</summary>
    public static EnergyDataConnection ApiKey(EmulatorServer server, Action<ConnectionSettings>? configure = null)
    {
        var settings = new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuApiKey = server.Options.KhipuApiKey.ToSecureString(),
            KhipuAccountCredential = Account,
        };
        Quick(settings);
        configure?.Invoke(settings);
        return EnergyDataConnection.Create(settings);
    }

    public static void Quick(ConnectionSettings settings)
    {
        settings.Resilience.BaseDelay = TimeSpan.FromMilliseconds(5);
        settings.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
        settings.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
        settings.Resilience.TotalTimeout = TimeSpan.FromSeconds(60);
        settings.Resilience.CircuitBreakerMinimumThroughput = 1000;
    }
}
