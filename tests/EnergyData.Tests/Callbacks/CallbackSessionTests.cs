using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>The session receiver is process-wide; only this class touches it.</summary>
public sealed class CallbackSessionTests : IDisposable
{
    private readonly TemporaryInbox folder = new();

    public void Dispose()
    {
        CallbackSession.Stop();
        folder.Dispose();
    }

    [Fact]
    public async Task One_receiver_runs_per_session_and_stop_closes_it_and_returns_its_counters()
    {
        var receiver = CallbackSession.Start(new CallbackReceiverOptions { InboxPath = folder.Root });

        Assert.Same(receiver, CallbackSession.Current);
        Assert.Throws<InvalidOperationException>(() => CallbackSession.Start(new CallbackReceiverOptions { InboxPath = folder.Root }));
        Assert.Equal(folder.Inbox.Root, CallbackSession.ResolveInbox(null).Root);

        using (var http = new HttpClient())
        {
            using var response = await http.PostAsync(receiver.CallbackUrl, new StringContent(Envelopes.DebtStatus("s-1", "1", 1)));
            response.EnsureSuccessStatusCode();
        }

        var final = CallbackSession.Stop();

        Assert.NotNull(final);
        Assert.Equal(1, final!.Accepted);
        Assert.False(final.IsListening);
        Assert.Null(CallbackSession.Current);
        Assert.Null(CallbackSession.Stop());
        Assert.Equal(CallbackSession.DefaultInboxPath, CallbackSession.ResolveInbox(null).Root);
        Assert.Equal(folder.Root, CallbackSession.ResolveInbox(folder.Root).Root);
    }

    [Fact]
    public async Task A_callback_url_given_by_hand_that_is_the_session_receivers_is_redacted_and_filed_as_pending()
    {
        var receiver = CallbackSession.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        await using var khipu = await ScriptedServer.StartAsync();
        khipu.Enqueue(context => ScriptedServer.Status(context, 202, """{"OperationId":"by-hand-1","Status":"OK","Data":null,"Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}"""));
        khipu.Enqueue(context => ScriptedServer.Status(context, 202, """{"OperationId":"elsewhere-1","Status":"OK","Data":null,"Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}"""));
        using var http = new HttpClient();
        var client = new KhipuClient(http, khipu.BaseUri);

        // No receiver passed: what a cmdlet given -CallbackUrl (not -Async) does.
        var own = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, null, null, CancellationToken.None);
        var elsewhere = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", new Uri("https://hooks.example.com/khipu/abc")), "1234567-8", null, null, null, CancellationToken.None);

        Assert.Equal(receiver.RedactedCallbackUrl, own.CallbackUrl);
        Assert.True(System.IO.File.Exists(receiver.Inbox.PendingPath("by-hand-1")));
        Assert.Equal("https://hooks.example.com/khipu/abc", elsewhere.CallbackUrl);
        Assert.False(System.IO.File.Exists(receiver.Inbox.PendingPath("elsewhere-1")));
    }

    [Fact]
    public async Task Module_removal_waits_a_few_seconds_at_most_for_a_delivery_in_progress()
    {
        // What CallbackReceiverCleanup.OnRemove does; the receiver's own wait would be ten minutes and five seconds.
        var receiver = CallbackSession.Start(new CallbackReceiverOptions { InboxPath = folder.Root, ReadTimeout = TimeSpan.FromMinutes(10) });
        using var sender = await StalledDelivery.StartAsync(receiver, "in-progress");
        var started = Stopwatch.StartNew();

        var final = CallbackSession.Stop(CallbackSession.ModuleRemovalWait, CancellationToken.None);

        Assert.True(CallbackSession.ModuleRemovalWait <= TimeSpan.FromSeconds(5));
        Assert.True(started.Elapsed < CallbackSession.ModuleRemovalWait + TimeSpan.FromSeconds(3), $"the stop took {started.Elapsed}");
        Assert.Equal(1, final!.Abandoned);
        Assert.False(final.IsListening);
        Assert.Null(CallbackSession.Current);
    }

    [Fact]
    public async Task Stop_with_ctrl_c_closes_the_session_receiver_at_once()
    {
        var receiver = CallbackSession.Start(new CallbackReceiverOptions { InboxPath = folder.Root, ReadTimeout = TimeSpan.FromMinutes(10) });
        using var sender = await StalledDelivery.StartAsync(receiver, "in-progress");
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = Stopwatch.StartNew();

        var final = CallbackSession.Stop(null, ctrlC.Token);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {started.Elapsed}");
        Assert.Equal(1, final!.Abandoned);
        Assert.Null(CallbackSession.Current);
    }
}
