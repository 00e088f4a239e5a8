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
    private int _canRefreshCredentials;
    private int _refreshCredentials;

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

    /// <summary>
    /// Whether a failed answer's body is read for Khipu's <c>Error.Type</c> (RETRY_IMMEDIATELY, DO_NOT_RETRY,
    /// WAIT_4_HOURS_BEFORE_RETRY, RETRY_AFTER_NOTIFICATION), which then decides over the HTTP status whether the call is
    /// retried. A contract of Khipu's only: the Khipu client sets it on its calls, and a call without it (NEU's, which
    /// documents no such field) is retried by its HTTP status alone, whatever its body says.
    /// </summary>
    public bool AppliesKhipuErrorType { get; set; }

    /// <summary>
    /// Which part of a larger whole this call is, for trace lines and messages beside its method and URI (for example
    /// "page 3 of 6"): the pages of one paged read are otherwise the same request line. Null for none.
    /// </summary>
    public string? Label { get; set; }

    /// <summary>
    /// A label that names the input first, then which part of a larger read the call is: "Id_service 450, page 2".
    /// Either may be missing.
    /// </summary>
    public static string? JoinLabel(string? input, string? part) =>
        input is null ? part : part is null ? input : input + ", " + part;

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

    /// <summary>
    /// Set by the authentication layer on each send: whether its credentials can be renewed (client credentials can,
    /// an API key or a fixed token cannot). Lets the API client decide whether a resend after A000 can help.
    /// </summary>
    public bool CanRefreshCredentials
    {
        get => Volatile.Read(ref _canRefreshCredentials) != 0;
        set => Volatile.Write(ref _canRefreshCredentials, value ? 1 : 0);
    }

    /// <summary>
    /// Asks the authentication layer to drop its cached token before the next send: Khipu can report a rejected
    /// JWT as <c>Status: ERROR</c> with code A000 in a 200 answer, which the authentication layer never sees as a 401.
    /// </summary>
    public void RequestCredentialRefresh() => Volatile.Write(ref _refreshCredentials, 1);

    /// <summary>True once per <see cref="RequestCredentialRefresh"/>: the caller that takes it performs the refresh.</summary>
    public bool TakeCredentialRefresh() => Interlocked.Exchange(ref _refreshCredentials, 0) != 0;
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
