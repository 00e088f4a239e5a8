using System;
using System.IO;
using System.Threading;

namespace EnergyData.IO;

/// <summary>
/// What the module's wrappers of a response body share: read only, no seeking, no length; a synchronous read is
/// the asynchronous one waited for (the module itself only reads asynchronously); the wrapped stream is disposed
/// with the wrapper.
/// </summary>
internal abstract class ReadOnlyStream : Stream
{
    protected ReadOnlyStream(Stream inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The wrapped body.</summary>
    protected Stream Inner { get; }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

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
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
