namespace EnergyData.Emulator;

/// <summary>Behaviour switches. Tests change them on <see cref="EmulatorState.Options"/>; Reset restores the start values.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Server-side latency added to every API request (not to control endpoints).</summary>
    public int LatencyMilliseconds { get; set; }

    /// <summary>Keeps every API request body in <see cref="RequestCounters.Bodies"/> (for per-input attempt counts).</summary>
    public bool RecordRequestBodies { get; set; }

    /// <summary>Delay before an asynchronous Khipu result is POSTed to its CallbackUrl.</summary>
    public int CallbackDelayMilliseconds { get; set; } = 50;

    /// <summary>The Khipu API key the emulator accepts in <c>x-api-key</c>.</summary>
    public string KhipuApiKey { get; set; } = "emulator-khipu-api-key";

    /// <summary>OAuth2 client credentials accepted at <c>_emulator/oauth/token</c>.</summary>
    public string KhipuClientId { get; set; } = "emulator-client";

    public string KhipuClientSecret { get; set; } = "emulator-client-secret";

    /// <summary>Lifetime of issued access tokens, in seconds.</summary>
    public int KhipuTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>The NEU bearer token's subject; the emulator signs nothing, it checks the token it issued.</summary>
    public string NeuToken { get; set; } = EmulatorTokens.CreateJwt("neu-emulator", System.DateTimeOffset.UtcNow.AddDays(30));

    public EmulatorOptions Clone() => (EmulatorOptions)MemberwiseClone();
}
