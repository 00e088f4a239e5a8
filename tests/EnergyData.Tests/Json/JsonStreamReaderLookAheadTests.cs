using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using EnergyData.Json;
using Xunit;

namespace EnergyData.Tests.Json;

/// <summary>PeekFollowingPropertiesAsync: fields an object writes after the array being streamed.</summary>
public sealed class JsonStreamReaderLookAheadTests
{
    private const string Document = """
        {"Before":1,"Items":[{"Id":1},{"Id":2,"Deep":{"id":5}}],"Nested":{"id":7,"Name":"inner"},"ID":41,"name":"x","id":42,"Other":[1,2]}
        """;

    private static readonly string[] Names = ["id", "Name", "Missing"];

    private static readonly JsonValueParser<int> IdParser = static (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader).GetProperty("Id").GetInt32();

    public static TheoryData<int> ChunkSizes => new() { 1, 3, 64, int.MaxValue };

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task Properties_after_the_current_one_are_found_and_the_reader_goes_on_from_where_it_stood(int chunk)
    {
        var bytes = Utf8("\uFEFF" + Document);
        using var reader = new JsonStreamReader(new TrickleStream(bytes, chunk), new JsonStreamReaderOptions { InitialBufferSize = 16 });
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        await reader.SkipAsync();
        Assert.True(await reader.ReadAsync());

        // On the property name, then on the array itself: the same answer, and the reader has not moved.
        var fromName = await reader.PeekFollowingPropertiesAsync(Names);
        Assert.Equal("Items", reader.GetString());
        Assert.True(await reader.ReadAsync());
        var fromArray = await reader.PeekFollowingPropertiesAsync(Names);
        Assert.Equal(JsonTokenType.StartArray, reader.TokenType);

        foreach (var found in new[] { fromName, fromArray })
        {
            Assert.NotNull(found);

            // Only the object's own properties count (not Nested.id or Items[].Deep.id); the exact spelling and any
            // other case both match, and the last one written wins, as when the properties are read one by one.
            Assert.Equal(42, found[0]!.Value.GetInt32());
            Assert.Equal("x", found[1]!.Value.GetString());
            Assert.Null(found[2]);
        }

        Assert.Equal([1, 2], await reader.ReadArrayAsync(IdParser).ToListAsync());
        var rest = new List<string>();
        while (await reader.ReadAsync() && reader.TokenType == JsonTokenType.PropertyName)
        {
            rest.Add(reader.GetString()!);
            await reader.SkipAsync();
        }

        Assert.Equal(["Nested", "ID", "name", "id", "Other"], rest);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(await reader.ReadAsync());
        Assert.Equal(bytes.Length, reader.BytesConsumed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    public async Task The_limit_counts_from_the_current_token_to_the_end_of_the_enclosing_object(int chunk)
    {
        const string json = """{"Items":[{"Id":1},{"Id":2}],"Count":2}""";
        var rest = json.Length - json.IndexOf('[', StringComparison.Ordinal);

        Assert.Equal(2, (await PeekCountFromItemsAsync(json, chunk, rest))?.GetInt32());
        Assert.Null(await PeekCountFromItemsAsync(json, chunk, rest - 1));
        Assert.Null(await PeekCountFromItemsAsync(json, chunk, 0));
    }

    [Fact]
    public async Task A_rest_larger_than_the_limit_gives_no_answer_and_the_first_element_still_comes_before_the_stream_ends()
    {
        var head = """{"Items":[""" + string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"Id":{{i}}}""")) + ",";
        var stream = new GatedStream(Utf8(head), Utf8("""{"Id":100}],"Count":101}"""));
        using var reader = new JsonStreamReader(stream, new JsonStreamReaderOptions { MaxLookAheadBytes = 256 });
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        Assert.Null(await reader.PeekFollowingPropertiesAsync(["Count"]));
        Assert.False(stream.TailRead);

        var ids = new List<int>();
        await foreach (var id in reader.ReadArrayAsync(IdParser))
        {
            if (ids.Count == 0)
            {
                Assert.False(stream.TailRead);
                stream.Release();
            }

            ids.Add(id);
        }

        Assert.Equal(Enumerable.Range(0, 101), ids);
        Assert.True(await reader.ReadAsync());
        Assert.Equal("Count", reader.GetString());
    }

    [Fact]
    public async Task A_look_ahead_that_meets_MaxTotalBytes_gives_no_answer_and_reading_on_raises_the_limit_where_it_would_have()
    {
        var json = Utf8("""{"Items":[""" + string.Join(",", Enumerable.Range(0, 300)) + """],"Count":300}""");
        var options = new JsonStreamReaderOptions { MaxTotalBytes = 600 };

        var withoutLookAhead = await ReadItemsUntilTheLimitAsync(json, options, peek: false);
        var withLookAhead = await ReadItemsUntilTheLimitAsync(json, options, peek: true);

        Assert.True(withoutLookAhead.Count > 100);
        Assert.Equal(withoutLookAhead, withLookAhead);
    }

    [Fact]
    public async Task Invalid_json_after_the_array_gives_no_answer_and_reading_on_reports_it_after_the_elements()
    {
        using var reader = new JsonStreamReader(new MemoryStream(Utf8("""{"Items":[{"Id":1},{"Id":2}],"Count":02}""")));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        Assert.Null(await reader.PeekFollowingPropertiesAsync(["Count"]));

        Assert.Equal([1, 2], await reader.ReadArrayAsync(IdParser).ToListAsync());
        Assert.True(await reader.ReadAsync());
        var error = await Assert.ThrowsAsync<JsonException>(async () => await reader.ReadAsync());
        Assert.Contains("stream byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_fails_during_the_look_ahead_gives_no_answer_and_the_elements_that_arrived_come_before_its_error()
    {
        // A dropped connection while the rest of the object is read ahead: the elements already in must not be lost.
        var head = Utf8("""{"Items":[""" + string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"Id":{{i}}}""")) + ",{\"Id\":50");
        using var reader = new JsonStreamReader(new FailingStream(head, new IOException("connection reset")));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        Assert.Null(await reader.PeekFollowingPropertiesAsync(["Count"]));

        var ids = new List<int>();
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var id in reader.ReadArrayAsync(IdParser))
            {
                ids.Add(id);
            }
        });
        Assert.Equal("connection reset", error.Message);
        Assert.Equal(Enumerable.Range(0, 50), ids);
    }

    [Fact]
    public async Task A_second_look_ahead_after_the_stream_failed_gives_no_answer_and_the_rows_still_come_before_the_error()
    {
        // The CEN shape with sorted keys: OperationId after Data, and the total after the rows inside Data.
        var head = Utf8("""{"Data":{"Items":[""" + string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"Id":{{i}}}""")) + ",{\"Id\":50");
        using var reader = new JsonStreamReader(new FailingStream(head, new IOException("connection reset")));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("Data", reader.GetString());
        Assert.Null(await reader.PeekFollowingPropertiesAsync(["OperationId"]));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("Items", reader.GetString());

        Assert.Null(await reader.PeekFollowingPropertiesAsync(["Total"]));

        var ids = new List<int>();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var id in reader.ReadArrayAsync(IdParser))
            {
                ids.Add(id);
            }
        });
        Assert.Equal(Enumerable.Range(0, 50), ids);
    }

    [Fact]
    public async Task Cancellation_during_the_look_ahead_is_raised_at_once()
    {
        using var cancellation = new System.Threading.CancellationTokenSource();
        var stream = new GatedStream(Utf8("""{"Items":[{"Id":1},"""), Utf8("""{"Id":2}],"Count":2}"""));
        using var reader = new JsonStreamReader(stream);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        var peek = reader.PeekFollowingPropertiesAsync(["Count"], cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => peek);
    }

    [Fact]
    public async Task Only_a_token_inside_an_object_can_look_ahead()
    {
        using var reader = new JsonStreamReader(new MemoryStream(Utf8("[[1,2],3]")));
        Assert.True(await reader.ReadAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.PeekFollowingPropertiesAsync(["x"]));
        Assert.True(await reader.ReadAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.PeekFollowingPropertiesAsync(["x"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonStreamReader(new MemoryStream(), new JsonStreamReaderOptions { MaxLookAheadBytes = -1 }));
    }

    private static async Task<JsonElement?> PeekCountFromItemsAsync(string json, int chunk, int limit)
    {
        using var reader = new JsonStreamReader(new TrickleStream(Utf8(json), chunk), new JsonStreamReaderOptions { InitialBufferSize = 8, MaxLookAheadBytes = limit });
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        var found = await reader.PeekFollowingPropertiesAsync(["Count"]);

        // Whatever the answer, the array is read whole afterwards.
        Assert.Equal([1, 2], await reader.ReadArrayAsync(IdParser).ToListAsync());
        return found?[0];
    }

    private static async Task<List<long>> ReadItemsUntilTheLimitAsync(byte[] json, JsonStreamReaderOptions options, bool peek)
    {
        using var reader = new JsonStreamReader(new TrickleStream(json, 100), options);
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        if (peek)
        {
            Assert.Null(await reader.PeekFollowingPropertiesAsync(["Count"]));
        }

        var items = new List<long>();
        await Assert.ThrowsAsync<JsonStreamLimitException>(async () =>
        {
            await foreach (var item in reader.ReadArrayAsync(static (ref Utf8JsonReader r) => r.GetInt64()))
            {
                items.Add(item);
            }
        });
        return items;
    }

    /// <summary>
    /// PeekFirstElementPropertyAsync: the first of the first element's own property names found among the names (nested
    /// ones do not count), from the property name before the array or from the array itself, without moving the reader.
    /// </summary>
    [Theory]
    [InlineData("""{"data":[{"x":{"id":1},"Name":2,"id":3},{"id":4}]}""", 1)]
    [InlineData("""{"data":[{"x":1},{"id":4}]}""", -1)]
    [InlineData("""{"data":[]}""", -1)]
    [InlineData("""{"data":[5,{"id":4}]}""", -1)]
    [InlineData("""{"data":null}""", -1)]
    [InlineData("""{"data":[{"ID":1}]}""", 0)]
    public async Task The_first_elements_property_names_are_looked_at_without_moving_the_reader(string json, int expected)
    {
        foreach (var chunk in new[] { 1, 3, int.MaxValue })
        {
            using var reader = new JsonStreamReader(new TrickleStream(Utf8(json), chunk), new JsonStreamReaderOptions { InitialBufferSize = 16 });
            Assert.True(await reader.ReadAsync());
            Assert.True(await reader.ReadAsync());

            Assert.Equal(expected, await reader.PeekFirstElementPropertyAsync(Names));
            Assert.Equal("data", reader.GetString());
            Assert.True(await reader.ReadAsync());
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                Assert.Equal(expected, await reader.PeekFirstElementPropertyAsync(Names));
                await reader.SkipAsync();
                Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
            }
        }
    }

    [Fact]
    public async Task A_first_element_larger_than_the_limit_before_a_name_gives_no_answer()
    {
        var json = Utf8("""{"data":[{"x":""" + "\"" + new string('a', 1000) + "\"" + ""","id":1}]}""");
        using var reader = new JsonStreamReader(new TrickleStream(json, 64), new JsonStreamReaderOptions { InitialBufferSize = 16, MaxLookAheadBytes = 256 });
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());

        Assert.Equal(-1, await reader.PeekFirstElementPropertyAsync(Names));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>Hands out <c>head</c>, then fails every later read with <c>failure</c>, as a dropped connection does.</summary>
internal sealed class FailingStream(byte[] head, Exception failure) : ReadOnlyTestStream
{
    private bool headRead;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (headRead)
        {
            throw failure;
        }

        headRead = true;
        Array.Copy(head, 0, buffer, offset, head.Length);
        return head.Length;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, System.Threading.CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));
}
