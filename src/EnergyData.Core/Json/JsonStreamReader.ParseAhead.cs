using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;

namespace EnergyData.Json;

/// <summary>
/// Parsing one array's elements on two threads: while this reader's thread parses the first half of a large buffered
/// stretch, a helper parses the second half from a guessed element start. The guess is the first <c>} , {</c> after
/// the middle, which is an element boundary unless it sits inside a string; it is proved when this thread's own
/// reader ends an element exactly at that <c>}</c>, and the helper's elements are otherwise thrown away and parsed
/// again here. Only what the helper parsed whole and valid counts: it stops at anything it is not sure of, and this
/// thread goes on from there, so an error is raised where, and as, it would be raised on one thread.
/// </summary>
public sealed partial class JsonStreamReader
{
    // Below this many buffered, unparsed bytes one thread parses: the hand-off to a helper and the wait for it cost
    // some microseconds, worth it for hundreds of elements, not for a few.
    private const int MinParseAheadBytes = 64 * 1024;

    // A parallel array is read into a buffer this large (when MaxValueBytes allows), so that a refill brings a
    // stretch long enough to share: the read-ahead holds 256 KiB of the body.
    private const int ParseAheadBufferBytes = 512 * 1024;

    private ParseAheadWork? _parseAhead;

    // Set once a helper's elements are taken: the tokenizer's line and position count from the reader's state, which
    // then lags the bytes the helper read.
    private bool _positionSkipped;

    private ParseAhead<T>? StartParallelArray<T>(JsonValueParser<T> helperParser, int arrayDepth)
    {
        int elementDepth = arrayDepth + 1;

        // The helper reads each element as a document of its own, starting at depth 0, so it is allowed as many
        // levels as this reader has left below the element: MaxDepth is enforced exactly as on one thread.
        int helperMaxDepth = _readerOptions.MaxDepth - elementDepth;
        if (helperMaxDepth < 1)
        {
            return null;
        }

        if (_buffer.Length < ParseAheadBufferBytes && _bufferCap >= ParseAheadBufferBytes)
        {
            GrowTo(ParseAheadBufferBytes);
        }

        var ahead = new ParseAhead<T>(helperParser, elementDepth, new JsonReaderOptions { MaxDepth = helperMaxDepth }, _maxValueBytes);
        _parseAhead = ahead;
        return ahead;
    }

    /// <summary>
    /// Starts the helper on the second half of what is buffered, if that is large enough and an element boundary is
    /// found after its middle. The reader is between two elements of the array (where the batch loop always is).
    /// </summary>
    private bool TryStartParseAhead<T>(ParseAhead<T> ahead)
    {
        int unparsed = _length - _consumed;
        if (!_bomChecked || _largestValue == 0 || unparsed < MinParseAheadBytes || unparsed < 8 * _largestValue)
        {
            return false;
        }

        // Half of what is buffered, but no more than a normal buffer's half: after a look-ahead the buffer can hold
        // megabytes, and the helper's rows wait in memory until this thread's half is handed out.
        int half = Math.Min(unparsed / 2, ParseAheadBufferBytes / 2);
        int from = _consumed + half;
        while (true)
        {
            int close = _buffer.AsSpan(from, _length - from).IndexOf((byte)'}');
            if (close < 0)
            {
                return false;
            }

            int mainEnd = from + close + 1;
            int comma = SkipWhitespace(_buffer, mainEnd, _length);
            if (comma < _length && _buffer[comma] == (byte)',')
            {
                int helperStart = SkipWhitespace(_buffer, comma + 1, _length);
                if (helperStart < _length && _buffer[helperStart] == (byte)'{')
                {
                    int helperEnd = Math.Min(_length, helperStart + half);
                    if (helperEnd - helperStart < 2 * _largestValue)
                    {
                        return false;
                    }

                    ahead.Start(_buffer, mainEnd, helperStart, helperEnd, _isFinalBlock && helperEnd == _length, _largestValue);
                    return true;
                }
            }

            from = mainEnd;
        }
    }

    /// <summary>Whether this thread has ended an element of the array exactly where the helper's first one starts.</summary>
    private bool IsAtParseAheadStart(ParseAheadWork ahead) =>
        _consumed == ahead.MainEnd && _tokenType == JsonTokenType.EndObject && _depth == ahead.ElementDepth;

    /// <summary>
    /// Moves this reader past the helper's last element. The state stays the one this thread reached at the end of
    /// its own last element: after an object's end in the same array, the reader's state is the same wherever it is.
    /// </summary>
    private void CommitParseAhead(ParseAheadWork ahead)
    {
        _consumed = ahead.End;
        _positionSkipped = true;
        _tokenStart = _consumed - 1;
        _tokenEnd = _consumed;
        _largestValue = Math.Max(_largestValue, ahead.Largest);
    }

    private static int SkipWhitespace(byte[] buffer, int index, int end)
    {
        while (index < end && buffer[index] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            index++;
        }

        return index;
    }

    /// <summary>What the reader needs of a helper whatever its element type.</summary>
    private abstract class ParseAheadWork(int elementDepth)
    {
        private Task? _work;

        public int ElementDepth { get; } = elementDepth;

        /// <summary>Buffer index just after the <c>}</c> this thread must end an element at.</summary>
        public int MainEnd { get; protected set; }

        /// <summary>Elements the helper parsed whole.</summary>
        public int Count { get; protected set; }

        /// <summary>Buffer index just after the helper's last element.</summary>
        public int End { get; protected set; }

        /// <summary>The largest element seen, the helper's included.</summary>
        public int Largest { get; protected set; }

        protected void Run(Action work) => _work = Task.Run(work);

        /// <summary>Waits for the helper without blocking: the normal way, once this thread's half is done.</summary>
        public Task WhenDone() => _work ?? Task.CompletedTask;

        /// <summary>
        /// Waits for the helper, blocking, without raising its failure: only where the consumer stopped early or the
        /// reader is disposed, which must go on (and hand the buffer back) whatever happened to the helper.
        /// </summary>
        public void Join()
        {
            try
            {
                _work?.Wait();
            }
            catch (AggregateException)
            {
                // Only running out of memory gets here; the reader is being disposed either way.
            }
        }
    }

    private sealed class ParseAhead<T>(JsonValueParser<T> parser, int elementDepth, JsonReaderOptions options, int maxValueBytes)
        : ParseAheadWork(elementDepth)
    {
        private readonly List<T[]> _batches = [];

        public void Start(byte[] buffer, int mainEnd, int start, int end, bool finalBlock, int largest)
        {
            MainEnd = mainEnd;
            Count = 0;
            End = start;
            Largest = largest;
            Run(() => Parse(buffer, start, end, finalBlock));
        }

        /// <summary>The helper's elements from <paramref name="start"/>, at most one batch.</summary>
        public ArraySegment<T> Batch(int start) =>
            new(_batches[start / ElementBatch], 0, Math.Min(ElementBatch, Count - start));

        /// <summary>Lets go of the helper's elements: its guess was wrong, or this thread stopped before its start.</summary>
        public void Discard()
        {
            for (int start = 0; start < Count; start += ElementBatch)
            {
                Array.Clear(_batches[start / ElementBatch], 0, Math.Min(ElementBatch, Count - start));
            }

            Count = 0;
        }

        // Each element is read as a document of its own (one reader each, from its first byte), and the bytes between
        // two elements are checked here to be JSON's own: white space, one comma, white space. Anything else (the
        // end of the array, a trailing comma, invalid JSON, a parser that throws, an element not yet whole) ends
        // the helper's part after its last good element.
        private void Parse(byte[] buffer, int position, int end, bool finalBlock)
        {
            int count = 0;
            int largest = Largest;
            int committed = position;
            while (finalBlock || end - position >= 2 * largest)
            {
                var reader = new Utf8JsonReader(buffer.AsSpan(position, end - position), isFinalBlock: false, new JsonReaderState(options));
                T item;
                try
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    {
                        break;
                    }

                    item = parser(ref reader);
                }
#pragma warning disable CA1031 // Not swallowed: this thread parses the element again and raises its error.
                catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
                {
                    break;
                }

                int size = (int)reader.BytesConsumed;
                if (size > maxValueBytes)
                {
                    break;
                }

                largest = Math.Max(largest, size);
                if (count % ElementBatch == 0 && _batches.Count == count / ElementBatch)
                {
                    _batches.Add(new T[ElementBatch]);
                }

                _batches[count / ElementBatch][count % ElementBatch] = item;
                count++;
                committed = position + size;
                int next = SkipWhitespace(buffer, committed, end);
                if (next >= end || buffer[next] != (byte)',')
                {
                    break;
                }

                next = SkipWhitespace(buffer, next + 1, end);
                if (next >= end || buffer[next] != (byte)'{')
                {
                    break;
                }

                position = next;
            }

            Count = count;
            End = committed;
            Largest = largest;
        }
    }
}
