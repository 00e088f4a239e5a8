using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Errors;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace EnergyData.Http;

/// <summary>
/// Total timeout, retry, circuit breaker and per-attempt timeout around every request, in the order of
/// Microsoft.Extensions.Http.Resilience's standard handler (not available to this module). One instance
/// shares its circuit breaker among all requests it carries, so it belongs to one pooled HttpClient.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("EnergyData.Http.CallState");

    private readonly ResilienceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ResilienceHandler(ResilienceOptions options, TimeProvider? timeProvider = null)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.Validate();
        _options = options.Clone();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _pipeline = BuildPipeline();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var body = await HttpRequestCloner.BufferContentAsync(request).ConfigureAwait(false);
        var state = new CallState(
            this,
            request,
            body,
            request.GetRequestContext() ?? new RequestContext(null, _options.MaxRetryAttempts + 1),
            cancellationToken);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(
                static (ctx, s) => s.Handler.AttemptAsync(ctx, s),
                context,
                state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is not null)
        {
            throw Translate(outcome.Exception, state);
        }

        var response = outcome.Result!;
        response.RequestMessage = request;
        if (response.IsSuccessStatusCode && response.Content is not null)
        {
            response.Content = new IdleTimeoutContent(response.Content, _options.BodyIdleTimeout, _timeProvider);
        }

        return response;
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var o = _options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider };

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = o.TotalTimeout,
            OnTimeout = args =>
            {
                // Both timeouts surface as TimeoutRejectedException; this flag tells them apart for the message.
                args.Context.Properties.GetValue(StateKey, null!).TotalTimedOut = true;
                return default;
            },
        });

        if (o.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = o.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = o.UseJitter,
                Delay = o.BaseDelay,
                MaxDelay = o.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, GetState(args.Context))),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfterDelay(args.Outcome, GetState(args.Context))),
                OnRetry = args =>
                {
                    var state = GetState(args.Context);
                    state.Trace?.Verbose($"{state.Description}: retrying in {TimeFormat.Seconds(args.RetryDelay)} ({(state.DelayFromRetryAfter ? "Retry-After" : "backoff")})");
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = o.CircuitBreakerFailureRatio,
            MinimumThroughput = o.CircuitBreakerMinimumThroughput,
            SamplingDuration = o.CircuitBreakerSamplingDuration,
            BreakDuration = o.CircuitBreakerBreakDuration,
            ShouldHandle = args => new ValueTask<bool>(IsTransientFailure(args.Outcome, GetState(args.Context))),
            OnOpened = args =>
            {
                GetState(args.Context).Trace?.Verbose(
                    $"circuit breaker opened for {TimeFormat.Duration(args.BreakDuration)} after repeated failures; requests fail fast until then");
                return default;
            },
            OnClosed = args =>
            {
                GetState(args.Context).Trace?.Verbose("circuit breaker closed: the service answered again");
                return default;
            },
        });

        builder.AddTimeout(o.AttemptTimeout);
        return builder.Build();
    }

    private static CallState GetState(ResilienceContext context) => context.Properties.GetValue(StateKey, null!);

    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(ResilienceContext context, CallState state)
    {
        var token = context.CancellationToken;
        var attempt = state.Request.RegisterAttempt();
        var label = $"(attempt {attempt} of {state.Request.MaxAttempts})";
        state.LastKhipuType = KhipuErrorType.Unknown;
        state.DelayFromRetryAfter = false;

        var clone = HttpRequestCloner.Clone(state.Original, state.Body);
        if (state.Trace is { } debugTrace)
        {
            debugTrace.Debug($"{state.Description} request headers {label}: {HeaderRedaction.Format(clone.Headers, clone.Content?.Headers)}");
        }

        var started = _timeProvider.GetTimestamp();
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(clone, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                await ClassifyErrorAsync(response, state, token).ConfigureAwait(false);
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            state.Trace?.Verbose($"{state.Description} -> {(int)response.StatusCode} {response.StatusCode} in {TimeFormat.Milliseconds(elapsed)} {label}"
                + (state.LastKhipuType == KhipuErrorType.Unknown ? string.Empty : $" Khipu error type {state.LastKhipuType}"));
            state.Trace?.Debug($"{state.Description} response headers {label}: {HeaderRedaction.Format(response.Headers, response.Content?.Headers)}");
            return Outcome.FromResult(response);
        }
        catch (Exception ex)
        {
            response?.Dispose();
            var elapsed = _timeProvider.GetElapsedTime(started);
            var what = ex is OperationCanceledException && token.IsCancellationRequested
                ? state.CallerToken.IsCancellationRequested ? "cancelled" : "timed out"
                : ex.GetType().Name + ": " + ex.Message;
            state.Trace?.Verbose($"{state.Description} -> {what} after {TimeFormat.Milliseconds(elapsed)} {label}");
            return Outcome.FromException<HttpResponseMessage>(ex);
        }
    }

    /// <summary>
    /// Buffers a bounded prefix of a non-2xx body so it can be read for Khipu's Error.Type (on a call that applies it,
    /// see <see cref="RequestContext.AppliesKhipuErrorType"/>) and still be returned to the caller; read under the
    /// attempt timeout, so a stalled error body counts as a timed-out attempt.
    /// </summary>
    private async Task ClassifyErrorAsync(HttpResponseMessage response, CallState state, CancellationToken token)
    {
        if (response.Content is null)
        {
            return;
        }

        var original = response.Content;
        byte[] buffer;
        using (var stream = await original.ReadAsStreamAsync().ConfigureAwait(false))
        {
            buffer = await ReadPrefixAsync(stream, _options.MaxErrorBodyBytes, token).ConfigureAwait(false);
        }

        var buffered = new ByteArrayContent(buffer);
        foreach (var header in original.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        response.Content = buffered;
        original.Dispose();

        // Only Khipu's calls: a NEU body shaped like a Khipu envelope (a proxy's, a mock's) must not stop NEU's retries.
        if (!state.Request.AppliesKhipuErrorType)
        {
            return;
        }

        var type = KhipuErrorClassifier.ParseEnvelope(buffer);
        state.LastKhipuType = type;
        if (type == KhipuErrorType.Wait4HoursBeforeRetry)
        {
            state.Request.EarliestRetry = _timeProvider.GetUtcNow() + KhipuErrorClassifier.Wait4HoursDelay;
        }
    }

    private static async Task<byte[]> ReadPrefixAsync(Stream stream, long limit, CancellationToken token)
    {
        using var memory = new MemoryStream();
        var chunk = new byte[8192];
        while (memory.Length < limit)
        {
            var want = (int)Math.Min(chunk.Length, limit - memory.Length);
            var read = await stream.ReadAsync(chunk, 0, want, token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            memory.Write(chunk, 0, read);
        }

        return memory.ToArray();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CallState state)
    {
        if (state.CallerToken.IsCancellationRequested || !IsTransientFailure(outcome, state))
        {
            return false;
        }

        if (!state.Request.CanAttemptAgain)
        {
            state.Trace?.Verbose($"{state.Description}: not retrying: all {state.Request.MaxAttempts} attempts of this call are spent");
            return false;
        }

        if (outcome.Result is { } response
            && RetryAfter.TryGetDelay(response, _timeProvider.GetUtcNow(), out var delay)
            && delay > _options.MaxRetryAfter)
        {
            state.Trace?.Verbose($"{state.Description}: not retrying: the server asked to wait {TimeFormat.Duration(delay)} (Retry-After), more than MaxRetryAfter {TimeFormat.Duration(_options.MaxRetryAfter)}");
            return false;
        }

        return true;
    }

    private static bool IsTransientFailure(Outcome<HttpResponseMessage> outcome, CallState state)
    {
        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or IOException or TimeoutRejectedException;
        }

        var response = outcome.Result;
        if (response is null || !IsTransientStatus(response.StatusCode))
        {
            return false;
        }

        // Khipu's own instruction wins over the status: these mean "the request itself cannot succeed now".
        return !KhipuErrorClassifier.ForbidsRetry(state.LastKhipuType);
    }

    /// <summary>The HTTP statuses retried (Khipu's Error.Type may still forbid it); error advice says whether one was.</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) =>
        (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    private TimeSpan? RetryAfterDelay(Outcome<HttpResponseMessage> outcome, CallState state)
    {
        // A Retry-After of 0 or a date already past (a server clock behind ours) asks for no wait; taking it would send
        // every remaining attempt (billed, on Khipu) back to back, so the exponential backoff decides that wait instead.
        if (outcome.Result is { } response
            && RetryAfter.TryGetDelay(response, _timeProvider.GetUtcNow(), out var delay)
            && delay > TimeSpan.Zero)
        {
            state.DelayFromRetryAfter = true;
            return delay;
        }

        state.DelayFromRetryAfter = false;
        return null;
    }

    private Exception Translate(Exception exception, CallState state)
    {
        if (exception is OperationCanceledException && state.CallerToken.IsCancellationRequested)
        {
            // Keep the caller's own cancellation as it is: the cmdlet layer recognises it as Ctrl+C.
            ExceptionDispatchInfo.Capture(exception).Throw();
        }

        var attempts = state.Request.Attempts;
        switch (exception)
        {
            case TimeoutRejectedException when state.TotalTimedOut:
                state.Trace?.Verbose($"{state.Description} gave up: TotalTimeout of {TimeFormat.Duration(_options.TotalTimeout)} exceeded");
                return new RequestTimeoutException(
                    $"{state.Description} did not complete within the total timeout of {TimeFormat.Duration(_options.TotalTimeout)} (TotalTimeout, retries included; {MessageText.Count(attempts, "attempt")}).",
                    RequestTimeoutKind.Total,
                    _options.TotalTimeout,
                    exception)
                {
                    Attempts = attempts,
                };
            case TimeoutRejectedException:
                return new RequestTimeoutException(
                    $"{state.Description} sent no response within the attempt timeout of {TimeFormat.Duration(_options.AttemptTimeout)} (AttemptTimeout) on {MessageText.Count(attempts, "attempt")}.",
                    RequestTimeoutKind.Attempt,
                    _options.AttemptTimeout,
                    exception)
                {
                    Attempts = attempts,
                };
            case BrokenCircuitException broken:
                var remaining = broken.RetryAfter;
                var when = remaining is { } r ? $"for another {TimeFormat.Duration(r)}" : "for now";
                state.Trace?.Verbose($"{state.Description} not sent: circuit breaker open {when}");
                return new ServiceUnavailableException(
                    $"{state.Description} was not sent: too many recent requests to this service failed, so calls are paused {when}.",
                    remaining,
                    exception);
            case HttpRequestException or IOException:
                return new RequestAttemptException(
                    $"{state.Description} failed after {MessageText.Count(attempts, "attempt")}: {exception.Message}",
                    attempts,
                    exception);
            default:
                ExceptionDispatchInfo.Capture(exception).Throw();
                return exception;
        }
    }

    private sealed class CallState
    {
        public CallState(ResilienceHandler handler, HttpRequestMessage original, byte[]? body, RequestContext request, CancellationToken callerToken)
        {
            Handler = handler;
            Original = original;
            Body = body;
            Request = request;
            CallerToken = callerToken;
            Description = HttpRequestCloner.Describe(original);
        }

        public ResilienceHandler Handler { get; }

        public HttpRequestMessage Original { get; }

        public byte[]? Body { get; }

        public RequestContext Request { get; }

        public IRequestTrace? Trace => Request.Trace;

        public CancellationToken CallerToken { get; }

        public string Description { get; }

        // Attempts of one call are sequential, so these need no synchronisation.
        public KhipuErrorType LastKhipuType { get; set; }

        public bool DelayFromRetryAfter { get; set; }

        public bool TotalTimedOut { get; set; }
    }
}
