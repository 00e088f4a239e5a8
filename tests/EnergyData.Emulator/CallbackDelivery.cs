using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Emulator;

/// <summary>How the emulator misbehaves when it delivers callbacks, as a real sender over the internet may.</summary>
public sealed class CallbackDeliveryOptions
{
    /// <summary>Up to this many extra milliseconds, chosen at random per delivery, so results arrive out of order.</summary>
    public int JitterMilliseconds { get; set; }

    /// <summary>Extra copies of every result, each delivered independently (duplicate delivery).</summary>
    public int Duplicates { get; set; }

    /// <summary>Attempts per delivery; a non-2xx answer or a failed connection is tried again up to this many times.</summary>
    public int MaxAttempts { get; set; } = 1;

    public int RetryDelayMilliseconds { get; set; } = 20;

    /// <summary>The first this-many attempts of each delivery are lost in transit (never sent), to exercise retries.</summary>
    public int LostAttempts { get; set; }

    /// <summary>Each delivery sends half of its body, then pauses this long before the rest (a slow link).</summary>
    public int StallMilliseconds { get; set; }

    /// <summary>
    /// The answer to a request waits until its result has been delivered (every copy, every attempt): the delivery
    /// overtakes the 202, as one over the internet may when the answer is slow to reach the client.
    /// </summary>
    public bool BeforeAnswer { get; set; }

    public CallbackDeliveryOptions Clone() => (CallbackDeliveryOptions)MemberwiseClone();
}

/// <summary>
/// Posts asynchronous Khipu results to their CallbackUrl after <see cref="EmulatorOptions.CallbackDelayMilliseconds"/>,
/// as Khipu does: unauthenticated JSON, no signature. <see cref="Options"/> adds jitter (out-of-order delivery),
/// duplicates, lost attempts and retries.
/// </summary>
public sealed class CallbackDelivery : IAsyncDisposable
{
    private readonly EmulatorState state;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource stopping = new();
    private long delivered;
    private long failed;
    private long attempts;
    private long abandoned;
    private int pending;

    public CallbackDelivery(EmulatorState state)
    {
        this.state = state;
    }

    /// <summary>Delivery behaviour; tests change it between requests. Reset restores the defaults.</summary>
    public CallbackDeliveryOptions Options { get; private set; } = new();

    /// <summary>Callbacks answered with a 2xx.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Attempts that failed (non-2xx, no answer, or lost in transit).</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Every attempt, lost ones included.</summary>
    public long Attempts => Interlocked.Read(ref attempts);

    /// <summary>Deliveries given up after <see cref="CallbackDeliveryOptions.MaxAttempts"/> failed attempts.</summary>
    public long Abandoned => Interlocked.Read(ref abandoned);

    /// <summary>Deliveries scheduled and not yet finished.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Schedules the POST of <paramref name="jsonBody"/> to <paramref name="callbackUrl"/> (and its duplicates).</summary>
    public void Schedule(Uri callbackUrl, string jsonBody) => _ = ScheduleAsync(callbackUrl, jsonBody);

    /// <summary>
    /// As <see cref="Schedule"/>, with a task that ends when every copy has been delivered or given up (an answer waits
    /// for it with <see cref="CallbackDeliveryOptions.BeforeAnswer"/>).
    /// </summary>
    public Task ScheduleAsync(Uri callbackUrl, string jsonBody)
    {
        var options = Options.Clone();
        var copies = new List<Task>();
        for (var copy = 0; copy <= Math.Max(0, options.Duplicates); copy++)
        {
            Interlocked.Increment(ref pending);
            var delay = state.Options.CallbackDelayMilliseconds + (options.JitterMilliseconds > 0 ? Random.Shared.Next(options.JitterMilliseconds + 1) : 0);
            copies.Add(Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(delay, stopping.Token).ConfigureAwait(false);
                    await DeliverAsync(callbackUrl, jsonBody, options).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref pending);
                }
            }));
        }

        return Task.WhenAll(copies);
    }

    /// <summary>Waits until every scheduled delivery has finished (delivered or abandoned).</summary>
    public async Task WhenIdleAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (Pending > 0)
        {
            await Task.Delay(10, timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(Uri callbackUrl, string jsonBody, CallbackDeliveryOptions options)
    {
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref attempts);
            if (attempt <= options.LostAttempts || !await PostAsync(callbackUrl, jsonBody, options.StallMilliseconds).ConfigureAwait(false))
            {
                Interlocked.Increment(ref failed);
                if (attempt >= Math.Max(1, options.MaxAttempts))
                {
                    Interlocked.Increment(ref abandoned);
                    return;
                }

                await Task.Delay(options.RetryDelayMilliseconds, stopping.Token).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref delivered);
            return;
        }
    }

    private async Task<bool> PostAsync(Uri callbackUrl, string jsonBody, int stallMilliseconds)
    {
        try
        {
            using HttpContent content = stallMilliseconds > 0
                ? new StallingContent(Encoding.UTF8.GetBytes(jsonBody), stallMilliseconds, stopping.Token)
                : new StringContent(jsonBody, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(callbackUrl, content, stopping.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>A JSON body sent in two halves with a pause between them; its length is declared up front.</summary>
    private sealed class StallingContent : HttpContent
    {
        private readonly byte[] body;
        private readonly int stallMilliseconds;
        private readonly CancellationToken stopping;

        public StallingContent(byte[] body, int stallMilliseconds, CancellationToken stopping)
        {
            this.body = body;
            this.stallMilliseconds = stallMilliseconds;
            this.stopping = stopping;
            Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = body.Length / 2;
            await stream.WriteAsync(body.AsMemory(0, half)).ConfigureAwait(false);
            await stream.FlushAsync().ConfigureAwait(false);
            await Task.Delay(stallMilliseconds, stopping).ConfigureAwait(false);
            await stream.WriteAsync(body.AsMemory(half)).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    internal void Clear()
    {
        Options = new CallbackDeliveryOptions();
        Interlocked.Exchange(ref delivered, 0);
        Interlocked.Exchange(ref failed, 0);
        Interlocked.Exchange(ref attempts, 0);
        Interlocked.Exchange(ref abandoned, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        stopping.Dispose();
        client.Dispose();
    }
}
