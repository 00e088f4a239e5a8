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

    /// <summary>
    /// Largest part of the body <see cref="JsonStreamReader.PeekFollowingPropertiesAsync"/> buffers to find the fields
    /// an object writes after the value being streamed (counted from the current token to the end of the object, and
    /// never more than MaxValueBytes); 0 turns the look-ahead off. Only a caller that needs such a field and has not
    /// seen it yet asks for the look-ahead, so a body in its document's own order costs nothing.
    /// </summary>
    public int MaxLookAheadBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Cap on bytes read from the stream; exceeding it throws <see cref="JsonStreamLimitException"/>.</summary>
    public long MaxTotalBytes { get; set; } = long.MaxValue;

    /// <summary>Deepest nesting of objects and arrays accepted.</summary>
    public int MaxDepth { get; set; } = 64;
}
