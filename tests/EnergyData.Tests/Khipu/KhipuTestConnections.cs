using System;
using System.Collections.Concurrent;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Http;

namespace EnergyData.Tests.Khipu;

/// <summary>Connections to the emulator through the real core, with short backoff so retry tests stay quick.</summary>
internal static class KhipuTestConnections
{
    public static ResilienceOptions FastResilience(int maxRetryAttempts = 3) => new()
    {
        MaxRetryAttempts = maxRetryAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(20),
        UseJitter = false,
        AttemptTimeout = TimeSpan.FromSeconds(30),
        TotalTimeout = TimeSpan.FromSeconds(60),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
    };

    public static EnergyDataConnection WithApiKey(EmulatorServer server, Action<ConnectionSettings>? configure = null) =>
        Create(server, settings => settings.KhipuApiKey = server.State.Options.KhipuApiKey.ToSecureString(), configure);

    public static EnergyDataConnection WithBearer(EmulatorServer server, string token, Action<ConnectionSettings>? configure = null) =>
        Create(server, settings => settings.KhipuAccessToken = token.ToSecureString(), configure);

    public static EnergyDataConnection WithClientCredentials(EmulatorServer server, ClientAuthenticationMethod method = ClientAuthenticationMethod.Body, Action<ConnectionSettings>? configure = null) =>
        Create(
            server,
            settings =>
            {
                settings.KhipuClientId = server.State.Options.KhipuClientId;
                settings.KhipuClientSecret = server.State.Options.KhipuClientSecret.ToSecureString();
                settings.KhipuTokenUri = new Uri(server.BaseUri, KhipuEndpoints.TokenPath);
                settings.KhipuClientAuthentication = method;
            },
            configure);

    private static EnergyDataConnection Create(EmulatorServer server, Action<ConnectionSettings> credential, Action<ConnectionSettings>? configure)
    {
        var settings = new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            Resilience = FastResilience(),
        };
        credential(settings);
        configure?.Invoke(settings);
        return EnergyDataConnection.Create(settings);
    }
}

/// <summary>Collects what the core reports at Verbose and Debug (thread-safe, as the interface requires).</summary>
internal sealed class RecordingTrace : IRequestTrace
{
    private readonly ConcurrentQueue<string> verbose = new();
    private readonly ConcurrentQueue<string> debug = new();

    public string VerboseText => string.Join("\n", verbose);

    public string DebugText => string.Join("\n", debug);

    public void Verbose(string message) => verbose.Enqueue(message);

    public void Debug(string message) => debug.Enqueue(message);
}
