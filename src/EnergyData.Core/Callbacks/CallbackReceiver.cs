using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Validation;

namespace EnergyData.Callbacks;

/// <summary>
/// Receives Khipu's asynchronous results: an in-process <see cref="HttpListener"/> that accepts a POST only on
/// a path ending with an unguessable secret segment (Khipu's push carries no authentication), caps the body,
/// requires a JSON object with an OperationId, and stores it in the <see cref="CallbackInbox"/> before answering
/// 200. Anything else gets a 4xx, is counted, and the listener keeps serving.
/// </summary>
public sealed class CallbackReceiver : IDisposable
{
    /// <summary>What a stop waits for deliveries in progress, beyond the read timeout (the longest pause of a body).</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    // Once a stop gives up waiting, deliveries still arriving are answered 503 within this, before the listener closes.
    private static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(1);

    private const int SecretBytes = 32;
    private static readonly byte[] AcceptedBody = Encoding.UTF8.GetBytes("{\"Status\":\"OK\"}");

    private readonly HttpListener listener;
    private readonly CallbackReceiverOptions options;
    private readonly byte[] secret;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentDictionary<Task, bool> inFlight = new();
    private readonly Counters counters = new();

    // Deliveries turned away as repeats, kept a while for TryTakeRefusedDelivery, oldest dropped first: a few, since
    // real repeats are rare, and a bounded number of bytes, since a body may be a large bill document.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly LinkedList<(string OperationId, DateTimeOffset At, byte[] Body)> refusedDeliveries = new();
    private long refusedDeliveryBytes;

    // Results stored without a pending record, counted as Unsolicited, the most recent kept (a few thousand ids, so the
    // memory stays bounded): a delivery can overtake Khipu's answer to the request, and the submission that then writes
    // the record takes its result out of that count (NotePendingRecordWritten). Guarded by unsolicitedGate.
    private readonly LinkedList<string> storedWithoutRecordOrder = new();
    private readonly Dictionary<string, LinkedListNode<string>> storedWithoutRecord = new(StringComparer.Ordinal);
    private readonly object unsolicitedGate = new();
    private readonly Task acceptLoop;

    // Completed when a stop gives up waiting: bodies still arriving are then abandoned (answered 503, not stored).
    private readonly TaskCompletionSource<bool> abandoning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Held while the accept loop decides whether a delivery came before the stop and registers it in inFlight, and
    // while Stop marks the receiver stopped and takes the deliveries to wait for: each delivery is either waited for or
    // turned away, never neither.
    private readonly object stopGate = new();
    private int stopped;
    private int closed;

    private CallbackReceiver(HttpListener listener, string prefix, CallbackReceiverOptions options, CallbackInbox inbox, Uri publicBaseUri, string secretSegment)
    {
        this.listener = listener;
        this.options = options;
        ListenPrefix = prefix;
        Inbox = inbox;
        PublicBaseUri = publicBaseUri;
        secret = Encoding.ASCII.GetBytes(secretSegment);
        Diagnostics.KnownSecrets.Register(secretSegment);
        CallbackUrl = new Uri(publicBaseUri, secretSegment);
        RedactedCallbackUrl = new Uri(publicBaseUri, "***").AbsoluteUri;
        StartedAt = DateTimeOffset.UtcNow;
        slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentRequests));
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string ListenPrefix { get; }

    public Uri PublicBaseUri { get; }

    /// <summary>The URL to give Khipu: PublicBaseUri plus the secret segment. Treat it as a secret.</summary>
    public Uri CallbackUrl { get; }

    public string RedactedCallbackUrl { get; }

    public CallbackInbox Inbox { get; }

    public DateTimeOffset StartedAt { get; }

    public bool IsListening => Volatile.Read(ref stopped) == 0 && listener.IsListening;

    /// <summary>Deliveries being read or stored right now.</summary>
    public int DeliveriesInProgress => inFlight.Count;

    /// <summary>The longest a stop waits for deliveries in progress unless told otherwise: the read timeout plus <see cref="StopGrace"/>.</summary>
    public TimeSpan DefaultStopWait => options.ReadTimeout + StopGrace;

    /// <summary>Starts listening. Port 0 in the prefix picks a free port.</summary>
    public static CallbackReceiver Start(CallbackReceiverOptions options)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (options.MaxBodyBytes is < CallbackReceiverOptions.SmallestMaxBodyBytes or > CallbackReceiverOptions.LargestMaxBodyBytes)
        {
            throw new ParameterValidationException("MaxBodySize", $"must be between {CallbackReceiverOptions.SmallestMaxBodyBytes} and {CallbackReceiverOptions.LargestMaxBodyBytes} bytes", $"It was {options.MaxBodyBytes}.");
        }

        var inbox = new CallbackInbox(options.InboxPath);
        inbox.EnsureExists();
        var prefix = NormalizePrefix(options.Prefix);
        var secretSegment = NewSecretSegment();
        for (var attempt = 0; ; attempt++)
        {
            var concrete = prefix.Port == 0 ? WithPort(prefix.Text, FreeLoopbackPort()) : prefix.Text;
            var publicBase = PublicBase(options.PublicBaseUri, concrete);
            var callbackUrl = new Uri(publicBase, secretSegment);
            if (callbackUrl.AbsoluteUri.Length > InputRules.CallbackUrlMaxLength)
            {
                throw new ParameterValidationException("PublicBaseUri", $"must leave room for the secret segment: Khipu accepts a CallbackUrl of at most {InputRules.CallbackUrlMaxLength} characters", $"It would have {callbackUrl.AbsoluteUri.Length}.");
            }

            var listener = new HttpListener();
            listener.Prefixes.Add(concrete);
            try
            {
                listener.Start();
                return new CallbackReceiver(listener, concrete, options, inbox, publicBase, secretSegment);
            }
            catch (HttpListenerException) when (prefix.Port == 0 && attempt < 5)
            {
                // Another process took the free port between the probe and the bind: try another.
                listener.Close();
            }
            catch
            {
                listener.Close();
                throw;
            }
        }
    }

    public CallbackReceiverStatus GetStatus() => new()
    {
        ListenPrefix = ListenPrefix,
        PublicBaseUri = PublicBaseUri,
        RedactedCallbackUrl = RedactedCallbackUrl,
        InboxPath = Inbox.Root,
        IsListening = IsListening,
        StartedAt = StartedAt,
        Received = Interlocked.Read(ref counters.Received),
        Accepted = Interlocked.Read(ref counters.Accepted),
        Duplicates = Interlocked.Read(ref counters.Duplicates),
        Unsolicited = Interlocked.Read(ref counters.Unsolicited),
        RejectedForged = Interlocked.Read(ref counters.Forged),
        RejectedMethod = Interlocked.Read(ref counters.Method),
        RejectedTooLarge = Interlocked.Read(ref counters.TooLarge),
        RejectedMalformed = Interlocked.Read(ref counters.Malformed),
        RejectedTimedOut = Interlocked.Read(ref counters.TimedOut),
        Failed = Interlocked.Read(ref counters.Failed),
        Abandoned = Interlocked.Read(ref counters.Abandoned),
    };

    /// <summary>Replaces the secret segment with *** wherever it appears (for trace lines).</summary>
    public string RedactSecret(string text) =>
        string.IsNullOrEmpty(text) ? text : text.Replace(Encoding.ASCII.GetString(secret), Diagnostics.Redaction.Mask);

    /// <summary>True when <paramref name="url"/> is this receiver's CallbackUrl.</summary>
    public bool Owns(Uri? url) => url is not null && string.Equals(url.AbsoluteUri, CallbackUrl.AbsoluteUri, StringComparison.Ordinal);

    /// <summary>Stops accepting, lets deliveries in progress finish for up to <see cref="DefaultStopWait"/>, then closes.</summary>
    public void Stop() => Stop(null, CancellationToken.None);

    /// <summary>As <see cref="Stop()"/>, but cancelling <paramref name="cancellationToken"/> (Ctrl+C) closes at once.</summary>
    public void Stop(CancellationToken cancellationToken) => Stop(null, cancellationToken);

    /// <summary>
    /// Stops: turns new deliveries away (503) and waits for the deliveries in progress to finish (their results are
    /// stored and answered 200), at most <paramref name="maxWait"/> (<see cref="DefaultStopWait"/> when null) and only
    /// until <paramref name="cancellationToken"/> is cancelled (Ctrl+C). A delivery whose body is still arriving then is
    /// abandoned: answered 503 without being stored, so the sender's delivery fails (Khipu decides whether to deliver
    /// again). Both kinds are counted in <see cref="CallbackReceiverStatus.Abandoned"/>. Then the listener closes, about a
    /// second later at most. Only the first call stops; later ones return at once.
    /// </summary>
    public void Stop(TimeSpan? maxWait, CancellationToken cancellationToken)
    {
        Task[] inProgress;
        lock (stopGate)
        {
            if (Volatile.Read(ref stopped) != 0)
            {
                return;
            }

            Volatile.Write(ref stopped, 1);
            inProgress = inFlight.Keys.ToArray();
        }

        // The listener keeps running while deliveries in progress finish, and answers new ones 503. HttpListener.Stop
        // would not wait for them: on Linux and macOS it closes every open connection at once with an empty 200, an
        // acknowledgement of a result that was never stored.
        var wait = maxWait ?? DefaultStopWait;
        if (!cancellationToken.IsCancellationRequested && wait > TimeSpan.Zero)
        {
            WaitQuietly(Task.WhenAll(inProgress), wait, cancellationToken);
        }

        // Ctrl+C or the end of the wait: what is still arriving is answered 503 at once, then the listener closes.
        abandoning.TrySetResult(true);
        WaitQuietly(Task.WhenAll(inFlight.Keys), AbandonGrace, CancellationToken.None);
        Volatile.Write(ref closed, 1);
        listener.Close();
        WaitQuietly(acceptLoop, AbandonGrace, CancellationToken.None);
    }

    public void Dispose()
    {
        Stop();

        // After a stop that abandoned deliveries, their handlers end on the closed listener later and still release
        // their slots: the semaphore (which holds no wait handle here) is then left to the garbage collector.
        if (inFlight.IsEmpty && acceptLoop.IsCompleted)
        {
            slots.Dispose();
        }
    }

    private static void WaitQuietly(Task task, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            task.Wait((int)Math.Min(int.MaxValue, Math.Ceiling(limit.TotalMilliseconds)), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop waiting.
        }
        catch (AggregateException)
        {
            // Handlers report their own failures as HTTP answers; a stopped listener may fault the last accept.
        }
    }

    internal static bool FixedTimeEquals(byte[] expected, byte[] actual)
    {
        // Every byte of the expected value is compared whatever the input, so timing says nothing about the secret.
        var difference = expected.Length ^ actual.Length;
        for (var index = 0; index < expected.Length; index++)
        {
            difference |= expected[index] ^ (index < actual.Length ? actual[index] : 0);
        }

        return difference == 0;
    }

    private static string NewSecretSegment()
    {
        var bytes = new byte[SecretBytes];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (string Text, int Port) NormalizePrefix(string? prefix)
    {
        var text = InputRules.Required(prefix, "Prefix");
        if (!text.EndsWith("/", StringComparison.Ordinal))
        {
            text += "/";
        }

        // '+' and '*' are HttpListener wildcards: Uri cannot parse them as hosts, so check the rest with a stand-in.
        var parsable = text.Replace("://+", "://wildcard.invalid").Replace("://*", "://wildcard.invalid");
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ParameterValidationException("Prefix", "must be an HttpListener prefix such as http://127.0.0.1:8080/", $"'{prefix}' is not.");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ParameterValidationException("Prefix", "must not have a query or fragment");
        }

        return (text, uri.Port);
    }

    private static string WithPort(string prefix, int port)
    {
        // Replace the authority's port only (the first ":0" after the scheme's "://").
        var hostStart = prefix.IndexOf("://", StringComparison.Ordinal) + 3;
        var pathStart = prefix.IndexOf('/', hostStart);
        var authority = prefix.Substring(hostStart, pathStart - hostStart);
        var colon = authority.LastIndexOf(':');
        var host = colon < 0 ? authority : authority.Substring(0, colon);
        return prefix.Substring(0, hostStart) + host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + prefix.Substring(pathStart);
    }

    private static Uri PublicBase(Uri? publicBaseUri, string concretePrefix)
    {
        if (publicBaseUri is null)
        {
            return new Uri(concretePrefix.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        }

        var checkedUri = InputRules.CallbackUrl(publicBaseUri, "PublicBaseUri");
        if (!string.IsNullOrEmpty(checkedUri.Query) || !string.IsNullOrEmpty(checkedUri.Fragment))
        {
            throw new ParameterValidationException("PublicBaseUri", "must not have a query or fragment");
        }

        return checkedUri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? checkedUri : new Uri(checkedUri.AbsoluteUri + "/");
    }

    private static int FreeLoopbackPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }

    private async Task AcceptLoopAsync()
    {
        // Runs until the listener closes, also while a stop waits for deliveries (those arriving then are answered 503).
        while (Volatile.Read(ref closed) == 0)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                if (Volatile.Read(ref closed) != 0 || !listener.IsListening)
                {
                    return;
                }

                continue;
            }

            // Whether it came before or after the stop is decided here, together with registering it where the stop
            // looks (inFlight, under stopGate), not when its handler first runs: on a busy machine that can be after a
            // stop that was already waiting for it. One still waiting for a free slot when the stop begins is a new one.
            await slots.WaitAsync().ConfigureAwait(false);
            Task task;
            lock (stopGate)
            {
                var arrivedWhileStopping = Volatile.Read(ref stopped) != 0;
                task = Task.Run(() => HandleAsync(context, arrivedWhileStopping));
                inFlight[task] = true;
            }
            _ = task.ContinueWith(
                finished =>
                {
                    // Released before it leaves inFlight, so Dispose never disposes the semaphore under a Release.
                    slots.Release();
                    inFlight.TryRemove(finished, out _);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(HttpListenerContext context, bool arrivedWhileStopping)
    {
        Interlocked.Increment(ref counters.Received);
        var response = context.Response;
        var answered = false;
        try
        {
            var (status, message) = await ProcessAsync(context.Request, arrivedWhileStopping).ConfigureAwait(false);
            answered = true;
            var body = status == HttpStatusCode.OK ? AcceptedBody : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { Status = "ERROR", Message = message }));
            response.StatusCode = (int)status;
            response.ContentType = "application/json";
            response.KeepAlive = status == HttpStatusCode.OK;
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
            response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The sender went away, or the listener closed under the request; nothing to answer. An acknowledged result
            // is already on disk.
            if (!answered && Volatile.Read(ref stopped) != 0)
            {
                Interlocked.Increment(ref counters.Abandoned);
            }

            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    private async Task<(HttpStatusCode Status, string Message)> ProcessAsync(HttpListenerRequest request, bool arrivedWhileStopping)
    {
        var segment = LastSegment(request.Url?.AbsolutePath);
        if (!FixedTimeEquals(secret, Encoding.UTF8.GetBytes(segment)))
        {
            Interlocked.Increment(ref counters.Forged);
            return (HttpStatusCode.NotFound, "Not found.");
        }

        if (!string.Equals(request.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref counters.Method);
            return ((HttpStatusCode)405, "Only POST is accepted.");
        }

        if (arrivedWhileStopping)
        {
            // Arrived while a stop waits for the deliveries before it: not read, not stored.
            Interlocked.Increment(ref counters.Abandoned);
            return (HttpStatusCode.ServiceUnavailable, "The receiver is stopping; the result was not stored.");
        }

        if (request.ContentLength64 > options.MaxBodyBytes)
        {
            Interlocked.Increment(ref counters.TooLarge);
            return ((HttpStatusCode)413, "The body is larger than the limit.");
        }

        var read = await ReadBodyAsync(request).ConfigureAwait(false);
        if (read.Abandoned)
        {
            Interlocked.Increment(ref counters.Abandoned);
            return (HttpStatusCode.ServiceUnavailable, "The receiver is stopping; the result was not stored.");
        }

        if (read.TimedOut)
        {
            Interlocked.Increment(ref counters.TimedOut);
            return (HttpStatusCode.RequestTimeout, "The body did not arrive in time.");
        }

        if (read.TooLarge)
        {
            Interlocked.Increment(ref counters.TooLarge);
            return ((HttpStatusCode)413, "The body is larger than the limit.");
        }

        // Khipu's document does not say how the body is encoded: a compressed body is inflated, and a body in another
        // charset than UTF-8 (which the inbox and every reader of it expect) is turned into UTF-8, so that what is
        // acknowledged can be read later; what cannot be is refused now, while the sender can still be told.
        var (body, refusal) = Decode(read.Body, request.Headers["Content-Encoding"], request.ContentType);
        if (body is null)
        {
            Interlocked.Increment(ref refusal.Status == (HttpStatusCode)413 ? ref counters.TooLarge : ref counters.Malformed);
            return refusal;
        }

        var operationId = OperationIdOf(body);
        if (operationId is null)
        {
            Interlocked.Increment(ref counters.Malformed);
            return (HttpStatusCode.BadRequest, "The body must be a JSON object with a string OperationId.");
        }

        try
        {
            var outcome = await Inbox.TryAddResultAsync(operationId, body, CancellationToken.None).ConfigureAwait(false);
            if (outcome == InboxWriteResult.Duplicate)
            {
                Interlocked.Increment(ref counters.Duplicates);
                RememberRefusedDelivery(operationId, body);
                return (HttpStatusCode.OK, "Already received.");
            }

            Interlocked.Increment(ref counters.Accepted);
            CountIfUnsolicited(operationId);
            return (HttpStatusCode.OK, "Stored.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not stored, so not acknowledged: Khipu's delivery will come again.
            Interlocked.Increment(ref counters.Failed);
            return (HttpStatusCode.InternalServerError, "The result could not be stored.");
        }
    }

    private async Task<BodyRead> ReadBodyAsync(HttpListenerRequest request)
    {
        var limit = options.MaxBodyBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        var stream = request.InputStream;
        while (true)
        {
            // The timeout is for the next bytes, not the whole body: only a sender that knows the secret path gets
            // here, and a large result (a bill document) on a slow link must not be refused while it is arriving.
            using var idle = new CancellationTokenSource();
            var reading = stream.ReadAsync(chunk, 0, chunk.Length);
            var stalled = Task.Delay(options.ReadTimeout, idle.Token);
            var first = await Task.WhenAny(reading, stalled, abandoning.Task).ConfigureAwait(false);
            if (first != reading)
            {
                // The read is abandoned; closing the connection ends it. Observe its fault so it is not reported later.
                idle.Cancel();
                _ = reading.ContinueWith(abandoned => abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return first == stalled
                    ? new BodyRead(Array.Empty<byte>(), TimedOut: true, TooLarge: false)
                    : new BodyRead(Array.Empty<byte>(), TimedOut: false, TooLarge: false, Abandoned: true);
            }

            idle.Cancel();
            var count = await reading.ConfigureAwait(false);
            if (count == 0)
            {
                return new BodyRead(buffer.ToArray(), TimedOut: false, TooLarge: false);
            }

            if (buffer.Length + count > limit)
            {
                return new BodyRead(Array.Empty<byte>(), TimedOut: false, TooLarge: true);
            }

            buffer.Write(chunk, 0, count);
        }
    }

    /// <summary>
    /// The body as UTF-8 JSON bytes: inflated when it says it is gzip or deflate (at most MaxBodyBytes once inflated),
    /// and transcoded when its Content-Type names another charset. Null, with the answer to give, when it cannot be.
    /// </summary>
    private (byte[]? Body, (HttpStatusCode Status, string Message) Refusal) Decode(byte[] body, string? contentEncoding, string? contentType)
    {
        var coding = contentEncoding?.Trim();
        if (!string.IsNullOrEmpty(coding) && !string.Equals(coding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            Stream? inflating = string.Equals(coding, "gzip", StringComparison.OrdinalIgnoreCase) ? new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)
                : string.Equals(coding, "deflate", StringComparison.OrdinalIgnoreCase) ? new System.IO.Compression.DeflateStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)
                : null;
            if (inflating is null)
            {
                return (null, ((HttpStatusCode)415, $"Content-Encoding '{coding}' is not accepted (gzip, deflate or none)."));
            }

            using (inflating)
            using (var inflated = new MemoryStream())
            {
                try
                {
                    var chunk = new byte[16 * 1024];
                    int count;
                    while ((count = inflating.Read(chunk, 0, chunk.Length)) > 0)
                    {
                        if (inflated.Length + count > options.MaxBodyBytes)
                        {
                            return (null, ((HttpStatusCode)413, "The body is larger than the limit once inflated."));
                        }

                        inflated.Write(chunk, 0, count);
                    }
                }
                catch (InvalidDataException)
                {
                    return (null, (HttpStatusCode.BadRequest, $"The body is not valid {coding} data."));
                }

                body = inflated.ToArray();
            }
        }

        var charset = System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType) ? mediaType.CharSet?.Trim('"') : null;
        if (!string.IsNullOrEmpty(charset) && !string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) && !string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return (Encoding.UTF8.GetBytes(Encoding.GetEncoding(charset).GetString(body)), default);
            }
            catch (ArgumentException)
            {
                return (null, ((HttpStatusCode)415, $"The charset '{charset}' is not known; send UTF-8."));
            }
        }

        try
        {
            _ = StrictUtf8.GetCharCount(body);
        }
        catch (DecoderFallbackException)
        {
            return (null, (HttpStatusCode.BadRequest, "The body is not UTF-8 and its Content-Type names no charset; send UTF-8 (RFC 8259)."));
        }

        return (body, default);
    }

    private static string? OperationIdOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(Json.ByteOrderMark.Skip(body));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !Json.JsonProperties.TryGetIgnoringCase(root, "OperationId", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var text = id.GetString();
            return string.IsNullOrWhiteSpace(text) || text!.Length > 200 ? null : text;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string LastSegment(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return string.Empty;
        }

        var trimmed = path!.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return Uri.UnescapeDataString(slash < 0 ? trimmed : trimmed.Substring(slash + 1));
    }

    /// <summary>
    /// Tells the receiver that a submission has just written the pending record of <paramref name="operationId"/>. A
    /// result of it stored before, with no record yet (its delivery overtook Khipu's answer to the request), was counted
    /// as unsolicited: it is this session's own after all, and leaves that count.
    /// </summary>
    public void NotePendingRecordWritten(string operationId)
    {
        lock (unsolicitedGate)
        {
            if (storedWithoutRecord.TryGetValue(operationId, out var node))
            {
                storedWithoutRecord.Remove(operationId);
                storedWithoutRecordOrder.Remove(node);
                Interlocked.Decrement(ref counters.Unsolicited);
            }
        }
    }

    private void CountIfUnsolicited(string operationId)
    {
        // The check and the count under the gate NotePendingRecordWritten takes: a record written between them would
        // otherwise leave this result counted as unsolicited for good.
        lock (unsolicitedGate)
        {
            if (File.Exists(Inbox.PendingPath(operationId)))
            {
                return;
            }

            Interlocked.Increment(ref counters.Unsolicited);
            if (storedWithoutRecord.ContainsKey(operationId))
            {
                return;
            }

            if (storedWithoutRecord.Count >= MaxRememberedUnsolicited)
            {
                // The oldest stays counted as unsolicited: a submission that answered so much later is not this session's.
                storedWithoutRecord.Remove(storedWithoutRecordOrder.First!.Value);
                storedWithoutRecordOrder.RemoveFirst();
            }

            storedWithoutRecord[operationId] = storedWithoutRecordOrder.AddLast(operationId);
        }
    }

    /// <summary>
    /// The latest delivery of <paramref name="operationId"/> that was turned away as a repeat at or after
    /// <paramref name="since"/>, taken out of the receiver's memory. A submission that finds an earlier operation's
    /// result under its new OperationId (see AsyncSubmission) sets that result aside; if its own delivery overtook the
    /// answer to the request, it met the old file and was turned away, and is stored from here instead of being lost.
    /// </summary>
    public bool TryTakeRefusedDelivery(string operationId, DateTimeOffset since, out byte[] body)
    {
        lock (refusedDeliveries)
        {
            for (var node = refusedDeliveries.Last; node is not null; node = node.Previous)
            {
                if (string.Equals(node.Value.OperationId, operationId, StringComparison.Ordinal) && node.Value.At >= since)
                {
                    body = node.Value.Body;
                    refusedDeliveryBytes -= body.Length;
                    refusedDeliveries.Remove(node);
                    return true;
                }
            }
        }

        body = [];
        return false;
    }

    private void RememberRefusedDelivery(string operationId, byte[] body)
    {
        if (body.Length > MaxRefusedDeliveryBytes)
        {
            return;
        }

        lock (refusedDeliveries)
        {
            while (refusedDeliveries.Count > 0 && (refusedDeliveries.Count >= MaxRefusedDeliveries || refusedDeliveryBytes + body.Length > MaxRefusedDeliveryBytes))
            {
                refusedDeliveryBytes -= refusedDeliveries.First!.Value.Body.Length;
                refusedDeliveries.RemoveFirst();
            }

            refusedDeliveries.AddLast((operationId, DateTimeOffset.UtcNow, body));
            refusedDeliveryBytes += body.Length;
        }
    }

    private const int MaxRefusedDeliveries = 64;

    private const int MaxRememberedUnsolicited = 4096;

    private const long MaxRefusedDeliveryBytes = 64L * 1024 * 1024;

    private readonly record struct BodyRead(byte[] Body, bool TimedOut, bool TooLarge, bool Abandoned = false);

    private sealed class Counters
    {
        public long Received;
        public long Accepted;
        public long Duplicates;
        public long Unsolicited;
        public long Forged;
        public long Method;
        public long TooLarge;
        public long Malformed;
        public long TimedOut;
        public long Failed;
        public long Abandoned;
    }
}
