using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace EnergyData.Emulator;

public sealed partial class EmulatorState
{
    private static readonly KhipuEmulatorOptions InitialKhipuOptions = new();
    private readonly ConcurrentDictionary<string, KhipuIssuedToken> khipuTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> khipuCallbackSink = new();
    private readonly ConcurrentQueue<string> khipuTokenQueries = new();
    private long khipuTokenRequests;
    private long khipuGzipResponses;

    /// <summary>Khipu-only switches (CEN total, legacy error shape, gzip, expired tokens).</summary>
    public KhipuEmulatorOptions KhipuOptions { get; private set; } = InitialKhipuOptions.Clone();

    /// <summary>Requests that reached <c>_emulator/oauth/token</c>, granted or not.</summary>
    public long KhipuTokenRequests => Interlocked.Read(ref khipuTokenRequests);

    /// <summary>The query string (with its '?', or empty) of each request that reached the token endpoint, in arrival order.</summary>
    public IReadOnlyList<string> KhipuTokenRequestQueries => khipuTokenQueries.ToArray();

    /// <summary>Khipu responses sent gzip-compressed (with <see cref="KhipuEmulatorOptions.GzipResponses"/>).</summary>
    public long KhipuGzipResponses => Interlocked.Read(ref khipuGzipResponses);

    /// <summary>Bodies POSTed to <c>_emulator/khipu/callback-sink</c>, in arrival order.</summary>
    public IReadOnlyList<string> KhipuCallbackBodies => khipuCallbackSink.ToArray();

    /// <summary>Issues a Bearer token as the token endpoint would, valid for <paramref name="lifetime"/> (default: the configured lifetime).</summary>
    public string IssueKhipuToken(string subject = "emulator-client", TimeSpan? lifetime = null)
    {
        var expires = DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromSeconds(Options.KhipuTokenLifetimeSeconds));
        var token = EmulatorTokens.CreateJwt(subject, expires);
        khipuTokens[token] = new KhipuIssuedToken(subject, expires);
        return token;
    }

    /// <summary>A token the emulator issued that has already expired: the API answers 401 A000 to it.</summary>
    public string IssueExpiredKhipuToken(string subject = "emulator-client") => IssueKhipuToken(subject, TimeSpan.FromSeconds(-60));

    /// <summary>Revokes every token issued so far (as a key rotation would); tokens issued later are valid.</summary>
    public void RevokeKhipuTokens() => khipuTokens.Clear();

    internal KhipuIssuedToken? FindKhipuToken(string token) => khipuTokens.TryGetValue(token, out var issued) ? issued : null;

    internal void CountKhipuTokenRequest(string query)
    {
        Interlocked.Increment(ref khipuTokenRequests);
        khipuTokenQueries.Enqueue(query);
    }

    internal void CountKhipuGzipResponse() => Interlocked.Increment(ref khipuGzipResponses);

    internal void AddKhipuCallbackBody(string body) => khipuCallbackSink.Enqueue(body);

    partial void ResetKhipu()
    {
        KhipuOptions = InitialKhipuOptions.Clone();
        khipuTokens.Clear();
        Interlocked.Exchange(ref khipuTokenRequests, 0);
        Interlocked.Exchange(ref khipuGzipResponses, 0);
        while (khipuCallbackSink.TryDequeue(out _))
        {
        }

        while (khipuTokenQueries.TryDequeue(out _))
        {
        }
    }
}

/// <summary>A token the emulator's token endpoint issued: whose it is and when it expires.</summary>
internal sealed record KhipuIssuedToken(string Subject, DateTimeOffset Expires);
