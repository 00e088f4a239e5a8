using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Json;

/// <summary>
/// Reads JSON tokens from a <see cref="Stream"/> while it is still arriving, holding in memory only the
/// current token or the value being handed to a parser. The stream is not disposed by this reader.
/// </summary>
/// <remarks>
/// <see cref="Utf8JsonReader"/> is a ref struct and cannot live across awaits, so each call rebuilds one over the
/// unconsumed part of a pooled buffer from the saved <see cref="JsonReaderState"/>. Bytes from the start of the
/// current token onwards stay in the buffer: the token getters read them, and ReadValueAsync needs the whole value
/// from its first token. <see cref="PeekFollowingPropertiesAsync"/> is the one exception to holding only the current
/// value: it buffers the rest of an enclosing object, up to MaxLookAheadBytes, for the fields written after a streamed
/// array.
/// </remarks>
public sealed partial class JsonStreamReader : IDisposable
{
    private static readonly JsonValueParser<JsonElement> ElementParser =
        static (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);


    // Elements parsed in one synchronous pass before they are handed out: a consumer that passes each batch on to
    // another thread (the pump) then wakes it once per batch, so larger batches cost fewer wake-ups (measured: 128
    // against 32 raised the stream benchmark by some 10-30 %); the batch is also bounded by what is buffered.
    private const int ElementBatch = 128;

    private readonly Stream _stream;
    private readonly int _maxValueBytes;
    private readonly int _maxLookAheadBytes;
    private readonly long _maxTotalBytes;
    private readonly int _bufferCap;
    private readonly JsonReaderOptions _readerOptions;

    private byte[] _buffer;
    private int _length;
    private int _consumed;
    private int _tokenStart;
    private int _tokenEnd;
    private long _bufferOrigin;
    private long _totalRead;
    private bool _isFinalBlock;
    private bool _bomChecked;
    private bool _disposed;
    private JsonReaderState _state;

    // A failure of the stream met by a look-ahead, raised by the next read of the stream.
    private ExceptionDispatchInfo? _deferredFailure;
    private JsonTokenType _tokenType;
    private int _depth;
    private int _largestValue;

    public JsonStreamReader(Stream stream, JsonStreamReaderOptions? options = null)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        options ??= new JsonStreamReaderOptions();
        if (options.InitialBufferSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.InitialBufferSize, "InitialBufferSize must be positive.");
        }

        if (options.MaxValueBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxValueBytes, "MaxValueBytes must be positive.");
        }

        if (options.MaxTotalBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxTotalBytes, "MaxTotalBytes must not be negative.");
        }

        if (options.MaxLookAheadBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLookAheadBytes, "MaxLookAheadBytes must not be negative.");
        }

        if (options.MaxDepth <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDepth, "MaxDepth must be positive.");
        }

        _maxValueBytes = options.MaxValueBytes;
        _maxTotalBytes = options.MaxTotalBytes;

        // The buffer never holds more than MaxValueBytes (FillAsync refuses to), so neither can a look-ahead.
        _maxLookAheadBytes = Math.Min(options.MaxLookAheadBytes, options.MaxValueBytes);
        _bufferCap = Math.Max(options.MaxValueBytes, options.InitialBufferSize);
        _readerOptions = new JsonReaderOptions { MaxDepth = options.MaxDepth };
        _state = new JsonReaderState(_readerOptions);
        _buffer = ArrayPool<byte>.Shared.Rent(options.InitialBufferSize);
    }

    private interface IValueInvoker<out T>
    {
        T Invoke(ref Utf8JsonReader reader, ReadOnlySpan<byte> rawValue);
    }

    /// <summary>The current token; <see cref="JsonTokenType.None"/> before the first read.</summary>
    public JsonTokenType TokenType => _tokenType;

    /// <summary>Depth of the current token, as <see cref="Utf8JsonReader.CurrentDepth"/> reports it.</summary>
    public int CurrentDepth => _depth;

    /// <summary>Bytes of the stream consumed so far (including a BOM).</summary>
    public long BytesConsumed => _bufferOrigin + _consumed;

    /// <summary>Moves to the next token. Returns false at the clean end of the data.</summary>
    /// <exception cref="JsonException">The JSON is malformed or truncated.</exception>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return _bomChecked && TryReadToken(out bool hasToken)
            ? new ValueTask<bool>(hasToken)
            : ReadSlowAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the stream ends before its first JSON token: it is empty, or holds nothing but white space (after a
    /// byte order mark). An HTTP answer without a body (204 No Content, Content-Length: 0) is such a stream, which
    /// <see cref="ReadAsync"/> refuses as invalid JSON. Reads only up to the first token's first byte and does not
    /// move the reader; call it before the first read.
    /// </summary>
    public async ValueTask<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_tokenType != JsonTokenType.None)
        {
            throw WrongToken("no token (IsEmptyAsync is asked before the first read)");
        }

        if (!_bomChecked)
        {
            await ConsumeBomAsync(cancellationToken).ConfigureAwait(false);
        }

        while (IsWhiteSpace(_buffer.AsSpan(_consumed, _length - _consumed)))
        {
            if (_isFinalBlock)
            {
                return true;
            }

            await FillAsync(_consumed, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>The current PropertyName or String token, unescaped; null for a Null token.</summary>
    public string? GetString()
    {
        ThrowIfDisposed();
        switch (_tokenType)
        {
            case JsonTokenType.PropertyName:
            case JsonTokenType.String:
                var reader = CreateTokenReader();
                return reader.GetString();
            case JsonTokenType.Null:
                return null;
            default:
                throw WrongToken("a string");
        }
    }

    /// <summary>Whether the current PropertyName or String token equals <paramref name="text"/> (ordinal, after unescaping).</summary>
    public bool ValueTextEquals(string text)
    {
        ThrowIfDisposed();
        if (_tokenType is not (JsonTokenType.PropertyName or JsonTokenType.String))
        {
            throw WrongToken("a string");
        }

        var reader = CreateTokenReader();
        return reader.ValueTextEquals(text);
    }

    public bool TryGetInt64(out long value)
    {
        var reader = CreateNumberReader();
        return reader.TryGetInt64(out value);
    }

    public bool TryGetDecimal(out decimal value)
    {
        var reader = CreateNumberReader();
        return reader.TryGetDecimal(out value);
    }

    public bool TryGetDouble(out double value)
    {
        var reader = CreateNumberReader();
        return reader.TryGetDouble(out value);
    }

    public bool GetBoolean()
    {
        ThrowIfDisposed();
        return _tokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw WrongToken("a boolean"),
        };
    }

    /// <summary>
    /// On a PropertyName, skips its value; on StartObject/StartArray, moves to the matching end token; on a scalar,
    /// does nothing. Reads token by token, so a skipped value of any size needs only one token's worth of buffer.
    /// </summary>
    public ValueTask SkipAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_tokenType == JsonTokenType.PropertyName && !(_bomChecked && TryReadToken(out _)))
        {
            return SkipPropertyValueSlowAsync(cancellationToken);
        }

        if (_tokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return default;
        }

        // Captured before the first attempt: a partial skip commits progress and moves the current depth.
        int targetDepth = _depth;
        return TrySkipBuffered(targetDepth) ? default : SkipRestAsync(targetDepth, cancellationToken);
    }

    /// <summary>
    /// Buffers the whole value starting at the current token (or at the value of the current PropertyName) and
    /// passes a reader positioned on its first token to <paramref name="parser"/>. Afterwards this reader is on the
    /// value's last token.
    /// </summary>
    /// <exception cref="JsonStreamLimitException">The value is larger than MaxValueBytes.</exception>
    public ValueTask<T> ReadValueAsync<T>(JsonValueParser<T> parser, CancellationToken cancellationToken = default)
    {
        if (parser is null)
        {
            throw new ArgumentNullException(nameof(parser));
        }

        return ReadValueCoreAsync<T, PlainInvoker<T>>(new PlainInvoker<T>(parser), cancellationToken);
    }

    /// <inheritdoc cref="ReadValueAsync{T}(JsonValueParser{T}, CancellationToken)"/>
    public ValueTask<T> ReadValueAsync<T>(JsonRawValueParser<T> parser, CancellationToken cancellationToken = default)
    {
        if (parser is null)
        {
            throw new ArgumentNullException(nameof(parser));
        }

        return ReadValueCoreAsync<T, RawInvoker<T>>(new RawInvoker<T>(parser), cancellationToken);
    }

    /// <summary>Reads the current value as a <see cref="JsonElement"/> that does not depend on this reader.</summary>
    public ValueTask<JsonElement> ReadElementAsync(CancellationToken cancellationToken = default) =>
        ReadValueAsync(ElementParser, cancellationToken);

    /// <summary>
    /// On StartArray (or a PropertyName whose value is an array), yields each element as soon as it is complete.
    /// Afterwards this reader is on the EndArray.
    /// </summary>
    public IAsyncEnumerable<T> ReadArrayAsync<T>(
        JsonValueParser<T> parser,
        CancellationToken cancellationToken = default) =>
        AsyncBatches.FlattenAsync(ReadArrayBatchesAsync(parser, cancellationToken), cancellationToken);

    /// <summary>
    /// As <see cref="ReadArrayAsync{T}"/>, but hands out the elements in batches: those already buffered are parsed
    /// in one pass and come together, so a consumer of millions of small elements pays the asynchronous machinery
    /// once per batch instead of once per element. A batch is never held back to fill up: the first element comes
    /// as soon as its bytes are in. Each batch's array is reused: it is valid until the next batch is asked for.
    /// </summary>
    public IAsyncEnumerable<ArraySegment<T>> ReadArrayBatchesAsync<T>(
        JsonValueParser<T> parser,
        CancellationToken cancellationToken = default) =>
        ReadArrayBatchesAsync(parser, helperParser: null, cancellationToken);

    /// <summary>
    /// As <see cref="ReadArrayBatchesAsync{T}(JsonValueParser{T}, CancellationToken)"/>; with a
    /// <paramref name="helperParser"/>, a large buffered stretch of object elements is parsed by two threads at once
    /// (see <see cref="TryStartParseAhead"/>): the elements, their order and every error stay as they are without it.
    /// </summary>
    /// <param name="parser">Parses each element on the thread that enumerates.</param>
    /// <param name="helperParser">
    /// Parses elements on another thread at the same time as <paramref name="parser"/>; it must not share mutable state
    /// with it (a second instance of the same parser), or null to parse on one thread.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration between batches.</param>
    public async IAsyncEnumerable<ArraySegment<T>> ReadArrayBatchesAsync<T>(
        JsonValueParser<T> parser,
        JsonValueParser<T>? helperParser,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (parser is null)
        {
            throw new ArgumentNullException(nameof(parser));
        }

        ThrowIfDisposed();
        if (_tokenType == JsonTokenType.PropertyName && !await ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw UnexpectedEnd();
        }

        if (_tokenType != JsonTokenType.StartArray)
        {
            throw WrongToken("an array");
        }

        int arrayDepth = _depth;
        var invoker = new PlainInvoker<T>(parser);
        var parsed = new T[ElementBatch];
        var ahead = helperParser is null ? null : StartParallelArray(helperParser, arrayDepth);
        long retryParseAheadAt = 0;
        int count = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();

            // After a shared stretch that failed (a scalar element, an element the parser cannot take on a partial
            // buffer, an error, a wrong guess), this thread alone reads on to where that stretch's helper had started,
            // so a body that keeps failing costs one helper run per stretch, not one per element.
            if (ahead is not null && count < parsed.Length && BytesConsumed >= retryParseAheadAt && TryStartParseAhead(ahead))
            {
                // This thread parses up to where the helper started; the helper's elements count only if this thread
                // ends an element exactly there, which proves the helper started on an element of this array.
                bool arrayEndedBefore = false;
                try
                {
                    bool halfDone;
                    do
                    {
                        int added = ParseBufferedElements(parser, arrayDepth, parsed, count, ahead.MainEnd, out arrayEndedBefore);
                        count += added;
                        halfDone = added == 0 || arrayEndedBefore || IsAtParseAheadStart(ahead);
                        if (count > 0 && (count == parsed.Length || halfDone))
                        {
                            yield return new ArraySegment<T>(parsed, 0, count);
                            Array.Clear(parsed, 0, count);
                            count = 0;
                            cancellationToken.ThrowIfCancellationRequested();
                            ThrowIfDisposed();
                        }
                    }
                    while (!halfDone);

                    await ahead.WhenDone().ConfigureAwait(false);
                }
                finally
                {
                    // Only when the consumer stops early does this wait here; otherwise the helper is done by now.
                    ahead.Join();
                }

                if (arrayEndedBefore)
                {
                    ahead.Discard();
                    yield break;
                }

                if (!IsAtParseAheadStart(ahead) || ahead.Count == 0)
                {
                    retryParseAheadAt = _bufferOrigin + ahead.MainEnd + 1;
                    ahead.Discard();
                    continue;
                }

                CommitParseAhead(ahead);
                try
                {
                    for (int start = 0; start < ahead.Count; start += ElementBatch)
                    {
                        var batch = ahead.Batch(start);
                        yield return batch;
                        Array.Clear(batch.Array!, batch.Offset, batch.Count);
                        cancellationToken.ThrowIfCancellationRequested();
                        ThrowIfDisposed();
                    }
                }
                finally
                {
                    // Also when the consumer stops in the middle: the helper's elements are not kept past their batch.
                    ahead.Discard();
                }

                continue;
            }

            // Elements already buffered are parsed in one pass with one reader; the careful path below takes the rest.
            count += ParseBufferedElements(parser, arrayDepth, parsed, count, limit: -1, out bool arrayEnded);
            if (arrayEnded)
            {
                if (count > 0)
                {
                    yield return new ArraySegment<T>(parsed, 0, count);
                }

                yield break;
            }

            if (count == parsed.Length)
            {
                yield return new ArraySegment<T>(parsed, 0, count);

                // The consumer is done with this batch: let go of its elements.
                Array.Clear(parsed, 0, count);
                count = 0;
                continue;
            }

            // The careful path, one element. What it parses from the buffer joins the batch; the batch is handed out
            // before anything that waits for the stream (no element is held back while more bytes are awaited) and
            // before an error is raised (every element before a bad one reaches the consumer).
            bool tokenBuffered = false;
            bool hasToken = false;
            bool elementParsed = false;
            ExceptionDispatchInfo? failure = null;
            try
            {
                tokenBuffered = TryReadToken(out hasToken);
                if (tokenBuffered && hasToken && !(_tokenType == JsonTokenType.EndArray && _depth == arrayDepth))
                {
                    elementParsed = TryReadBufferedValue<T, PlainInvoker<T>>(invoker, out parsed[count]);
                }
            }
#pragma warning disable CA1031 // Not swallowed: raised again right after the elements before it are handed out.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            if (elementParsed)
            {
                count++;
                continue;
            }

            if (count > 0)
            {
                yield return new ArraySegment<T>(parsed, 0, count);
                Array.Clear(parsed, 0, count);
                count = 0;
                ThrowIfDisposed();
            }

            failure?.Throw();
            if (!tokenBuffered)
            {
                hasToken = await ReadSlowAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!hasToken)
            {
                throw UnexpectedEnd();
            }

            if (_tokenType == JsonTokenType.EndArray && _depth == arrayDepth)
            {
                yield break;
            }

            // Read just now, or buffered but not whole: either way the element may still need bytes from the stream.
            if (tokenBuffered || !TryReadBufferedValue<T, PlainInvoker<T>>(invoker, out parsed[0]))
            {
                parsed[0] = await ReadValueSlowAsync<T, PlainInvoker<T>>(invoker, advance: false, cancellationToken).ConfigureAwait(false);
            }

            count = 1;
        }
    }

    /// <summary>
    /// Looks ahead, without moving this reader, for properties of the object around the current token that are
    /// written after it: a server that sorts its keys puts <c>id_account</c> after <c>data</c>, and the rows of data
    /// are streamed before the reader gets there. The reader stands on a property name or on the first token of its
    /// value (the array about to be streamed, say). The rest of the enclosing object is read into the buffer, at most
    /// MaxLookAheadBytes counted from the current token, and the names of its own properties are compared with
    /// <paramref name="names"/>: as written first, else in any case, as the readers of this module match names.
    /// </summary>
    /// <returns>
    /// One entry per name, in the order of <paramref name="names"/>: the value of the last property of that name after
    /// the current token, or null when none follows. The whole result is null when the rest of the object is larger
    /// than MaxLookAheadBytes, is not valid JSON, ends with the stream, or would pass MaxTotalBytes: what was read
    /// stays buffered, and reading on raises any error where it would have been raised without the look-ahead.
    /// </returns>
    /// <exception cref="InvalidOperationException">The current token is not inside an object.</exception>
    public async ValueTask<JsonElement?[]?> PeekFollowingPropertiesAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        if (names is null)
        {
            throw new ArgumentNullException(nameof(names));
        }

        ThrowIfDisposed();
        if (_tokenType is JsonTokenType.None or JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.Comment || _depth == 0)
        {
            throw WrongToken("a property name or the first token of its value");
        }

        var scan = new LookAheadScan(_bufferOrigin + _consumed, _state, _depth - 1, names.Count);
        long lookAheadStart = _bufferOrigin + _tokenStart;
        if (!await LookAheadAsync(scan, buffered => ScanToEnclosingEnd(buffered, names), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // A read may bring in more than the limit at once; the limit still decides, so that the outcome does not
        // depend on how the stream happened to be chunked.
        if (scan.End - lookAheadStart > _maxLookAheadBytes)
        {
            return null;
        }

        var values = new JsonElement?[names.Count];
        int objectEnd = (int)(scan.End - _bufferOrigin);
        for (int i = 0; i < values.Length; i++)
        {
            if (scan.ValueStarts[i] < 0)
            {
                continue;
            }

            int valueStart = (int)(scan.ValueStarts[i] - _bufferOrigin);
            var valueReader = new Utf8JsonReader(_buffer.AsSpan(valueStart, objectEnd - valueStart), isFinalBlock: true, new JsonReaderState(_readerOptions));
            values[i] = JsonElement.ParseValue(ref valueReader);
        }

        return values;
    }

    /// <summary>
    /// Looks, without moving this reader, into the first element of the array it stands on (its StartArray, or the
    /// property name before it), for a caller that reads the elements one way or another by what they are: the
    /// element's own property names are compared with <paramref name="names"/> as in
    /// <see cref="PeekFollowingPropertiesAsync"/>, and the stream is read into the buffer only as far as the first that
    /// matches, at most MaxLookAheadBytes from the current token.
    /// </summary>
    /// <returns>
    /// The index in <paramref name="names"/> of the first of the element's properties named there; -1 when there is
    /// none: the value is no array or is empty, its first element is no object or has none of the names, or the
    /// look-ahead stopped first (its limits, the stream's end, JSON that is not valid: reading on raises any error
    /// where it would have been raised without the look-ahead).
    /// </returns>
    public async ValueTask<int> PeekFirstElementPropertyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        if (names is null)
        {
            throw new ArgumentNullException(nameof(names));
        }

        ThrowIfDisposed();
        if (_tokenType is not (JsonTokenType.StartArray or JsonTokenType.PropertyName))
        {
            throw WrongToken("an array or the property name before one");
        }

        // A property name and the StartArray of its value are at the same depth: the array's.
        var scan = new LookAheadScan(_bufferOrigin + _consumed, _state, _depth, names.Count);
        return await LookAheadAsync(scan, buffered => ScanFirstElement(buffered, names), cancellationToken).ConfigureAwait(false)
            ? scan.FoundName
            : -1;
    }

    /// <summary>Returns the pooled buffer. The stream is left open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // A helper thread may still be reading the buffer (a consumer that stopped early): it is returned after.
        _parseAhead?.Join();
        var buffer = _buffer;
        _buffer = [];
        _length = _consumed = _tokenStart = _tokenEnd = 0;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private async ValueTask<bool> ReadSlowAsync(CancellationToken cancellationToken)
    {
        if (!_bomChecked)
        {
            await ConsumeBomAsync(cancellationToken).ConfigureAwait(false);
        }

        bool hasToken;
        while (!TryReadToken(out hasToken))
        {
            // The current token is being replaced, so its bytes need not survive the refill.
            await FillAsync(_consumed, cancellationToken).ConfigureAwait(false);
        }

        return hasToken;
    }

    private async ValueTask ConsumeBomAsync(CancellationToken cancellationToken)
    {
        while (_length < ByteOrderMark.Utf8.Length && !_isFinalBlock)
        {
            await FillAsync(0, cancellationToken).ConfigureAwait(false);
        }

        if (_buffer.AsSpan(0, _length).StartsWith(ByteOrderMark.Utf8))
        {
            _consumed = _tokenStart = _tokenEnd = ByteOrderMark.Utf8.Length;
        }

        _bomChecked = true;
    }

    /// <summary>Reads one token from the buffered data; false when more data is needed.</summary>
    private bool TryReadToken(out bool hasToken)
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_consumed, _length - _consumed), _isFinalBlock, _state);
        bool read;
        try
        {
            read = reader.Read();
        }
        catch (JsonException ex)
        {
            throw InvalidJson(ex, _bufferOrigin + _consumed);
        }

        if (!read)
        {
            // Utf8JsonReader throws for truncated data in the final block, so false there is the clean end.
            hasToken = false;
            return _isFinalBlock;
        }

        int tokenStart = _consumed + (int)reader.TokenStartIndex;
        int tokenEnd = _consumed + (int)reader.BytesConsumed;
        if (tokenEnd - tokenStart > _maxValueBytes)
        {
            throw ValueTooLarge();
        }

        _tokenStart = tokenStart;
        _consumed = _tokenEnd = tokenEnd;
        _state = reader.CurrentState;
        _tokenType = reader.TokenType;
        _depth = reader.CurrentDepth;
        hasToken = true;
        return true;
    }

    /// <summary>
    /// Runs <paramref name="scanBuffered"/> (true once it has found what it looks for) over what is buffered, reading
    /// more of the stream into the buffer while it needs more: false when it could not finish within the look-ahead's
    /// bounds (MaxLookAheadBytes from the current token, MaxTotalBytes, the stream's end or a failure of it) or met
    /// JSON that is not valid. The current token's bytes stay, so its getters still work afterwards.
    /// </summary>
    private async ValueTask<bool> LookAheadAsync(LookAheadScan scan, Func<LookAheadScan, bool> scanBuffered, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool complete;
            try
            {
                complete = scanBuffered(scan);
            }
            catch (JsonException)
            {
                // Reading on reaches the same bytes and reports them with their position, after the rows before them.
                return false;
            }

            if (complete)
            {
                return true;
            }

            // After a failure of the stream (kept for the next read), a later look-ahead has nothing more to read:
            // raising the failure here would lose the elements already buffered before it.
            if (_isFinalBlock || _deferredFailure is not null || _length - _tokenStart >= _maxLookAheadBytes || _totalRead >= _maxTotalBytes)
            {
                return false;
            }

            try
            {
                await FillAsync(_tokenStart, cancellationToken, withinTotalCap: true).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Not swallowed: the next read of the stream raises it, after what had arrived.
            catch (Exception exception) when (exception is not OutOfMemoryException && !cancellationToken.IsCancellationRequested && _deferredFailure is null)
#pragma warning restore CA1031
            {
                // The body failed (a dropped connection, an idle timeout) while being read ahead: what had arrived
                // before the failure is still handed out, and the failure is raised where reading would have met it.
                _deferredFailure = ExceptionDispatchInfo.Capture(exception);
                return false;
            }
        }
    }

    /// <summary>
    /// Reads the buffered tokens after the last one scanned until the first element of the array at
    /// <see cref="LookAheadScan.ObjectDepth"/> shows one of <paramref name="names"/> among its own properties (left in
    /// <see cref="LookAheadScan.FoundName"/>) or shows it has none (it ends, it is no object, the array is empty);
    /// false when more data is needed. Progress is kept in <paramref name="scan"/>, as in ScanToEnclosingEnd.
    /// </summary>
    private bool ScanFirstElement(LookAheadScan scan, IReadOnlyList<string> names)
    {
        int start = (int)(scan.Position - _bufferOrigin);
        var reader = new Utf8JsonReader(_buffer.AsSpan(start, _length - start), _isFinalBlock, scan.State);
        int arrayDepth = scan.ObjectDepth;
        long committed = 0;
        var committedState = scan.State;
        bool done = false;
        while (!done && reader.Read())
        {
            int depth = reader.CurrentDepth;
            if (depth == arrayDepth + 2 && reader.TokenType == JsonTokenType.PropertyName)
            {
                scan.FoundName = NameIndex(ref reader, names);
                done = scan.FoundName >= 0;
            }
            else if (depth == arrayDepth + 1)
            {
                // The first element's start leads to its names; its end, or an element that is no object, ends the look.
                done = reader.TokenType != JsonTokenType.StartObject;
            }
            else if (depth <= arrayDepth)
            {
                // The array's own start (after a property name) leads to its first element; anything else at its depth is
                // its end (it is empty) or a value that is no array.
                done = reader.TokenType != JsonTokenType.StartArray;
            }

            committed = reader.BytesConsumed;
            committedState = reader.CurrentState;
        }

        scan.Position += committed;
        scan.State = committedState;
        return done;
    }

    /// <summary>
    /// Reads the buffered tokens after the last one scanned, noting where the wanted properties' values start, until
    /// the enclosing object's end; false when more data is needed. Progress is kept in <paramref name="scan"/> (by
    /// stream position, which survives a compaction), so each byte is scanned once however the body is chunked.
    /// </summary>
    private bool ScanToEnclosingEnd(LookAheadScan scan, IReadOnlyList<string> names)
    {
        int start = (int)(scan.Position - _bufferOrigin);
        var reader = new Utf8JsonReader(_buffer.AsSpan(start, _length - start), _isFinalBlock, scan.State);
        long committed = 0;
        var committedState = scan.State;
        bool found = false;
        while (reader.Read())
        {
            if (reader.CurrentDepth == scan.ObjectDepth)
            {
                if (reader.TokenType != JsonTokenType.EndObject)
                {
                    throw new InvalidOperationException(string.Format(
                        CultureInfo.InvariantCulture,
                        "The JSON token at stream byte {0} is inside an array, not an object: there are no properties to look ahead for.",
                        BytesConsumed));
                }

                scan.End = scan.Position + reader.BytesConsumed;
                found = true;
                break;
            }

            if (scan.PendingName >= 0)
            {
                scan.ValueStarts[scan.PendingName] = scan.Position + reader.TokenStartIndex;
                scan.PendingName = -1;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == scan.ObjectDepth + 1)
            {
                scan.PendingName = NameIndex(ref reader, names);
            }

            committed = reader.BytesConsumed;
            committedState = reader.CurrentState;
        }

        scan.Position += committed;
        scan.State = committedState;
        return found;
    }

    /// <summary>Whether <paramref name="bytes"/> hold nothing but JSON's white space (space, tab, CR, LF).</summary>
    private static bool IsWhiteSpace(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index of the current property name in <paramref name="names"/>: as written first, else in any case; -1 for none.</summary>
    private static int NameIndex(ref Utf8JsonReader reader, IReadOnlyList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        string? name;
        try
        {
            name = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // A name that is not valid text: reading on raises this where it would have without the look-ahead.
            return -1;
        }

        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(name, names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private async ValueTask SkipPropertyValueSlowAsync(CancellationToken cancellationToken)
    {
        if (!await ReadSlowAsync(cancellationToken).ConfigureAwait(false))
        {
            throw UnexpectedEnd();
        }

        int targetDepth = _depth;
        if (_tokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !TrySkipBuffered(targetDepth))
        {
            await SkipRestAsync(targetDepth, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SkipRestAsync(int targetDepth, CancellationToken cancellationToken)
    {
        do
        {
            // Only the unread tail is kept, which is what keeps a skip within one token of buffer.
            await FillAsync(_consumed, cancellationToken).ConfigureAwait(false);
        }
        while (!TrySkipBuffered(targetDepth));
    }

    /// <summary>
    /// Reads buffered tokens until the end token at <paramref name="targetDepth"/>, committing progress so that the
    /// skipped bytes can be released; false when more data is needed.
    /// </summary>
    private bool TrySkipBuffered(int targetDepth)
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_consumed, _length - _consumed), _isFinalBlock, _state);
        int goodConsumed = 0;
        int goodTokenStart = 0;
        var goodState = _state;
        bool found = false;
        try
        {
            while (reader.Read())
            {
                goodConsumed = (int)reader.BytesConsumed;
                goodTokenStart = (int)reader.TokenStartIndex;
                goodState = reader.CurrentState;
                if (reader.CurrentDepth == targetDepth)
                {
                    found = true;
                    break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw InvalidJson(ex, _bufferOrigin + _consumed);
        }

        if (goodConsumed > 0)
        {
            _tokenStart = _consumed + goodTokenStart;
            _consumed += goodConsumed;
            _tokenEnd = _consumed;
            _state = goodState;
            _tokenType = reader.TokenType;
            _depth = reader.CurrentDepth;
        }

        return found;
    }

    private ValueTask<T> ReadValueCoreAsync<T, TInvoker>(TInvoker invoker, CancellationToken cancellationToken)
        where TInvoker : struct, IValueInvoker<T>
    {
        ThrowIfDisposed();
        if (_tokenType == JsonTokenType.PropertyName)
        {
            if (!(_bomChecked && TryReadToken(out bool hasToken)))
            {
                return ReadValueSlowAsync<T, TInvoker>(invoker, advance: true, cancellationToken);
            }

            if (!hasToken)
            {
                throw UnexpectedEnd();
            }
        }

        return TryReadBufferedValue<T, TInvoker>(invoker, out T result)
            ? new ValueTask<T>(result)
            : ReadValueSlowAsync<T, TInvoker>(invoker, advance: false, cancellationToken);
    }

    private async ValueTask<T> ReadValueSlowAsync<T, TInvoker>(TInvoker invoker, bool advance, CancellationToken cancellationToken)
        where TInvoker : struct, IValueInvoker<T>
    {
        if (advance && !await ReadSlowAsync(cancellationToken).ConfigureAwait(false))
        {
            throw UnexpectedEnd();
        }

        T result;
        while (!TryReadBufferedValue<T, TInvoker>(invoker, out result))
        {
            await FillAsync(_tokenStart, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// If the whole value starting at the current token is buffered, moves this reader to its last token and runs the
    /// parser on it; false when more data is needed.
    /// </summary>
    private bool TryReadBufferedValue<T, TInvoker>(TInvoker invoker, out T result)
        where TInvoker : struct, IValueInvoker<T>
    {
        int valueStart = _tokenStart;
        switch (_tokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                // Skipping a copy validates the value and finds its end without moving this reader when it is
                // incomplete; the retry after a refill rescans from the value's start, which MaxValueBytes bounds.
                var reader = new Utf8JsonReader(_buffer.AsSpan(_consumed, _length - _consumed), _isFinalBlock, _state);
                bool complete;
                try
                {
                    complete = reader.TrySkip();
                }
                catch (JsonException ex)
                {
                    throw InvalidJson(ex, _bufferOrigin + _consumed);
                }

                if (!complete)
                {
                    result = default!;
                    return false;
                }

                int valueEnd = _consumed + (int)reader.BytesConsumed;
                if (valueEnd - valueStart > _maxValueBytes)
                {
                    throw ValueTooLarge();
                }

                _largestValue = Math.Max(_largestValue, valueEnd - valueStart);

                // Committed before the parser runs so that the position is defined even if the parser throws.
                _consumed = _tokenEnd = valueEnd;
                _tokenStart = valueEnd - 1;
                _state = reader.CurrentState;
                _tokenType = reader.TokenType;
                _depth = reader.CurrentDepth;
                break;
            case JsonTokenType.String:
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
            case JsonTokenType.Null:
                break;
            default:
                throw WrongToken("the first token of a value");
        }

        var rawValue = _buffer.AsSpan(valueStart, _tokenEnd - valueStart);
        var valueReader = new Utf8JsonReader(rawValue, isFinalBlock: true, new JsonReaderState(_readerOptions));
        valueReader.Read();
        result = invoker.Invoke(ref valueReader, rawValue);
        return true;
    }

    /// <summary>
    /// Parses the array elements that are already buffered with a single reader, each tokenized once, while the
    /// buffer very likely holds the next one whole (twice the largest element seen so far, or the end of the
    /// stream). Stops, leaving this reader after the last complete element, at anything it is not sure of: a scalar
    /// element, an element that turns out incomplete, a parser that throws or stops inside its element, invalid JSON.
    /// The careful path then takes that element and reports any error with its stream position.
    /// </summary>
    private int ParseBufferedElements<T>(JsonValueParser<T> parser, int arrayDepth, T[] parsed, int start, int limit, out bool arrayEnded)
    {
        arrayEnded = false;
        if (!_bomChecked || (_largestValue == 0 && !_isFinalBlock))
        {
            return 0;
        }

        // A limit (where a helper thread started parsing) ends the span on an element's end, if the helper started
        // where it should, so the next element need not be known to be whole: the reader stops at the limit.
        bool bounded = limit >= 0;
        var span = _buffer.AsSpan(_consumed, (bounded ? limit : _length) - _consumed);
        var reader = new Utf8JsonReader(span, _isFinalBlock && !bounded, _state);
        int count = start;
        int committed = 0;
        var committedState = _state;
        var committedToken = _tokenType;
        int committedDepth = _depth;
        int elementDepth = arrayDepth + 1;
        while (count < parsed.Length && (bounded || _isFinalBlock || span.Length - committed >= 2 * _largestValue))
        {
            T item;
            long elementStart;
            try
            {
                if (!reader.Read())
                {
                    break;
                }

                if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == arrayDepth)
                {
                    committed = (int)reader.BytesConsumed;
                    committedState = reader.CurrentState;
                    committedToken = JsonTokenType.EndArray;
                    committedDepth = arrayDepth;
                    arrayEnded = true;
                    break;
                }

                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    break;
                }

                elementStart = reader.TokenStartIndex;
                item = parser(ref reader);
            }
#pragma warning disable CA1031 // Any failure is re-raised by the careful path, which runs the parser again on the exact element.
            catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                break;
            }

            if (reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray) || reader.CurrentDepth != elementDepth)
            {
                break;
            }

            int size = (int)(reader.BytesConsumed - elementStart);
            if (size > _maxValueBytes)
            {
                break;
            }

            _largestValue = Math.Max(_largestValue, size);
            parsed[count++] = item;
            committed = (int)reader.BytesConsumed;
            committedState = reader.CurrentState;
            committedToken = reader.TokenType;
            committedDepth = elementDepth;
        }

        if (committed > 0)
        {
            _consumed += committed;
            _tokenStart = _consumed - 1;
            _tokenEnd = _consumed;
            _state = committedState;
            _tokenType = committedToken;
            _depth = committedDepth;
        }

        return count - start;
    }

    /// <summary>
    /// Keeps the bytes from <paramref name="keepFrom"/> on (moved to the front), makes room, and reads once from the
    /// stream; at the end of the stream marks the final block instead. <paramref name="withinTotalCap"/> reads no byte
    /// past MaxTotalBytes (the caller checks that one is left), so that a look-ahead never raises the limit itself.
    /// </summary>
    private async ValueTask FillAsync(int keepFrom, CancellationToken cancellationToken, bool withinTotalCap = false)
    {
        if (_isFinalBlock)
        {
            throw new InvalidOperationException("The JSON reader asked for more data after the end of the stream.");
        }

        _deferredFailure?.Throw();
        Compact(keepFrom);
        if (_length >= _maxValueBytes)
        {
            throw ValueTooLarge();
        }

        // Growing once the kept part fills half the buffer keeps reads large, so rescans of a growing value stay linear overall.
        if (_length > _buffer.Length / 2 && _buffer.Length < _bufferCap)
        {
            Grow();
        }

        int count = _buffer.Length - _length;
        long remaining = _maxTotalBytes - _totalRead;
        if (remaining < count)
        {
            // One byte past the cap tells a stream that is exactly at the cap from one that exceeds it.
            count = withinTotalCap ? (int)remaining : (int)remaining + 1;
        }

        int read = await _stream.ReadAsync(_buffer, _length, count, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            _isFinalBlock = true;
            return;
        }

        _length += read;
        _totalRead += read;
        if (_totalRead > _maxTotalBytes)
        {
            throw new JsonStreamLimitException(string.Format(
                CultureInfo.InvariantCulture,
                "The JSON stream is longer than MaxTotalBytes ({0} bytes).",
                _maxTotalBytes));
        }
    }

    private void Compact(int keepFrom)
    {
        if (keepFrom <= 0)
        {
            return;
        }

        int kept = _length - keepFrom;
        Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, kept);
        _length = kept;
        _consumed -= keepFrom;
        _bufferOrigin += keepFrom;
        if (_tokenStart >= keepFrom)
        {
            _tokenStart -= keepFrom;
            _tokenEnd -= keepFrom;
        }
        else
        {
            // The current token's bytes were dropped; it is about to be replaced.
            _tokenStart = _tokenEnd = _consumed;
        }
    }

    private void Grow() => GrowTo((int)Math.Min((long)_buffer.Length * 2, _bufferCap));

    private void GrowTo(int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_buffer, 0, larger, 0, _length);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private Utf8JsonReader CreateTokenReader()
    {
        // The token's own bytes are a complete JSON value for every scalar token (a property name reads as a string).
        var reader = new Utf8JsonReader(_buffer.AsSpan(_tokenStart, _tokenEnd - _tokenStart), isFinalBlock: true, state: default);
        reader.Read();
        return reader;
    }

    private Utf8JsonReader CreateNumberReader()
    {
        ThrowIfDisposed();
        if (_tokenType != JsonTokenType.Number)
        {
            throw WrongToken("a number");
        }

        return CreateTokenReader();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(JsonStreamReader));
        }
    }

    private InvalidOperationException WrongToken(string expected) =>
        new(string.Format(
            CultureInfo.InvariantCulture,
            "Expected {0} but the current JSON token is {1} (stream byte {2}).",
            expected,
            _tokenType,
            BytesConsumed));

    private JsonStreamLimitException ValueTooLarge() =>
        new(string.Format(
            CultureInfo.InvariantCulture,
            "A single JSON value or token starting at stream byte {0} is larger than MaxValueBytes ({1} bytes).",
            _bufferOrigin + _tokenStart,
            _maxValueBytes));

    private JsonException UnexpectedEnd() =>
        new(string.Format(CultureInfo.InvariantCulture, "The JSON data ended unexpectedly after stream byte {0}.", BytesConsumed));

    /// <summary>
    /// The tokenizer's error with this reader's stream offset. Once a helper thread has parsed part of an array (see
    /// ParseAhead), the reader's state no longer counts the bytes the helper read, so the tokenizer's own "LineNumber:
    /// n | BytePositionInLine: n" would point too early: it is then left out of the message and the exception, and the
    /// stream offset alone says where the error is.
    /// </summary>
    private JsonException InvalidJson(JsonException inner, long streamOffset)
    {
        var message = inner.Message;
        if (_positionSkipped)
        {
            var position = string.Format(CultureInfo.InvariantCulture, " LineNumber: {0} | BytePositionInLine: {1}.", inner.LineNumber, inner.BytePositionInLine);
            if (message.EndsWith(position, StringComparison.Ordinal))
            {
                message = message.Substring(0, message.Length - position.Length);
            }
        }

        return new JsonException(
            string.Format(CultureInfo.InvariantCulture, "Invalid or truncated JSON after stream byte {0}: {1}", streamOffset, message),
            inner.Path,
            _positionSkipped ? null : inner.LineNumber,
            _positionSkipped ? null : inner.BytePositionInLine,
            inner);
    }

    /// <summary>How far a look-ahead has scanned, and what it found: positions are in stream bytes.</summary>
    private sealed class LookAheadScan(long position, JsonReaderState state, int objectDepth, int nameCount)
    {
        public long Position { get; set; } = position;

        public JsonReaderState State { get; set; } = state;

        /// <summary>The depth of the object whose properties are looked for (of the array, for its first element's).</summary>
        public int ObjectDepth { get; } = objectDepth;

        /// <summary>The name index of the property whose value the next token starts, or -1.</summary>
        public int PendingName { get; set; } = -1;

        /// <summary>The name index of the first element's property found by a look into it, or -1.</summary>
        public int FoundName { get; set; } = -1;

        /// <summary>Per name, the stream position where the value of its last property so far starts, or -1.</summary>
        public long[] ValueStarts { get; } = CreateValueStarts(nameCount);

        /// <summary>Just after the enclosing object's closing brace, once found.</summary>
        public long End { get; set; } = -1;

        private static long[] CreateValueStarts(int count)
        {
            var starts = new long[count];
            starts.AsSpan().Fill(-1L);
            return starts;
        }
    }

    private readonly struct PlainInvoker<T>(JsonValueParser<T> parser) : IValueInvoker<T>
    {
        public T Invoke(ref Utf8JsonReader reader, ReadOnlySpan<byte> rawValue) => parser(ref reader);
    }

    private readonly struct RawInvoker<T>(JsonRawValueParser<T> parser) : IValueInvoker<T>
    {
        public T Invoke(ref Utf8JsonReader reader, ReadOnlySpan<byte> rawValue) => parser(ref reader, rawValue);
    }
}
