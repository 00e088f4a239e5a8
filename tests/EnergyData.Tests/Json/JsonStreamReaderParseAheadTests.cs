using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using Xunit;

namespace EnergyData.Tests.Json;

/// <summary>
/// ReadArrayBatchesAsync with a helper parser: a large buffered stretch of an array is parsed by two threads, the
/// helper from a guessed element start. Whatever the body, the elements, their order, the errors and where the reader
/// ends must be exactly those of one thread; each test also shows that the helper really took part.
/// </summary>
public sealed partial class JsonStreamReaderParseAheadTests
{
    // Reads of these sizes bring in stretches long enough to share; a body that trickles in is parsed by one thread.
    public static TheoryData<int> Chunks => new() { 70_000, 200_000, int.MaxValue };

    [Theory]
    [MemberData(nameof(Chunks))]
    public async Task Elements_are_those_of_one_thread_and_the_helper_parses_some_of_them(int chunk)
    {
        var json = Document(Enumerable.Range(0, 6_000).Select(i => $$"""{"id":{{i}},"name":"row {{i}}","v":[{{i}},{"w":{{i % 7}}}]}"""), ",\n  ");

        var one = await ReadAsync(json, chunk, withHelper: false);
        var two = await ReadAsync(json, chunk, withHelper: true);

        Assert.Null(two.Error);
        Assert.Equal(6_000, one.Elements.Count);
        Assert.Equal(one.Elements, two.Elements);
        Assert.Equal(one.After, two.After);
        Assert.True(two.ByHelper > (chunk == int.MaxValue ? 1_000 : 0), $"the helper parsed {two.ByHelper} of the elements");
    }

    [Fact]
    public async Task A_guess_inside_a_string_is_thrown_away_even_where_it_parses()
    {
        // Each element's string holds "},{}" patterns, empty objects once read out of the string: a helper started
        // inside a string parses some of them, and none of those may come out.
        var json = Document(Enumerable.Range(0, 4_000).Select(i =>
            $$"""{"id":{{i}},"text":"{{string.Concat(Enumerable.Repeat("x},{},{} , {},{}y", 12))}}"}"""), ",");
        var guesses = new CountingParser();

        var one = await ReadAsync(json, int.MaxValue, withHelper: false);
        var two = await ReadAsync(json, int.MaxValue, withHelper: true, helper: guesses);

        Assert.Null(two.Error);
        Assert.Equal(one.Elements, two.Elements);
        Assert.DoesNotContain("{}", two.Elements);
        Assert.True(guesses.Calls > two.ByHelper, $"no wrong guess was parsed ({guesses.Calls} helper calls, {two.ByHelper} kept)");
    }

    [Fact]
    public async Task An_array_that_ends_before_the_guess_ends_there_and_what_follows_is_read_as_before()
    {
        // The first "},{" after the middle of the buffer is in the array that follows the one being read.
        var rows = string.Join(",", Enumerable.Range(0, 300).Select(i => $$"""{"id":{{i}}}"""));
        var other = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $$"""{"other":{{i}}}"""));
        var json = Encoding.UTF8.GetBytes("{\"rows\":[" + rows + "],\"more\":[" + other + "]}");

        var one = await ReadAsync(json, int.MaxValue, withHelper: false, propertyName: "rows");
        var two = await ReadAsync(json, int.MaxValue, withHelper: true, propertyName: "rows");

        Assert.Null(two.Error);
        Assert.Equal(300, two.Elements.Count);
        Assert.Equal(one.Elements, two.Elements);
        Assert.Equal(one.After, two.After);
    }

    [Theory]
    [InlineData("""{"id":01}""")]
    [InlineData("""{"id":1,}""")]
    [InlineData("""{"id":"unterminated}""")]
    [InlineData("""{"id":1}, ,{"id":2}""")]
    [InlineData("""{"id":1}{"id":2}""")]
    public async Task Invalid_json_late_in_the_array_gives_the_same_elements_and_the_same_error(string bad)
    {
        var good = Enumerable.Range(0, 5_000).Select(i => $$"""{"id":{{i}},"pad":"{{new string('p', i % 50)}}"}""").ToList();
        good.Insert(4_000, bad);
        var json = Document(good, ",");

        var one = await ReadAsync(json, int.MaxValue, withHelper: false);
        var two = await ReadAsync(json, int.MaxValue, withHelper: true);

        Assert.NotNull(one.Error);
        Assert.Equal(one.Error, two.Error);
        Assert.Equal(one.Elements, two.Elements);
        Assert.True(two.ByHelper > 0);
    }

    [Fact]
    public async Task A_trailing_comma_gives_the_same_error()
    {
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 5_000).Select(i => $$"""{"id":{{i}}}""")) + ",]");

        var one = await ReadAsync(json, int.MaxValue, withHelper: false, propertyName: null);
        var two = await ReadAsync(json, int.MaxValue, withHelper: true, propertyName: null);

        Assert.NotNull(one.Error);
        Assert.Equal(one.Error, two.Error);
        Assert.Equal(one.Elements, two.Elements);
    }

    [Fact]
    public async Task A_parser_that_throws_on_an_element_of_the_helpers_part_surfaces_once_after_every_element_before_it()
    {
        // The whole body is buffered at once: this thread parses the first half, the helper the second, where
        // element 15321 is.
        var json = Document(Enumerable.Range(0, 20_000).Select(i => $$"""{"id":{{i}}}"""), ",");
        var refusing = new CountingParser(refuse: 15_321);

        var one = await ReadAsync(json, int.MaxValue, withHelper: false, main: new CountingParser(refuse: 15_321));
        var two = await ReadAsync(json, int.MaxValue, withHelper: true, main: new CountingParser(refuse: 15_321), helper: refusing);

        Assert.Equal("FormatException: element 15321 refused", two.Error);
        Assert.Equal(one.Error, two.Error);
        Assert.Equal(15_321, two.Elements.Count);
        Assert.Equal(one.Elements, two.Elements);
        Assert.True(two.ByHelper > 1_000);
    }

    [Fact]
    public async Task MaxDepth_is_enforced_in_the_helpers_part_as_on_one_thread()
    {
        // The array is at depth 1 and its elements at 2: with MaxDepth 6 an element may nest 4 levels more.
        var fits = """{"a":{"b":{"c":{"d":1}}}}""";
        var tooDeep = """{"a":{"b":{"c":{"d":{"e":1}}}}}""";
        var elements = Enumerable.Range(0, 6_000).Select(i => fits).ToList();
        var options = new JsonStreamReaderOptions { MaxDepth = 6 };

        var allFit = Document(elements, ",");
        var fitOne = await ReadAsync(allFit, int.MaxValue, withHelper: false, options: options);
        var fitTwo = await ReadAsync(allFit, int.MaxValue, withHelper: true, options: options);
        Assert.Null(fitTwo.Error);
        Assert.Equal(fitOne.Elements, fitTwo.Elements);
        Assert.True(fitTwo.ByHelper > 0);

        elements[5_000] = tooDeep;
        var oneTooDeep = Document(elements, ",");
        var one = await ReadAsync(oneTooDeep, int.MaxValue, withHelper: false, options: options);
        var two = await ReadAsync(oneTooDeep, int.MaxValue, withHelper: true, options: options);
        Assert.NotNull(one.Error);
        Assert.Equal(one.Error, two.Error);
        Assert.Equal(5_000, two.Elements.Count);
        Assert.Equal(one.Elements, two.Elements);
    }

    [Fact]
    public async Task MaxValueBytes_is_enforced_in_the_helpers_part_as_on_one_thread()
    {
        // The buffer never holds more than MaxValueBytes, so an element too large for it is never whole there: the
        // helper stops before it, and this thread raises the limit's error after the elements before it.
        var elements = Enumerable.Range(0, 30_000).Select(i => $$"""{"id":{{i}}}""").ToList();
        elements[25_000] = $$"""{"id":25000,"big":"{{new string('b', 700_000)}}"}""";
        var json = Document(elements, ",");
        var options = new JsonStreamReaderOptions { MaxValueBytes = 600_000 };

        var one = await ReadAsync(json, int.MaxValue, withHelper: false, options: options);
        var two = await ReadAsync(json, int.MaxValue, withHelper: true, options: options);

        Assert.StartsWith("JsonStreamLimitException", one.Error, StringComparison.Ordinal);
        Assert.Equal(one.Error, two.Error);
        Assert.Equal(25_000, two.Elements.Count);
        Assert.Equal(one.Elements, two.Elements);
        Assert.True(two.ByHelper > 0);
    }

    [Fact]
    public async Task Scalars_among_the_objects_are_read_by_this_thread_in_their_place()
    {
        // A stretch with a scalar in this thread's half is parsed by this thread alone; the others are shared.
        var json = Document(Enumerable.Range(0, 80_000).Select(i => i % 30_000 == 999 ? i.ToString(CultureInfo.InvariantCulture) : $$"""{"id":{{i}}}"""), ", ");

        var one = await ReadAsync(json, int.MaxValue, withHelper: false);
        var two = await ReadAsync(json, int.MaxValue, withHelper: true);

        Assert.Null(two.Error);
        Assert.Equal(one.Elements, two.Elements);
        Assert.Contains("30999", two.Elements);
        Assert.True(two.ByHelper > 0);
    }

    [Fact]
    public async Task Dispose_waits_for_a_helper_still_parsing_before_it_hands_back_the_buffer()
    {
        // The helper stops at its tenth element until the test lets it go; the enumeration is left as it is (its own
        // cleanup would wait for the helper too), so only Dispose can wait.
        var json = Document(Enumerable.Range(0, 20_000).Select(i => $$"""{"id":{{i}},"pad":"{{new string('q', 40)}}"}"""), ",");
        using var release = new ManualResetEventSlim();
        var helper = new CountingParser(holdAt: 10, release: release);
        var reader = new JsonStreamReader(new MemoryStream(json));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        var batches = reader.ReadArrayBatchesAsync(new CountingParser().Parse, helper.Parse).GetAsyncEnumerator();

        // The first elements are read by this thread alone (a stretch is shared once an element's size is known).
        while (helper.Calls == 0)
        {
            Assert.True(await batches.MoveNextAsync());
        }

        var disposing = Task.Run(reader.Dispose);
        try
        {
            await Task.Delay(300);
            Assert.False(disposing.IsCompleted, "Dispose returned while the helper was still reading the buffer");
        }
        finally
        {
            release.Set();
        }

        await disposing;
        var callsWhenDisposed = helper.Calls;
        await Task.Delay(100);
        Assert.Equal(callsWhenDisposed, helper.Calls);
    }

    [Fact]
    public async Task Cancellation_during_a_parallel_stretch_stops_the_enumeration()
    {
        var json = Document(Enumerable.Range(0, 20_000).Select(i => $$"""{"id":{{i}}}"""), ",");
        using var cancellation = new CancellationTokenSource();
        using var reader = new JsonStreamReader(new MemoryStream(json));
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        Assert.True(await reader.ReadAsync());
        var taken = 0;
        var helper = new CountingParser();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in reader.ReadArrayBatchesAsync<Parsed>(new CountingParser().Parse, helper.Parse, cancellation.Token))
            {
                taken += batch.Count;
                if (taken > 5_000)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        // Checked between batches, as on one thread.
        Assert.InRange(taken, 5_001, 5_000 + 128);
        Assert.True(helper.Calls > 0);
    }

    /// <summary><c>{"rows":[elements...],"after":"end"}</c>, the elements joined by <paramref name="separator"/>.</summary>
    private static byte[] Document(IEnumerable<string> elements, string separator) =>
        Encoding.UTF8.GetBytes("{\"rows\":[" + string.Join(separator, elements) + "],\"after\":\"end\"}");

    /// <summary>
    /// Reads the array under <paramref name="propertyName"/> (the top-level array when null) in batches, with or
    /// without a helper, and then every token after it. Errors are kept as "Type: message".
    /// </summary>
    private static async Task<Outcome> ReadAsync(
        byte[] json,
        int chunk,
        bool withHelper,
        string? propertyName = "rows",
        CountingParser? main = null,
        CountingParser? helper = null,
        JsonStreamReaderOptions? options = null)
    {
        main ??= new CountingParser();
        helper ??= new CountingParser();
        var outcome = new Outcome();
        using var reader = new JsonStreamReader(new TrickleStream(json, chunk), options);
        try
        {
            Assert.True(await reader.ReadAsync());
            if (propertyName is not null)
            {
                Assert.True(await reader.ReadAsync());
                Assert.Equal(propertyName, reader.GetString());
                Assert.True(await reader.ReadAsync());
            }

            await foreach (var batch in reader.ReadArrayBatchesAsync(main.Parse, withHelper ? new JsonValueParser<Parsed>(helper.Parse) : null))
            {
                foreach (var element in batch)
                {
                    outcome.Elements.Add(element.Text);
                    outcome.ByHelper += element.Parser == helper ? 1 : 0;
                }
            }

            while (await reader.ReadAsync())
            {
                outcome.After.Add($"{reader.TokenType}@{reader.CurrentDepth}:{(reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String ? reader.GetString() : "")}");
            }
        }
        catch (Exception exception) when (exception is JsonException or JsonStreamLimitException or FormatException)
        {
            // After a helper's stretch the tokenizer's line position would lag (the reader's state skips the helper's
            // bytes), so the reader leaves it out; the stream offset before it is compared.
            outcome.Error = TokenizerPosition().Replace(exception.GetType().Name + ": " + exception.Message, "");
        }

        return outcome;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" LineNumber: \d+ \| BytePositionInLine: \d+\.$")]
    private static partial System.Text.RegularExpressions.Regex TokenizerPosition();

    private sealed class Outcome
    {
        public List<string> Elements { get; } = [];

        public List<string> After { get; } = [];

        public int ByHelper { get; set; }

        public string? Error { get; set; }
    }

    private sealed record Parsed(string Text, CountingParser Parser);

    /// <summary>Gives each element's raw text, counting its calls; may refuse one id, or hold one call until released.</summary>
    private sealed class CountingParser(int refuse = -1, int holdAt = 0, ManualResetEventSlim? release = null)
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public Parsed Parse(ref Utf8JsonReader reader)
        {
            var call = Interlocked.Increment(ref calls);
            if (call == holdAt)
            {
                release?.Wait();
            }

            using var element = JsonDocument.ParseValue(ref reader);
            if (element.RootElement.ValueKind == JsonValueKind.Object
                && element.RootElement.TryGetProperty("id", out var id)
                && id.ValueKind == JsonValueKind.Number
                && id.GetInt32() == refuse)
            {
                throw new FormatException($"element {refuse} refused");
            }

            return new Parsed(element.RootElement.GetRawText(), this);
        }
    }
}
