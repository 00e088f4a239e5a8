using System;

namespace EnergyData.Neu;

public sealed class NeuClientOptions
{
    /// <summary>Attempts per request, retries included (shared with the resilience handler).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Cap on one response body. Streamed results need no buffer, so the default is no cap.</summary>
    public long MaxResponseBytes { get; set; } = long.MaxValue;

    /// <summary>Largest single JSON value buffered whole (one row, one page object).</summary>
    public int MaxValueBytes { get; set; } = 64 * 1024 * 1024;

    public int MaxErrorBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How much of a body is shown at Debug.</summary>
    public int DebugBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Safety stop for paged endpoints whose server never reports a last page.</summary>
    public int MaxPages { get; set; } = 10_000;

    /// <summary>
    /// Invoke-NeuRequest holds up to this many items of a response, to give every one of them the same columns,
    /// before it writes any (see <see cref="NeuClient.InvokeAsync"/>); later items of a response get the columns of
    /// those held.
    /// </summary>
    public int ColumnScanItems { get; set; } = 1000;

    /// <summary>
    /// Invoke-NeuRequest holds items of a response only until their JSON text (RawJson) comes to this many characters
    /// in all: the item that reaches it is the last one held.
    /// </summary>
    public long ColumnScanChars { get; set; } = 4L * 1024 * 1024;

    /// <summary>The clock used for the token expiry check.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;
}
