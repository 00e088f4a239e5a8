using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.IO;

namespace EnergyData.Http;

/// <summary>
/// A read-only stream whose every read must produce data within an idle timeout. It bounds a response body that
/// trickles or stalls without bounding a large body that keeps flowing, which a single overall timeout cannot do.
/// </summary>
internal sealed class IdleTimeoutStream : ReadOnlyStream
{
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _timeProvider;

    public IdleTimeoutStream(Stream inner, TimeSpan idleTimeout, TimeProvider? timeProvider = null)
        : base(inner)
    {
        if (idleTimeout <= TimeSpan.Zero && idleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "Must be positive or infinite.");
        }

        _idleTimeout = idleTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return await Inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        }

        using var idle = _timeProvider.CreateCancellationTokenSource(_idleTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var read = Inner.ReadAsync(buffer, offset, count, linked.Token);

        // Some inner streams (the .NET Framework handler's) ignore the token; racing the read against it keeps
        // the timeout and Ctrl+C effective even then.
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (linked.Token.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), cancelled))
        {
            var first = await Task.WhenAny(read, cancelled.Task).ConfigureAwait(false);
            if (first == read && read.Status == TaskStatus.RanToCompletion)
            {
                return read.Result;
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            Observe(read);
            throw new OperationCanceledException(cancellationToken);
        }

        if (idle.IsCancellationRequested)
        {
            Observe(read);

            // The inner read may still be pending; disposing aborts the connection so it cannot hang on.
            Inner.Dispose();
            throw new RequestTimeoutException(
                $"The response body sent no data for {TimeFormat.Duration(_idleTimeout)} (BodyIdleTimeout).",
                RequestTimeoutKind.BodyIdle,
                _idleTimeout,
                null);
        }

        // The read failed on its own: surface its exception unchanged.
        return await read.ConfigureAwait(false);
    }

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}

/// <summary>Response content that hands out its stream wrapped in an <see cref="IdleTimeoutStream"/>.</summary>
internal sealed class IdleTimeoutContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _timeProvider;

    public IdleTimeoutContent(HttpContent inner, TimeSpan idleTimeout, TimeProvider timeProvider)
    {
        _inner = inner;
        _idleTimeout = idleTimeout;
        _timeProvider = timeProvider;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync()
    {
        var stream = await _inner.ReadAsStreamAsync().ConfigureAwait(false);
        return new IdleTimeoutStream(stream, _idleTimeout, _timeProvider);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        using var source = await CreateContentReadStreamAsync().ConfigureAwait(false);
        await source.CopyToAsync(stream).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        var known = _inner.Headers.ContentLength;
        length = known ?? 0;
        return known.HasValue;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
