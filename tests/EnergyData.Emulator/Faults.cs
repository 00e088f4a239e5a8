using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace EnergyData.Emulator;

/// <summary>What an injected fault does to one request.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>Answers <see cref="FaultSpec.HttpStatus"/> (default 500) with a Khipu-shaped error body.</summary>
    HttpStatus,

    /// <summary>503 with a Khipu-shaped error body.</summary>
    ServiceUnavailable,

    /// <summary>429 with <c>Retry-After: RetryAfterSeconds</c>.</summary>
    TooManyRequests,

    /// <summary>Closes the connection without a response.</summary>
    DropConnection,

    /// <summary>Waits <see cref="FaultSpec.DelayMilliseconds"/> before handling the request normally.</summary>
    Delay,

    /// <summary>Starts a 200 JSON body and aborts it half-way.</summary>
    TruncatedJson,

    /// <summary>HTTP 200 with <c>Status: ERROR</c> and <c>Error{Code, Type, Description}</c> from the spec.</summary>
    KhipuError,

    /// <summary>HTTP 200 with <c>Status: ERROR</c> and <c>Error: null</c>.</summary>
    KhipuErrorWithoutError,

    /// <summary>An HTML error page (status from <see cref="FaultSpec.HttpStatus"/>, default 502).</summary>
    HtmlPage,

    /// <summary>200 with a body that is not JSON.</summary>
    InvalidJson,

    /// <summary>200 with JSON of the wrong shape (an array where an envelope is expected).</summary>
    WrongShape,

    /// <summary>200 with a valid JSON body of <see cref="FaultSpec.SizeBytes"/> bytes.</summary>
    Oversized,

    /// <summary>200 whose body trickles one byte every <see cref="FaultSpec.DelayMilliseconds"/> (default 1000).</summary>
    SlowBody,

    /// <summary>204 No Content, no body: how many REST servers answer an empty result or a page past the last.</summary>
    NoContent,

    /// <summary>
    /// <see cref="FaultSpec.HttpStatus"/> (default 400) whose error text, <c>detail</c> and <c>X-Debug-Authorization</c>
    /// header echo the request's credentials and body, as careless servers do: the client must not show them.
    /// </summary>
    EchoCredentials,

    /// <summary>
    /// 200 with an error object in place of the answer, <c>{"detail": ErrorDescription}</c>: a Django REST Framework
    /// error (NEU's errors have that shape) sent with a success status, by the application or a proxy in front of it.
    /// </summary>
    DetailWithSuccess,
}

/// <summary>One injected fault, matched against API requests in the order faults were added.</summary>
public sealed class FaultSpec
{
    public FaultKind Kind { get; set; }

    /// <summary>Only requests whose path contains this text (case-insensitive); null matches every API request.</summary>
    public string? PathContains { get; set; }

    /// <summary>Only requests whose body contains this text (ordinal), e.g. one ClientIdentifier; null matches any body.</summary>
    public string? BodyContains { get; set; }

    /// <summary>How many requests it applies to; 0 or less means every matching request until cleared.</summary>
    public int Count { get; set; } = 1;

    /// <summary>When set (0..1), each matching request draws against it (seeded, so runs repeat).</summary>
    public double? Probability { get; set; }

    public int? HttpStatus { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public int DelayMilliseconds { get; set; }

    public long SizeBytes { get; set; } = 64 * 1024 * 1024;

    public string ErrorCode { get; set; } = "E001";

    public string ErrorType { get; set; } = "DO_NOT_RETRY";

    public string ErrorDescription { get; set; } = "Injected fault";
}

/// <summary>The pending faults. Thread-safe; a seeded random source keeps probabilistic runs repeatable.</summary>
public sealed class FaultInjector
{
    private readonly object gate = new();
    private readonly List<FaultSpec> pending = new();
    private Random random = new(20261201);

    private volatile bool matchesBodies;

    /// <summary>Some pending fault selects requests by body, so the middleware must read bodies.</summary>
    public bool MatchesBodies => matchesBodies;

    public void Add(FaultSpec fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (gate)
        {
            pending.Add(fault);
            matchesBodies |= fault.BodyContains is not null;
        }
    }

    /// <summary>Sets the seed for probabilistic faults.</summary>
    public void Seed(int seed)
    {
        lock (gate)
        {
            random = new Random(seed);
        }
    }

    public int PendingCount
    {
        get
        {
            lock (gate)
            {
                return pending.Count;
            }
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            pending.Clear();
            matchesBodies = false;
        }
    }

    /// <summary>The fault for this request, if any, consuming one use of it.</summary>
    public FaultSpec? Take(string path, string? body = null)
    {
        lock (gate)
        {
            for (var index = 0; index < pending.Count; index++)
            {
                var fault = pending[index];
                if (fault.PathContains is { } part && !path.Contains(part, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (fault.BodyContains is { } text && (body is null || !body.Contains(text, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (fault.Probability is { } probability && random.NextDouble() >= probability)
                {
                    continue;
                }

                if (fault.Count > 0 && --fault.Count == 0)
                {
                    pending.RemoveAt(index);
                }

                return fault;
            }

            return null;
        }
    }
}
