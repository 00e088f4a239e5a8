using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Emulator;

/// <summary>
/// Posts asynchronous Khipu results to their CallbackUrl after <see cref="EmulatorOptions.CallbackDelayMilliseconds"/>,
/// as Khipu does: unauthenticated JSON, no signature.
/// </summary>
public sealed class CallbackDelivery : IAsyncDisposable
{
    private readonly EmulatorState state;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource stopping = new();
    private long delivered;
    private long failed;
    private int pending;

    public CallbackDelivery(EmulatorState state)
    {
        this.state = state;
    }

    /// <summary>Callbacks answered with a 2xx.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Callbacks that failed (non-2xx or no answer).</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Callbacks scheduled and not yet attempted.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Schedules the POST of <paramref name="jsonBody"/> to <paramref name="callbackUrl"/>.</summary>
    public void Schedule(Uri callbackUrl, string jsonBody)
    {
        Interlocked.Increment(ref pending);
        var delay = state.Options.CallbackDelayMilliseconds;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, stopping.Token).ConfigureAwait(false);
                await PostAsync(callbackUrl, jsonBody).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        });
    }

    private async Task PostAsync(Uri callbackUrl, string jsonBody)
    {
        try
        {
            using var content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(callbackUrl, content, stopping.Token).ConfigureAwait(false);
            Interlocked.Increment(ref response.IsSuccessStatusCode ? ref delivered : ref failed);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref failed);
        }
    }

    internal void Clear()
    {
        Interlocked.Exchange(ref delivered, 0);
        Interlocked.Exchange(ref failed, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        stopping.Dispose();
        client.Dispose();
    }
}
