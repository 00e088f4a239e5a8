using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.IO;

namespace EnergyData.Diagnostics;

/// <summary>
/// Passes a response body through unchanged and keeps its first bytes, so Debug can show the body without
/// buffering it whole or reading it twice.
/// </summary>
internal sealed class CaptureStream : ReadOnlyStream
{
    private readonly byte[] captured;
    private int capturedLength;
    private long totalLength;

    public CaptureStream(Stream inner, int limit)
        : base(inner)
    {
        captured = new byte[Math.Max(0, limit)];
    }

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
        var read = Inner.Read(buffer, offset, count);
        Keep(buffer, offset, read);
        return read;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await Inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Keep(buffer, offset, read);
        return read;
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
