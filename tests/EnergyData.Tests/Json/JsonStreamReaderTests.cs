using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using Xunit;

namespace EnergyData.Tests.Json;

public sealed class JsonStreamReaderTests
{
    private const string NestedDocument = """
        {
          "Meta": { "Page": 1, "Tags": ["a", {"deep": [1, 2, {"x": null}]}] },
          "Data": {
            "Count": 3,
            "List": {
              "Before": "b\u00e9fore",
              "Items": [
                {"Id": 1, "Name": "one", "Value": 1.5},
                {"Id": 2, "Name": "tw\"o", "Value": -2e3, "Extra": {"skip": [true, false]}},
                {"Id": 3, "Name": "three", "Value": 0}
              ],
              "After": true
            }
          },
          "Status": "ok"
        }
        """;

    private static readonly JsonValueParser<Item> ItemParser = ParseItem;

    public static TheoryData<int> ChunkSizes => new() { 1, 2, 3, 7, 64, int.MaxValue };

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task Navigates_to_nested_array_and_reads_properties_after_it(int chunk)
    {
        var result = await ReadNestedAsync(new TrickleStream(Utf8(NestedDocument), chunk), new JsonStreamReaderOptions { InitialBufferSize = 16 });

        Assert.Equal(
            [new Item(1, "one", 1.5m), new Item(2, "tw\"o", -2000m), new Item(3, "three", 0m)],
            result.Items);
        Assert.Equal("b\u00e9fore", result.Before);
        Assert.True(result.After);
        Assert.Equal("ok", result.Status);
        Assert.Equal(3, result.Count);
    }

    [Fact]
    public async Task Trickled_and_whole_streams_give_identical_tokens()
    {
        var whole = await TokensAsync(new MemoryStream(Utf8(NestedDocument)));
        var trickled = await TokensAsync(new TrickleStream(Utf8(NestedDocument), 1));

        Assert.Equal(whole, trickled);
        Assert.Contains("PropertyName:Status", whole);
        Assert.Contains("String:tw\"o", whole);
        Assert.Equal(JsonTokenType.EndObject.ToString(), whole[^1]);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task Reads_top_level_array(int chunk)
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"Id":{{i}},"Name":"n{{i}}","Value":{{i}}.25}""")) + "]";
        using var reader = new JsonStreamReader(new TrickleStream(Utf8(json), chunk), new JsonStreamReaderOptions { InitialBufferSize = 32 });

        Assert.True(await reader.ReadAsync());
        var items = new List<Item>();
        await foreach (var item in reader.ReadArrayAsync(ItemParser))
        {
            items.Add(item);
        }

        Assert.Equal(500, items.Count);
        Assert.Equal(new Item(499, "n499", 499.25m), items[^1]);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.False(await reader.ReadAsync());
        Assert.Equal(Utf8(json).Length, reader.BytesConsumed);
    }

    [Fact]
    public async Task Reads_arrays_of_scalars_and_empty_arrays()
    {
        using var reader = new JsonStreamReader(new TrickleStream(Utf8("""{"a":[1, 2 ,3],"b":[],"c":[[1],[2,3]]}"""), 1));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal([1L, 2L, 3L], await ToListAsync(reader.ReadArrayAsync(static (ref Utf8JsonReader r) => r.GetInt64())));
        Assert.True(await reader.ReadAsync());
        Assert.Empty(await ToListAsync(reader.ReadArrayAsync(static (ref Utf8JsonReader r) => r.GetInt64())));
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.True(await reader.ReadAsync());
        var nested = await ToListAsync(reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonSerializer.Deserialize<int[]>(ref r)!));
        Assert.Equal([[1], [2, 3]], nested);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task Reads_values_larger_than_the_initial_buffer()
    {
        string big = new('x', 100_000);
        var json = $$"""{"Big":"{{big}}","Obj":{"Text":"{{big}}","N":[{{string.Join(",", Enumerable.Range(0, 20_000))}}]},"End":1}""";
        using var reader = new JsonStreamReader(new TrickleStream(Utf8(json), 4096), new JsonStreamReaderOptions { InitialBufferSize = 64 });

        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.String, reader.TokenType);
        Assert.Equal(big, reader.GetString());

        Assert.True(await reader.ReadAsync());
        Assert.True(reader.ValueTextEquals("Obj"));
        var element = await reader.ReadElementAsync();
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(big, element.GetProperty("Text").GetString());
        Assert.Equal(20_000, element.GetProperty("N").GetArrayLength());

        Assert.True(await reader.ReadAsync());
        Assert.Equal("End", reader.GetString());
    }

    [Fact]
    public async Task Raw_overload_gets_exactly_the_value_text()
    {
        const string array = """[1, 2 ,{"b":"x\u0041"} ]""";
        const string number = "-1.5e3";
        const string text = "\"x\\u0041\\n\"";
        var json = $$"""{"a": {{array}} , "n": {{number}}, "s" : {{text}},"o":{"k":[{}]}  }""";
        using var reader = new JsonStreamReader(new TrickleStream(Utf8(json), 3));
        JsonRawValueParser<string> raw = static (ref Utf8JsonReader r, ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(array, await reader.ReadValueAsync(raw));
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(number, await reader.ReadValueAsync(raw));
        Assert.Equal(JsonTokenType.Number, reader.TokenType);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(text, await reader.ReadValueAsync(raw));
        Assert.Equal("xA\n", reader.GetString());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("""{"k":[{}]}""", await reader.ReadValueAsync(raw));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task Parser_gets_reader_on_first_token_and_position_ends_on_last_token_whatever_it_did()
    {
        using var reader = new JsonStreamReader(new TrickleStream(Utf8("""{"x":{"Id":7,"Name":"n","Value":2},"y":[1,2],"z":3}"""), 2));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        // From a PropertyName the reader first advances to the value.
        var item = await reader.ReadValueAsync(static (ref Utf8JsonReader r) => JsonSerializer.Deserialize<Item>(ref r)!);
        Assert.Equal(new Item(7, "n", 2m), item);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(1, reader.CurrentDepth);

        Assert.True(await reader.ReadAsync());
        var firstTokenType = await reader.ReadValueAsync(static (ref Utf8JsonReader r) => r.TokenType);
        Assert.Equal(JsonTokenType.StartArray, firstTokenType);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);

        Assert.True(await reader.ReadAsync());
        Assert.Equal("z", reader.GetString());
    }

    [Fact]
    public async Task Token_getters_read_the_current_token()
    {
        using var reader = new JsonStreamReader(new TrickleStream(Utf8("""{"i":-42,"d":12.345678901234567890,"f":1e300,"t":true,"n":null,"e":"\ud83d\ude00\t"}"""), 1));
        Assert.Equal(JsonTokenType.None, reader.TokenType);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.TryGetInt64(out long i));
        Assert.Equal(-42, i);
        await reader.ReadAsync();
        await reader.ReadAsync();
        Assert.False(reader.TryGetInt64(out _));
        Assert.True(reader.TryGetDecimal(out decimal d));
        Assert.Equal(12.345678901234567890m, d);
        await reader.ReadAsync();
        await reader.ReadAsync();
        Assert.True(reader.TryGetDouble(out double f));
        Assert.Equal(1e300, f);
        Assert.False(reader.TryGetDecimal(out _));
        await reader.ReadAsync();
        await reader.ReadAsync();
        Assert.True(reader.GetBoolean());
        Assert.Throws<InvalidOperationException>(() => reader.GetString());
        await reader.ReadAsync();
        await reader.ReadAsync();
        Assert.Null(reader.GetString());
        await reader.ReadAsync();
        Assert.True(reader.ValueTextEquals("e"));
        Assert.False(reader.ValueTextEquals("E"));
        await reader.ReadAsync();
        Assert.Equal("\U0001F600\t", reader.GetString());
        Assert.Throws<InvalidOperationException>(() => reader.TryGetInt64(out _));
    }

    [Fact]
    public async Task Skips_a_huge_value_within_a_small_buffer()
    {
        var json = Utf8("""{"Before":1,"Huge":[""" + string.Join(",", Enumerable.Range(0, 200_000).Select(i => i % 10 == 0 ? "{\"a\":[\"s\"]}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + """],"Status":"ok"}""");
        Assert.True(json.Length > 1_000_000);
        var options = new JsonStreamReaderOptions { InitialBufferSize = 1024, MaxValueBytes = 4096 };

        using (var reader = new JsonStreamReader(new MemoryStream(json), options))
        {
            Assert.True(await reader.ReadAsync());
            Assert.True(await reader.ReadAsync());
            await reader.SkipAsync();
            Assert.Equal(JsonTokenType.Number, reader.TokenType);
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.ValueTextEquals("Huge"));
            await reader.SkipAsync();
            Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
            Assert.Equal(1, reader.CurrentDepth);
            Assert.True(await reader.ReadAsync());
            Assert.True(await reader.ReadAsync());
            Assert.Equal("ok", reader.GetString());
        }

        // The same limit refuses to buffer that value whole, so the skip above really was incremental.
        using (var reader = new JsonStreamReader(new MemoryStream(json), options))
        {
            Assert.True(await reader.ReadAsync());
            Assert.True(await reader.ReadAsync());
            await reader.SkipAsync();
            Assert.True(await reader.ReadAsync());
            var ex = await Assert.ThrowsAsync<JsonStreamLimitException>(async () => await reader.ReadElementAsync());
            Assert.Contains("MaxValueBytes", ex.Message, StringComparison.Ordinal);
            Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Skip_on_start_token_and_on_scalar()
    {
        using var reader = new JsonStreamReader(new TrickleStream(Utf8("""[{"a":{"b":[1,{}]}},5,"x"]"""), 1));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        await reader.SkipAsync();
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(1, reader.CurrentDepth);
        Assert.True(await reader.ReadAsync());
        await reader.SkipAsync();
        Assert.True(reader.TryGetInt64(out long five));
        Assert.Equal(5, five);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task MaxTotalBytes_is_enforced_and_exact_length_is_allowed()
    {
        var json = Utf8("[" + string.Join(",", Enumerable.Range(0, 1000)) + "]");

        using (var reader = new JsonStreamReader(new TrickleStream(json, 100), new JsonStreamReaderOptions { MaxTotalBytes = 1000 }))
        {
            var ex = await Assert.ThrowsAsync<JsonStreamLimitException>(() => DrainAsync(reader));
            Assert.Contains("MaxTotalBytes", ex.Message, StringComparison.Ordinal);
            Assert.Contains("1000", ex.Message, StringComparison.Ordinal);
        }

        using (var reader = new JsonStreamReader(new TrickleStream(json, 100), new JsonStreamReaderOptions { MaxTotalBytes = json.Length }))
        {
            Assert.Equal(1002, await DrainAsync(reader));
        }
    }

    [Fact]
    public async Task MaxValueBytes_is_enforced_for_elements_and_tokens()
    {
        var json = Utf8("[{\"a\":\"short\"},{\"a\":\"" + new string('y', 5000) + "\"}]");
        var options = new JsonStreamReaderOptions { InitialBufferSize = 256, MaxValueBytes = 1000 };

        using (var reader = new JsonStreamReader(new MemoryStream(json), options))
        {
            Assert.True(await reader.ReadAsync());
            var seen = new List<JsonElement>();
            await Assert.ThrowsAsync<JsonStreamLimitException>(async () =>
            {
                await foreach (var e in reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r)))
                {
                    seen.Add(e);
                }
            });
            Assert.Single(seen);
        }

        using (var reader = new JsonStreamReader(new MemoryStream(json), options))
        {
            await Assert.ThrowsAsync<JsonStreamLimitException>(() => DrainAsync(reader));
        }
    }

    [Theory]
    [InlineData("""[{"a":1},{"a":""")]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":[1,2""")]
    [InlineData("""{"a":"unterminated""")]
    [InlineData("""[1,2,""")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Truncated_input_throws_JsonException(string json)
    {
        using (var reader = new JsonStreamReader(new TrickleStream(Utf8(json), 1)))
        {
            await Assert.ThrowsAnyAsync<JsonException>(() => DrainAsync(reader));
        }

        using (var reader = new JsonStreamReader(new MemoryStream(Utf8(json))))
        {
            await Assert.ThrowsAnyAsync<JsonException>(async () =>
            {
                if (await reader.ReadAsync())
                {
                    await reader.SkipAsync();
                    await reader.ReadAsync();
                }
            });
        }
    }

    [Theory]
    [InlineData("[1,2,]")]
    [InlineData("[1 2]")]
    [InlineData("""{"a":01}""")]
    [InlineData("[1,/*c*/2]")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""[{"a":1}}""")]
    [InlineData("{} {}")]
    [InlineData("[tru]")]
    public async Task Invalid_json_throws_JsonException_with_position(string json)
    {
        using (var reader = new JsonStreamReader(new TrickleStream(Utf8(json), 1)))
        {
            await Assert.ThrowsAnyAsync<JsonException>(() => DrainAsync(reader));
        }

        using (var reader = new JsonStreamReader(new MemoryStream(Utf8(json))))
        {
            var ex = await Assert.ThrowsAnyAsync<JsonException>(async () =>
            {
                Assert.True(await reader.ReadAsync());
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    await foreach (var unused in reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r)))
                    {
                    }
                }
                else
                {
                    await reader.ReadElementAsync();
                }

                await DrainAsync(reader);
            });
            Assert.Contains("byte", ex.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Invalid_json_message_names_the_stream_offset()
    {
        var json = Utf8("[" + string.Join(",", Enumerable.Range(0, 10_000)) + ",x]");
        using var reader = new JsonStreamReader(new MemoryStream(json), new JsonStreamReaderOptions { InitialBufferSize = 512 });
        var ex = await Assert.ThrowsAsync<JsonException>(() => DrainAsync(reader));
        Assert.Contains((json.Length - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxDepth_is_enforced()
    {
        var deep = new string('[', 10) + new string(']', 10);
        using (var reader = new JsonStreamReader(new MemoryStream(Utf8(deep)), new JsonStreamReaderOptions { MaxDepth = 9 }))
        {
            await Assert.ThrowsAnyAsync<JsonException>(() => DrainAsync(reader));
        }

        using (var reader = new JsonStreamReader(new MemoryStream(Utf8(deep)), new JsonStreamReaderOptions { MaxDepth = 9 }))
        {
            Assert.True(await reader.ReadAsync());
            Assert.True(await reader.ReadAsync());
            await Assert.ThrowsAnyAsync<JsonException>(async () => await reader.ReadElementAsync());
        }

        using (var reader = new JsonStreamReader(new MemoryStream(Utf8(deep)), new JsonStreamReaderOptions { MaxDepth = 10 }))
        {
            Assert.Equal(20, await DrainAsync(reader));
        }
    }

    [Fact]
    public async Task Utf8_bom_is_skipped()
    {
        var json = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8("""{"a":[1]}""")).ToArray();
        using var reader = new JsonStreamReader(new TrickleStream(json, 1));
        Assert.Equal(6, await DrainAsync(reader));
        Assert.Equal(json.Length, reader.BytesConsumed);
    }

    [Fact]
    public async Task Cancellation_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var stream = new GatedStream(Utf8("""[{"a":1},{"a":"""), Utf8("2}]"));
        using var reader = new JsonStreamReader(stream);
        Assert.True(await reader.ReadAsync());
        var enumerator = reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r), cts.Token).GetAsyncEnumerator();
        try
        {
            Assert.True(await enumerator.MoveNextAsync());
            var pending = enumerator.MoveNextAsync().AsTask();
            Assert.False(pending.IsCompleted);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
            Assert.False(stream.TailRead);
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        using var reader2 = new JsonStreamReader(new MemoryStream(Utf8("[1]")));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader2.ReadAsync(cts.Token));
    }

    [Fact]
    public async Task First_element_is_yielded_before_the_stream_ends()
    {
        var stream = new GatedStream(Utf8("""{"Data":{"Items":[{"Id":1,"Name":"a","Value":1},{"Id":2,"""), Utf8("""
            "Name":"b","Value":2}]},"Status":"done"}
            """));
        using var reader = new JsonStreamReader(stream);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.ValueTextEquals("Items"));
        var items = new List<Item>();
        await foreach (var item in reader.ReadArrayAsync(ItemParser))
        {
            if (items.Count == 0)
            {
                Assert.False(stream.TailRead);
                stream.Release();
            }

            items.Add(item);
        }

        Assert.Equal([1, 2], items.Select(i => i.Id));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("done", reader.GetString());
    }

    [Fact]
    public async Task Streaming_many_elements_keeps_memory_bounded()
    {
        const int Count = 200_000;
        var stream = new GeneratedArrayStream(Count);
        using var reader = new JsonStreamReader(stream);
        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.True(await reader.ReadAsync());
        long sum = 0;
        int seen = 0;
        bool movedThread = false;
        await foreach (long id in reader.ReadArrayAsync(static (ref Utf8JsonReader r) => ParseId(ref r)))
        {
            // The allocation counter is per thread; the generated stream completes synchronously, so this never moves.
            // A plain comparison: Assert.Equal would allocate per element and drown the measurement.
            movedThread |= thread != Environment.CurrentManagedThreadId;
            sum += id;
            seen++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.False(movedThread);
        Assert.Equal(Count, seen);
        Assert.Equal((long)Count * (Count - 1) / 2, sum);
        Assert.True(stream.BytesProduced > 5_000_000, $"produced {stream.BytesProduced}");

        // A reader that kept consumed bytes or grew its buffer per element would allocate at least the body's size.
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes while streaming {stream.BytesProduced}");
    }

    [Fact]
    public async Task Dispose_leaves_the_stream_open_and_blocks_further_use()
    {
        var stream = new TrickleStream(Utf8("[1]"), 10);
        var reader = new JsonStreamReader(stream);
        Assert.True(await reader.ReadAsync());
        reader.Dispose();
        reader.Dispose();
        Assert.False(stream.IsDisposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.ReadAsync());
    }

    [Fact]
    public async Task ReadValueAsync_refuses_a_token_that_does_not_start_a_value()
    {
        using var reader = new JsonStreamReader(new MemoryStream(Utf8("[1]")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadElementAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadElementAsync());
    }

    /// <summary>
    /// Elements are parsed straight from the buffer when it very likely holds them whole; elements that grow, that
    /// straddle a refill, or that a parser leaves unfinished must come out exactly as a whole-document parse gives them.
    /// </summary>
    [Theory]
    [InlineData(1, 16)]
    [InlineData(7, 64)]
    [InlineData(300, 256)]
    [InlineData(int.MaxValue, 256)]
    [InlineData(int.MaxValue, 16 * 1024)]
    public async Task Elements_of_growing_and_shrinking_size_are_read_exactly_once_each(int chunk, int bufferSize)
    {
        var elements = Enumerable.Range(0, 400)
            .Select(i => $$"""{"i":{{i}},"pad":"{{new string((char)('a' + (i % 26)), (i * 37) % 700)}}","nested":[{"k":[{{i}},"é"]},{}]}""")
            .ToList();
        var json = Utf8("{\"rows\":[" + string.Join(",", elements) + "],\"after\":true}");
        using var reader = new JsonStreamReader(new TrickleStream(json, chunk), new JsonStreamReaderOptions { InitialBufferSize = bufferSize });
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        var read = await ToListAsync(reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r).GetRawText()));

        Assert.Equal(elements, read);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.Equal(1, reader.CurrentDepth);
        Assert.True(await reader.ReadAsync());
        Assert.Equal("after", reader.GetString());
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.True, reader.TokenType);
        Assert.True(await reader.ReadAsync());
        Assert.False(await reader.ReadAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    [InlineData(int.MaxValue)]
    public async Task Batches_hold_every_element_once_in_order_and_the_first_comes_before_the_rest_arrives(int chunk)
    {
        var elements = Enumerable.Range(0, 5_000).Select(i => $$"""{"Id":{{i}}}""").ToList();
        var json = Utf8("[" + string.Join(",", elements) + "]");

        // A first batch that waits for no more data than its first element needs holds only the elements that are
        // whole in the reads (of `chunk` bytes each) that brought that first element in.
        var ends = new List<long>();
        long end = 1;
        foreach (var element in elements)
        {
            end += element.Length;
            ends.Add(end);
            end++;
        }

        var bytesForFirst = chunk == int.MaxValue ? json.Length : (ends[0] + chunk - 1) / chunk * chunk;
        var wholeInFirstReads = ends.Count(elementEnd => elementEnd <= bytesForFirst);
        var body = new TrickleStream(json, chunk);
        using var reader = new JsonStreamReader(body, new JsonStreamReaderOptions { InitialBufferSize = 4096 });
        Assert.True(await reader.ReadAsync());
        var ids = new List<int>();
        var batches = 0;

        await foreach (var batch in reader.ReadArrayBatchesAsync(static (ref Utf8JsonReader r) =>
        {
            r.Read();
            r.Read();
            var id = r.GetInt32();
            r.Read();
            return id;
        }))
        {
            Assert.InRange(batch.Count, 1, 128);
            if (batches++ == 0)
            {
                Assert.True(batch.Count <= wholeInFirstReads, $"a batch waited for more data: {batch.Count} elements, {wholeInFirstReads} whole when the first was");
            }

            ids.AddRange(batch);
        }

        Assert.Equal(Enumerable.Range(0, 5_000), ids);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.False(await reader.ReadAsync());

        // Batches end where the buffered bytes do (or at 128 elements), not at every element near the end of a read.
        Assert.True(batches <= body.ReadCalls + (5_000 / 128) + 1, $"{batches} batches for {body.ReadCalls} reads");
    }

    [Fact]
    public async Task A_parser_that_stops_inside_an_element_still_leaves_the_reader_after_that_element()
    {
        var json = Utf8("[" + string.Join(",", Enumerable.Range(0, 2_000).Select(i => $$"""{"Id":{{i}},"Tail":[1,2,{"x":3}]}""")) + "]");
        using var reader = new JsonStreamReader(new MemoryStream(json), new JsonStreamReaderOptions { InitialBufferSize = 1024 });
        Assert.True(await reader.ReadAsync());

        var ids = await ToListAsync(reader.ReadArrayAsync(static (ref Utf8JsonReader r) =>
        {
            // Reads up to the Id and returns: the rest of the element is not this parser's business.
            r.Read();
            r.Read();
            return r.GetInt32();
        }));

        Assert.Equal(Enumerable.Range(0, 2_000), ids);
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task A_parser_that_throws_on_a_buffered_element_surfaces_its_own_exception()
    {
        var json = Utf8("[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"Id":{{i}}}""")) + "]");
        using var reader = new JsonStreamReader(new MemoryStream(json));
        Assert.True(await reader.ReadAsync());
        var seen = new List<int>();

        var error = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var id in reader.ReadArrayAsync(static (ref Utf8JsonReader r) =>
            {
                r.Read();
                r.Read();
                var id = r.GetInt32();
                r.Read();
                return id == 300 ? throw new FormatException("element 300 refused") : id;
            }))
            {
                seen.Add(id);
            }
        });

        Assert.Equal("element 300 refused", error.Message);
        Assert.Equal(Enumerable.Range(0, 300), seen);
    }

    [Fact]
    public async Task Invalid_json_inside_a_buffered_element_names_its_stream_offset()
    {
        var good = string.Join(",", Enumerable.Range(0, 200).Select(i => $$"""{"Id":{{i}}}"""));
        var json = Utf8("[" + good + """,{"Id":01}]""");
        using var reader = new JsonStreamReader(new MemoryStream(json));
        Assert.True(await reader.ReadAsync());

        var error = await Assert.ThrowsAsync<JsonException>(async () =>
        {
            await foreach (var unused in reader.ReadArrayAsync(static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r)))
            {
            }
        });

        // The position is the checked path's: just after the element's opening brace.
        Assert.Contains("stream byte " + (good.Length + 3).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    private static async Task<NestedResult> ReadNestedAsync(Stream stream, JsonStreamReaderOptions options)
    {
        using var reader = new JsonStreamReader(stream, options);
        var result = new NestedResult();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
        while (await reader.ReadAsync() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Data"))
            {
                Assert.True(await reader.ReadAsync());
                while (await reader.ReadAsync() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("Count"))
                    {
                        Assert.True(await reader.ReadAsync());
                        Assert.True(reader.TryGetInt64(out long count));
                        result.Count = count;
                    }
                    else if (reader.ValueTextEquals("List"))
                    {
                        Assert.True(await reader.ReadAsync());
                        while (await reader.ReadAsync() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            switch (reader.GetString())
                            {
                                case "Items":
                                    await foreach (var item in reader.ReadArrayAsync(ItemParser))
                                    {
                                        result.Items.Add(item);
                                    }

                                    Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
                                    break;
                                case "Before":
                                    Assert.True(await reader.ReadAsync());
                                    result.Before = reader.GetString()!;
                                    break;
                                case "After":
                                    Assert.True(await reader.ReadAsync());
                                    result.After = reader.GetBoolean();
                                    break;
                                default:
                                    await reader.SkipAsync();
                                    break;
                            }
                        }
                    }
                    else
                    {
                        await reader.SkipAsync();
                    }
                }
            }
            else if (reader.ValueTextEquals("Status"))
            {
                Assert.True(await reader.ReadAsync());
                result.Status = reader.GetString();
            }
            else
            {
                await reader.SkipAsync();
            }
        }

        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(0, reader.CurrentDepth);
        Assert.False(await reader.ReadAsync());
        return result;
    }

    private static async Task<List<string>> TokensAsync(Stream stream)
    {
        using var reader = new JsonStreamReader(stream, new JsonStreamReaderOptions { InitialBufferSize = 8 });
        var tokens = new List<string>();
        while (await reader.ReadAsync())
        {
            tokens.Add(reader.TokenType switch
            {
                JsonTokenType.PropertyName or JsonTokenType.String => $"{reader.TokenType}:{reader.GetString()}",
                JsonTokenType.Number => $"Number:{(reader.TryGetDecimal(out decimal d) ? d : 0)}",
                _ => reader.TokenType.ToString(),
            });
        }

        return tokens;
    }

    private static async Task<int> DrainAsync(JsonStreamReader reader)
    {
        int tokens = 0;
        while (await reader.ReadAsync())
        {
            tokens++;
        }

        return tokens;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static long ParseId(ref Utf8JsonReader reader)
    {
        long id = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId)
            {
                id = reader.GetInt64();
            }
        }

        return id;
    }

    private static Item ParseItem(ref Utf8JsonReader reader)
    {
        Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
        int id = 0;
        string name = "";
        decimal value = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "Id":
                    id = reader.GetInt32();
                    break;
                case "Name":
                    name = reader.GetString()!;
                    break;
                case "Value":
                    value = reader.GetDecimal();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(reader.Read());
        return new Item(id, name, value);
    }

    private sealed record Item(int Id, string Name, decimal Value);

    private sealed class NestedResult
    {
        public List<Item> Items { get; } = [];

        public string Before { get; set; } = "";

        public bool After { get; set; }

        public string? Status { get; set; }

        public long Count { get; set; }
    }
}
