using System;
using System.Net.Http;
using System.Threading.Tasks;
using EnergyData.Callbacks;
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
}
