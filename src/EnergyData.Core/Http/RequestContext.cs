using System;
using System.Net.Http;
using System.Threading;

namespace EnergyData.Http;

/// <summary>
/// State of one logical call, shared by every layer that may send it again (the resilience handler and the
/// API client's own retry on a <c>Status:ERROR</c> envelope), so together they never exceed one attempt budget.
/// </summary>
public sealed class RequestContext
{
    private int _attempts;
    private long _earliestRetryTicks;
    private int _hasEarliestRetry;

    public RequestContext(IRequestTrace? trace, int maxAttempts)
    {
        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt is needed.");
        }

        Trace = trace;
        MaxAttempts = maxAttempts;
    }

    public IRequestTrace? Trace { get; }

    public int MaxAttempts { get; }

    public int Attempts => Volatile.Read(ref _attempts);

    public bool CanAttemptAgain => Attempts < MaxAttempts;

    /// <summary>Set when the service asked not to retry before a given time (Khipu's WAIT_4_HOURS_BEFORE_RETRY).</summary>
    public DateTimeOffset? EarliestRetry
    {
        // Stored as UTC ticks so concurrent attempts can set and read it without tearing a struct.
        get => Volatile.Read(ref _hasEarliestRetry) == 0
            ? null
            : new DateTimeOffset(Interlocked.Read(ref _earliestRetryTicks), TimeSpan.Zero);
        set
        {
            if (value is null)
            {
                Volatile.Write(ref _hasEarliestRetry, 0);
                return;
            }

            Interlocked.Exchange(ref _earliestRetryTicks, value.Value.UtcTicks);
            Volatile.Write(ref _hasEarliestRetry, 1);
        }
    }

    public int RegisterAttempt() => Interlocked.Increment(ref _attempts);
}

public static class RequestContextExtensions
{
    // HttpRequestMessage.Options does not exist on netstandard2.0; Properties is its backing store on .NET 5+.
    private const string PropertyKey = "EnergyData.Http.RequestContext";

    public static void SetRequestContext(this HttpRequestMessage request, RequestContext context)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        request.Properties[PropertyKey] = context;
    }

    public static RequestContext? GetRequestContext(this HttpRequestMessage request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        return request.Properties.TryGetValue(PropertyKey, out var value) ? value as RequestContext : null;
    }
}
