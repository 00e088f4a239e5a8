namespace EnergyData.Khipu;

public sealed class KhipuClientOptions
{
    /// <summary>Billed attempts per call across every retry layer (HTTP faults and RETRY_IMMEDIATELY).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How often a <c>Status: ERROR</c> of type RETRY_IMMEDIATELY is retried, within <see cref="MaxAttempts"/>.</summary>
    public int RetryImmediatelyLimit { get; set; } = 2;

    /// <summary>The default of <see cref="MaxResponseBytes"/>; the callback receiver's body limit follows it.</summary>
    public const long DefaultMaxResponseBytes = 256L * 1024 * 1024;

    /// <summary>A response body larger than this is refused (protects memory from a misbehaving server).</summary>
    public long MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

    /// <summary>How much of an error body is read to explain the error.</summary>
    public int MaxErrorBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How much of each body Debug shows.</summary>
    public int DebugBodyBytes { get; set; } = 16 * 1024;
}
