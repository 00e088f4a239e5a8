using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>
/// Stopping a receiver while a delivery is still arriving: a plain stop waits for it (up to the read timeout plus
/// 5 seconds, which may be minutes), Ctrl+C (a cancelled token, from Stop-KhipuCallbackReceiver's StopProcessing)
/// closes the listener at once, and a bounded wait (Remove-Module) never takes longer than it says.
/// </summary>
public sealed class CallbackReceiverStopTests : IDisposable
{
    // Long enough that a stop that ignored its token or its limit would plainly hang the test.
    private static readonly TimeSpan LongReadTimeout = TimeSpan.FromSeconds(60);
    private readonly TemporaryInbox folder = new();
    private readonly CallbackReceiver receiver;

    public CallbackReceiverStopTests()
    {
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root, ReadTimeout = LongReadTimeout });
    }

    public void Dispose()
    {
        receiver.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task A_stop_cancelled_while_a_slow_delivery_arrives_closes_at_once_and_counts_it_abandoned()
    {
        using var sender = await StalledDelivery.StartAsync(receiver, "slow-op");
        using var ctrlC = new CancellationTokenSource();
        var stopping = Task.Run(() => receiver.Stop(ctrlC.Token));

        // It waits for the delivery in progress (it would for up to 65 seconds)...
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted, "the stop must wait for a delivery in progress until it is cancelled");

        // ...until Ctrl+C.
        var cancelled = Stopwatch.StartNew();
        await ctrlC.CancelAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {cancelled.Elapsed} after Ctrl+C");
        Assert.False(receiver.IsListening);
        await AbandonedCountReachesAsync(1);
        Assert.Equal(0, receiver.GetStatus().Accepted);
        // Never acknowledged: answered 503 (or, where the platform's listener resets it, nothing at all).
        var answer = await StalledDelivery.ReadAnswerAsync(sender);
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal), answer);
        Assert.False(folder.Inbox.HasResult("slow-op"));
    }

    [Fact]
    public async Task A_stop_with_a_token_already_cancelled_does_not_wait_at_all()
    {
        using var sender = await StalledDelivery.StartAsync(receiver, "slow-op");
        var started = Stopwatch.StartNew();

        receiver.Stop(new CancellationToken(canceled: true));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"the stop took {started.Elapsed}");
        Assert.False(receiver.IsListening);
        await AbandonedCountReachesAsync(1);
    }

    [Fact]
    public async Task A_bounded_stop_waits_no_longer_than_its_limit()
    {
        using var sender = await StalledDelivery.StartAsync(receiver, "slow-op");
        var started = Stopwatch.StartNew();

        receiver.Stop(TimeSpan.FromMilliseconds(400), CancellationToken.None);

        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        await AbandonedCountReachesAsync(1);
        Assert.Equal(LongReadTimeout + CallbackReceiver.StopGrace, receiver.DefaultStopWait);
    }

    [Fact]
    public void A_stop_with_nothing_in_progress_returns_at_once_and_abandons_nothing()
    {
        var started = Stopwatch.StartNew();

        receiver.Stop(CancellationToken.None);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"the stop took {started.Elapsed}");
        Assert.Equal(0, receiver.GetStatus().Abandoned);
    }

    [Fact]
    public async Task A_plain_stop_lets_a_delivery_in_progress_finish_and_stores_its_result_and_turns_new_ones_away()
    {
        using var sender = await StalledDelivery.StartAsync(receiver, "finishing-op");
        var stopping = Task.Run(() => receiver.Stop(CancellationToken.None));
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted);

        // One that arrives while the stop waits is answered 503 (Khipu's delivery fails), never an empty 200.
        using (var http = new System.Net.Http.HttpClient())
        using (var late = await http.PostAsync(receiver.CallbackUrl, new System.Net.Http.StringContent(Envelopes.DebtStatus("late-op", "1", 1))))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, late.StatusCode);
        }

        await sender.GetStream().WriteAsync(Encoding.ASCII.GetBytes(StalledDelivery.Rest("finishing-op")));
        var answer = await StalledDelivery.ReadAnswerAsync(sender);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.True(folder.Inbox.HasResult("finishing-op"));
        Assert.False(folder.Inbox.HasResult("late-op"));
        Assert.Equal(1, receiver.GetStatus().Accepted);
        await AbandonedCountReachesAsync(1);
    }

    // An abandoned delivery's handler counts itself once it has answered; on a loaded machine that can come a little
    // after Stop returns, so the count is awaited (for at most 10 s) rather than read once.
    private async Task AbandonedCountReachesAsync(long expected)
    {
        var waited = Stopwatch.StartNew();
        while (receiver.GetStatus().Abandoned < expected && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected, receiver.GetStatus().Abandoned);
    }
}

/// <summary>A delivery on the secret path that sends its headers and the first bytes of its body, then stalls.</summary>
internal static class StalledDelivery
{
    private const int BodyLength = 100;

    public static async Task<TcpClient> StartAsync(CallbackReceiver receiver, string operationId)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(receiver.CallbackUrl.Host, receiver.CallbackUrl.Port);
        var head = $"POST {receiver.CallbackUrl.AbsolutePath} HTTP/1.1\r\nHost: {receiver.CallbackUrl.Authority}\r\nContent-Type: application/json\r\nContent-Length: {BodyLength}\r\n\r\n" + Start(operationId);
        await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
        var waited = Stopwatch.StartNew();
        while (receiver.DeliveriesInProgress == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, receiver.DeliveriesInProgress);
        return socket;
    }

    /// <summary>The rest of the body <see cref="StartAsync"/> began, completing it to its declared length.</summary>
    public static string Rest(string operationId) => "\"Pad\":\"" + new string('x', BodyLength - Start(operationId).Length - 9) + "\"}";

    /// <summary>What the receiver answered; empty when it closed the connection without an answer.</summary>
    public static async Task<string> ReadAnswerAsync(TcpClient sender)
    {
        var buffer = new byte[1024];
        try
        {
            var read = await sender.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static string Start(string operationId) => "{\"OperationId\":\"" + operationId + "\",";
}
