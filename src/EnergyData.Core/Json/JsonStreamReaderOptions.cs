namespace EnergyData.Json;

/// <summary>Buffering and safety limits for <see cref="JsonStreamReader"/>.</summary>
public sealed class JsonStreamReaderOptions
{
    /// <summary>Size of the first pooled buffer; it grows only when one value or token does not fit.</summary>
    public int InitialBufferSize { get; set; } = 16 * 1024;

    /// <summary>
    /// Largest single value that may be buffered whole (by ReadValueAsync, ReadElementAsync, ReadArrayAsync
    /// elements, or one token). Skipping is incremental and is not bounded by this.
    /// </summary>
    public int MaxValueBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Cap on bytes read from the stream; exceeding it throws <see cref="JsonStreamLimitException"/>.</summary>
    public long MaxTotalBytes { get; set; } = long.MaxValue;

    /// <summary>Deepest nesting of objects and arrays accepted.</summary>
    public int MaxDepth { get; set; } = 64;
}
