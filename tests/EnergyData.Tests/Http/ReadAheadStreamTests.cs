using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using Xunit;

namespace EnergyData.Tests.Http;

public sealed class ReadAheadStreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(64, 4)]
    [InlineData(4096, 3)]
    public async Task Hands_on_every_byte_in_order_whatever_the_read_sizes(int chunkSize, int chunkCount)
    {
        var random = new Random(chunkSize * 31 + chunkCount);
        var body = new byte[50_000];
        random.NextBytes(body);
        var inner = new ScriptedStream(body, maxRead: 3_000, seed: chunkSize);
        await using var stream = new ReadAheadStream(inner, chunkSize, chunkCount);

        var received = new MemoryStream();
        var buffer = new byte[5_000];
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(0, random.Next(1, buffer.Length + 1)))) > 0)
        {
            received.Write(buffer, 0, read);
        }

        Assert.Equal(body, received.ToArray());
        Assert.Equal(0, await stream.ReadAsync(buffer.AsMemory(0, buffer.Length)));
    }

    [Fact]
    public async Task Reads_no_further_ahead_than_its_chunks()
    {
        var inner = new ScriptedStream(new byte[1_000], maxRead: int.MaxValue);
        await using var stream = new ReadAheadStream(inner, chunkSize: 16, chunkCount: 3);

        // The consumer holds the first chunk (one byte taken of it); two more may be read ahead, and no more.
        Assert.Equal(1, await stream.ReadAsync(new byte[1].AsMemory(0, 1)));
        await WaitUntilAsync(() => inner.BytesRead == 48);
        await Task.Delay(200);
        Assert.Equal(48, inner.BytesRead);

        // Finishing the held chunk makes room for exactly one more read.
        Assert.Equal(15, await stream.ReadAsync(new byte[15].AsMemory(0, 15)));
        await WaitUntilAsync(() => inner.BytesRead == 64);
        await Task.Delay(200);
        Assert.Equal(64, inner.BytesRead);

        // A larger read takes what every chunk already read holds (without waiting for more), and so makes room for as
        // many reads of the body again.
        Assert.Equal(48, await stream.ReadAsync(new byte[100].AsMemory(0, 100)));
        await WaitUntilAsync(() => inner.BytesRead == 112);
        await Task.Delay(200);
        Assert.Equal(112, inner.BytesRead);
    }

    [Fact]
    public async Task Hands_on_a_short_read_at_once_rather_than_waiting_to_fill_a_chunk()
    {
        var inner = new ScriptedStream(new byte[] { 1, 2, 3, 4, 5 }, maxRead: int.MaxValue, blockAtEnd: true);
        await using var stream = new ReadAheadStream(inner, chunkSize: 64 * 1024, chunkCount: 4);

        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer.AsMemory(0, buffer.Length)).AsTask().WaitAsync(Patience);
        Assert.Equal(5, read);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, buffer[..5]);
    }

    [Fact]
    public async Task A_failing_body_fails_after_every_byte_read_before_it_and_keeps_failing()
    {
        var failure = new IOException("The connection was reset.");
        var body = new byte[100];
        new Random(5).NextBytes(body);
        var inner = new ScriptedStream(body, maxRead: 30, failAtEnd: failure);
        await using var stream = new ReadAheadStream(inner, chunkSize: 8, chunkCount: 2);

        var received = new MemoryStream();
        var buffer = new byte[7];
        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, buffer.Length))) > 0)
            {
                received.Write(buffer, 0, read);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(body, received.ToArray());
        Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(buffer.AsMemory(0, buffer.Length)).AsTask()));
    }

    [Fact]
    public async Task Cancelling_a_waiting_read_ends_it_at_once_and_disposing_stops_the_body_read()
    {
        var inner = new ScriptedStream([], maxRead: int.MaxValue, blockAtEnd: true);
        var stream = new ReadAheadStream(inner, chunkSize: 1024, chunkCount: 2);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[16].AsMemory(0, 16), cancellation.Token).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"The read took {clock.Elapsed} to end.");

        await stream.DisposeAsync().AsTask().WaitAsync(Patience);
        Assert.True(inner.BlockedReadCancelled);
        Assert.True(inner.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[1].AsMemory(0, 1)).AsTask());
    }

    [Fact]
    public async Task A_body_nobody_reads_is_not_read_and_is_disposed_with_the_stream()
    {
        var inner = new ScriptedStream(new byte[100], maxRead: int.MaxValue);
        var stream = new ReadAheadStream(inner, chunkSize: 16, chunkCount: 2);
        await Task.Delay(100);
        stream.Dispose();

        Assert.Equal(0, inner.Reads);
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task Synchronous_dispose_while_reading_ahead_stops_the_body_read()
    {
        var inner = new ScriptedStream(new byte[10], maxRead: int.MaxValue, blockAtEnd: true);
        var stream = new ReadAheadStream(inner, chunkSize: 4, chunkCount: 8);
        Assert.Equal(4, await stream.ReadAsync(new byte[4].AsMemory(0, 4)));
        await WaitUntilAsync(() => inner.Blocked);

        await Task.Run(stream.Dispose).WaitAsync(Patience);
        Assert.True(inner.BlockedReadCancelled);
        Assert.True(inner.Disposed);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Refuses_chunks_of_no_size_or_no_count(int chunkSize, int chunkCount)
    {
        using var inner = new MemoryStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadAheadStream(inner, chunkSize, chunkCount));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "The condition was not reached in time.");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// A body that returns reads of pseudo-random length up to <c>maxRead</c>, then ends, fails, or blocks until its
    /// read is cancelled; it counts what was read.
    /// </summary>
    private sealed class ScriptedStream(byte[] body, int maxRead, int seed = 1, Exception? failAtEnd = null, bool blockAtEnd = false) : ReadOnlyTestStream
    {
        private readonly Random random = new(seed);
        private int position;
        private int bytesRead;
        private int reads;
        private volatile bool blocked;
        private volatile bool blockedReadCancelled;
        private volatile bool disposed;

        public int BytesRead => Volatile.Read(ref bytesRead);

        public int Reads => Volatile.Read(ref reads);

        public bool Blocked => blocked;

        public bool BlockedReadCancelled => blockedReadCancelled;

        public bool Disposed => disposed;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref reads);
            await Task.Yield();
            if (position == body.Length)
            {
                if (failAtEnd is not null)
                {
                    throw failAtEnd;
                }

                if (blockAtEnd)
                {
                    blocked = true;
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        blockedReadCancelled = true;
                        throw;
                    }
                }

                return 0;
            }

            var limit = maxRead == int.MaxValue ? count : random.Next(1, maxRead + 1);
            var length = Math.Min(Math.Min(count, body.Length - position), limit);
            Array.Copy(body, position, buffer, offset, length);
            position += length;
            Interlocked.Add(ref bytesRead, length);
            return length;
        }

        // ReadAheadStream targets netstandard2.0 and calls the array overload; this one is for completeness.
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            return new(ReadAsync(array, 0, array.Length, cancellationToken).ContinueWith(
                read =>
                {
                    array.AsSpan(0, read.Result).CopyTo(buffer.Span);
                    return read.Result;
                },
                cancellationToken,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default));
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            disposed = true;
            base.Dispose(disposing);
        }
    }
}
