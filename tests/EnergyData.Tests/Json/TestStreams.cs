using System;
using System.Buffers.Text;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Tests.Json;

/// <summary>Returns at most <c>chunk</c> bytes per read, like a slow network body.</summary>
internal sealed class TrickleStream(byte[] data, int chunk = 1) : ReadOnlyTestStream
{
    private int _position;

    public int ReadCalls { get; private set; }

    public bool IsDisposed { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ReadCalls++;
        int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(buffer, offset, count));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var array = new byte[buffer.Length];
        int n = Read(array, 0, array.Length);
        array.AsSpan(0, n).CopyTo(buffer.Span);
        return new ValueTask<int>(n);
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>
/// Produces <c>[{"id":0,"v":0.5,"s":"x"},...]</c> on the fly, so a huge body never exists in memory.
/// Reads complete synchronously, which keeps a whole enumeration on the calling thread.
/// </summary>
internal sealed class GeneratedArrayStream(int count) : ReadOnlyTestStream
{
    private readonly byte[] _pending = new byte[256];
    private int _pendingLength;
    private int _pendingPosition;
    private int _next = -1;

    public long BytesProduced { get; private set; }

    public override int Read(byte[] buffer, int offset, int count1)
    {
        int written = 0;
        while (written < count1)
        {
            if (_pendingPosition == _pendingLength && !Produce())
            {
                break;
            }

            int n = Math.Min(count1 - written, _pendingLength - _pendingPosition);
            Buffer.BlockCopy(_pending, _pendingPosition, buffer, offset + written, n);
            _pendingPosition += n;
            written += n;
        }

        BytesProduced += written;
        return written;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count1, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(buffer, offset, count1));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var array = new byte[buffer.Length];
        int n = Read(array, 0, array.Length);
        array.AsSpan(0, n).CopyTo(buffer.Span);
        return new ValueTask<int>(n);
    }

    private bool Produce()
    {
        if (_next > count)
        {
            return false;
        }

        // Formatting into a reused array: the memory test measures the reader's allocations, not the generator's.
        var span = _pending.AsSpan();
        int length = 0;
        if (_next == -1)
        {
            span[length++] = (byte)'[';
        }
        else if (_next == count)
        {
            span[length++] = (byte)']';
        }
        else
        {
            if (_next > 0)
            {
                span[length++] = (byte)',';
            }

            length += Append(span[length..], "{\"id\":"u8);
            Utf8Formatter.TryFormat(_next, span[length..], out int digits);
            length += digits;
            length += Append(span[length..], ",\"v\":0.5,\"s\":\"x\"}"u8);
        }

        _pendingLength = length;
        _pendingPosition = 0;
        _next++;
        return true;
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}

/// <summary>Hands out <c>head</c>, then waits for <see cref="Release"/> before handing out <c>tail</c>.</summary>
internal sealed class GatedStream(byte[] head, byte[] tail) : ReadOnlyTestStream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stage;

    public bool TailRead { get; private set; }

    public void Release() => _gate.TrySetResult();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        switch (_stage)
        {
            case 0:
                _stage = 1;
                head.CopyTo(buffer);
                return head.Length;
            case 1:
                await _gate.Task.WaitAsync(cancellationToken);
                _stage = 2;
                TailRead = true;
                tail.CopyTo(buffer);
                return tail.Length;
            default:
                return 0;
        }
    }

}
