using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Diagnostics;

/// <summary>
/// Passes a response body through unchanged and keeps its first bytes, so Debug can show the body without
/// buffering it whole or reading it twice.
/// </summary>
internal sealed class CaptureStream : Stream
{
    private readonly Stream inner;
    private readonly byte[] captured;
    private int capturedLength;
    private long totalLength;

    public CaptureStream(Stream inner, int limit)
    {
        this.inner = inner;
        captured = new byte[Math.Max(0, limit)];
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => totalLength;
        set => throw new NotSupportedException();
    }

    /// <summary>The kept bytes as text, with a note when the body was longer.</summary>
    public string CapturedText()
    {
        var text = Encoding.UTF8.GetString(captured, 0, capturedLength);
        return totalLength > capturedLength ? text + $" ... ({totalLength} bytes in all)" : text;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Keep(buffer, offset, read);
        return read;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Keep(buffer, offset, read);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Keep(byte[] buffer, int offset, int read)
    {
        totalLength += read;
        var room = Math.Min(read, captured.Length - capturedLength);
        if (room > 0)
        {
            Buffer.BlockCopy(buffer, offset, captured, capturedLength, room);
            capturedLength += room;
        }
    }
}
