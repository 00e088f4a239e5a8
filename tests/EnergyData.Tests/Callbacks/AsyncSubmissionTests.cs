using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>Submitting through a receiver, against a scripted Khipu that answers 202 and then POSTs the result.</summary>
public sealed class AsyncSubmissionTests : IAsyncLifetime, IDisposable
{
    private readonly TemporaryInbox folder = new();
    private readonly HttpClient http = new();
    private CallbackReceiver receiver = null!;
    private ScriptedServer khipu = null!;

    public async Task InitializeAsync()
    {
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        khipu = await ScriptedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await khipu.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        receiver.Dispose();
        http.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Submit_then_callback_then_wait_gives_the_synchronous_row()
    {
        var operationId = Guid.NewGuid().ToString();
        khipu.Enqueue(async context =>
        {
            // The scripted server has consumed the body (it records it); the URL sent is checked below.
            var callbackUrl = receiver.CallbackUrl;
            await ScriptedServer.Status(context, 202, $$"""{"OperationId":"{{operationId}}","Status":"OK","Data":null,"AdditionalInformation":"queued","Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}""");
            _ = Task.Run(async () =>
            {
                // Khipu posts later: wait until the client has filed the operation as pending, so the result is
                // not counted as unsolicited (a result that does come first is still stored and found).
                for (var wait = 0; wait < 200 && !File.Exists(receiver.Inbox.PendingPath(operationId)); wait++)
                {
                    await Task.Delay(25);
                }

                using var poster = new HttpClient();
                await poster.PostAsync(callbackUrl, new StringContent(Envelopes.DebtStatus(operationId, "1234567-8", 777), Encoding.UTF8, "application/json"));
            });
        });
        var client = new KhipuClient(http, khipu.BaseUri);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, null, CancellationToken.None);
        var outcomes = new System.Collections.Generic.List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(20) }).WaitAsync(new[] { PendingOperation.FromOperation(operation) }, null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        Assert.Equal(operationId, operation.OperationId);
        Assert.Equal(new DateTimeOffset(2099, 7, 22, 0, 0, 0, TimeSpan.FromHours(-4)), operation.LifeSpan);
        Assert.Equal(receiver.RedactedCallbackUrl, operation.CallbackUrl);
        Assert.Equal("{\"ClientIdentifier\":\"1234567-8\"}", operation.RequestInputs);
        using var sent = JsonDocument.Parse(khipu.Requests.Single().Body);
        Assert.Equal(receiver.CallbackUrl.AbsoluteUri, sent.RootElement.GetProperty("CallbackUrl").GetString());
        var row = Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results));
        Assert.Equal(777m, row.DebtAmount);
        Assert.Equal("1234567-8", row.ClientIdentifier);
        Assert.Equal(0, receiver.GetStatus().Unsolicited);
    }

    [Fact]
    public async Task The_pending_record_keeps_the_inputs_but_never_the_account_credential_or_the_secret()
    {
        khipu.Enqueue(202, """{"OperationId":"tgr-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);
        var credential = KhipuAccountCredential.FromUserName("tgr-user", new NetworkCredential(string.Empty, "tgr-password-do-not-leak").SecurePassword);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.TgrRequest(credential, true, receiver.CallbackUrl), "tgr-user", "Instalment", receiver, null, CancellationToken.None);

        var record = File.ReadAllText(receiver.Inbox.PendingPath("tgr-1"));
        Assert.DoesNotContain("tgr-password-do-not-leak", record, StringComparison.Ordinal);
        Assert.DoesNotContain(receiver.CallbackUrl.Segments.Last(), record, StringComparison.Ordinal);
        Assert.DoesNotContain("tgr-password-do-not-leak", operation.RequestInputs, StringComparison.Ordinal);
        var stored = receiver.Inbox.ReadPending("tgr-1");
        Assert.NotNull(stored);
        Assert.Equal(KhipuServices.TgrExpiredAgreements, stored!.ServicePath);
        Assert.Equal("Instalment", stored.Input(RequestInputText.DetailKey));
        Assert.Equal("tgr-user", stored.InputIdentifier);
    }

    [Fact]
    public async Task The_debug_trace_shows_the_request_body_without_the_receiver_secret()
    {
        khipu.Enqueue(202, """{"OperationId":"dbg-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);
        var trace = new Khipu.RecordingTrace();

        await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, trace, CancellationToken.None);

        Assert.Contains(receiver.RedactedCallbackUrl, trace.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain(receiver.CallbackUrl.Segments.Last(), trace.DebugText + trace.VerboseText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"OperationId":"ack-1"}""", "ack-1")]
    [InlineData("""{"OperationId":"ack-2","LifeSpan":"2099-07-22T00:00:00-0400"}""", "ack-2")]
    public async Task A_202_acknowledgement_with_only_an_operation_id_gives_the_operation(string body, string operationId)
    {
        // The documents give the 202 no schema: an OperationId alone means "accepted, the result goes to the CallbackUrl".
        khipu.Enqueue(202, body);
        var client = new KhipuClient(http, khipu.BaseUri);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, null, CancellationToken.None);

        Assert.Equal(operationId, operation.OperationId);
        Assert.Null(operation.ResultJson);
        Assert.True(File.Exists(receiver.Inbox.PendingPath(operationId)));
    }

    [Theory]
    [InlineData(202, "[]")]
    [InlineData(202, """{"Status":"OK","Data":null,"LifeSpan":"2099-07-22T00:00:00-0400"}""")]
    [InlineData(200, """{"Status":"OK","Data":null}""")]
    public async Task An_acknowledgement_without_an_operation_id_is_the_inputs_error_naming_it(int status, string body)
    {
        // Accepted and billed, but a row without an OperationId matches no delivery and fails binding in Wait-KhipuOperation.
        khipu.Enqueue(status, body);
        var client = new KhipuClient(http, khipu.BaseUri);

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("2002", receiver.CallbackUrl), "2002", null, receiver, null, CancellationToken.None));

        Assert.StartsWith("Khipu accepted the EnelDebtStatus request for ClientIdentifier 2002 without an OperationId in its answer", error.Message, StringComparison.Ordinal);
        Assert.Contains("The request is billed", error.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", EnergyData.Errors.ErrorMapper.FromException(error, "2002").ErrorId);
        Assert.Empty(Directory.GetFiles(receiver.Inbox.PendingFolder));
    }

    [Fact]
    public async Task A_result_answered_at_once_without_an_operation_id_is_the_inputs_error_naming_it()
    {
        khipu.Enqueue(200, Envelopes.DebtStatus("placeholder", "2001", 1).Replace("\"OperationId\":\"placeholder\",", string.Empty, StringComparison.Ordinal));
        var client = new KhipuClient(http, khipu.BaseUri);

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("2001", receiver.CallbackUrl), "2001", null, receiver, null, CancellationToken.None));

        Assert.StartsWith("Khipu answered the EnelDebtStatus request for ClientIdentifier 2001 at once, with Data but without an OperationId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_stored_long_before_under_the_same_operation_id_is_set_aside_for_the_new_operation()
    {
        // A server that numbers its operations from 1 again (a restart, a fresh test server) gives op-1 a second time;
        // the inbox still holds the first op-1's result from an earlier session.
        StoreEarlierResult("op-1");
        khipu.Enqueue(async context =>
        {
            var callbackUrl = receiver.CallbackUrl;
            await ScriptedServer.Status(context, 202, """{"OperationId":"op-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
            _ = Task.Run(async () =>
            {
                for (var wait = 0; wait < 200 && !File.Exists(receiver.Inbox.PendingPath("op-1")); wait++)
                {
                    await Task.Delay(25);
                }

                using var poster = new HttpClient();
                await poster.PostAsync(callbackUrl, new StringContent(Envelopes.DebtStatus("op-1", "2222222-2", 222), Encoding.UTF8, "application/json"));
            });
        });
        var client = new KhipuClient(http, khipu.BaseUri);
        var trace = new Khipu.RecordingTrace();

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("2222222-2", receiver.CallbackUrl), "2222222-2", null, receiver, trace, CancellationToken.None);
        var outcomes = new System.Collections.Generic.List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(20) }).WaitAsync(new[] { PendingOperation.FromOperation(operation) }, null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        var row = Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results));
        Assert.Equal(222m, row.DebtAmount);
        var setAside = Assert.Single(Directory.GetFiles(Path.Combine(folder.Root, CallbackInbox.SupersededFolderName)));
        Assert.Contains("1111111-1", File.ReadAllText(setAside), StringComparison.Ordinal);
        Assert.Contains("moved to", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_that_overtakes_the_answer_and_meets_an_earlier_result_is_stored_once_that_is_set_aside()
    {
        // A fresh server numbers from 1 again and posts the callback before it answers 202; the inbox still holds an
        // earlier op-3, so the receiver turns the delivery away as a repeat. Setting the old result aside must not lose it.
        StoreEarlierResult("op-3");
        khipu.Enqueue(async context =>
        {
            using (var poster = new HttpClient())
            {
                using var delivered = await poster.PostAsync(receiver.CallbackUrl, new StringContent(Envelopes.DebtStatus("op-3", "3333333-3", 333), Encoding.UTF8, "application/json"));
            }

            await ScriptedServer.Status(context, 202, """{"OperationId":"op-3","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        });
        var client = new KhipuClient(http, khipu.BaseUri);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("3333333-3", receiver.CallbackUrl), "3333333-3", null, receiver, null, CancellationToken.None);
        var outcomes = new System.Collections.Generic.List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(5) }).WaitAsync(new[] { PendingOperation.FromOperation(operation) }, null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        var row = Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results));
        Assert.Equal(333m, row.DebtAmount);
    }

    [Fact]
    public async Task An_earlier_result_that_cannot_be_set_aside_does_not_fail_the_accepted_submission()
    {
        // A file where the superseded folder would go: moving the old result fails, and the billed, accepted request
        // must still give its operation (the old result stays, as before results were set aside).
        var old = StoreEarlierResult("op-4");
        File.WriteAllText(Path.Combine(folder.Root, CallbackInbox.SupersededFolderName), "not a folder");
        khipu.Enqueue(202, """{"OperationId":"op-4","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, null, CancellationToken.None);

        Assert.Equal("op-4", operation.OperationId);
        Assert.True(File.Exists(receiver.Inbox.PendingPath("op-4")));
        Assert.True(File.Exists(old));
    }

    [Fact]
    public async Task A_result_stored_just_now_under_the_operation_id_stays_as_a_delivery_that_came_first()
    {
        // The callback can overtake the 202: a result stored moments ago is this operation's own.
        File.WriteAllText(receiver.Inbox.ResultPath("op-2"), Envelopes.DebtStatus("op-2", "1234567-8", 5));
        khipu.Enqueue(202, """{"OperationId":"op-2","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);

        await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, null, CancellationToken.None);

        Assert.True(receiver.Inbox.HasResult("op-2"));
        Assert.False(Directory.Exists(Path.Combine(folder.Root, CallbackInbox.SupersededFolderName)));
    }

    [Fact]
    public async Task An_invoke_khipu_request_operation_gives_a_khipu_response_even_for_a_known_service()
    {
        // Invoke-KhipuRequest -Async | Wait-KhipuOperation must write what Invoke-KhipuRequest writes synchronously
        // (the envelope, Data as JSON text), not Get-EnelDebtStatus's rows, although the path is Enel's.
        khipu.Enqueue(202, """{"OperationId":"gen-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);
        var data = new System.Collections.Generic.Dictionary<string, object?> { ["ClientIdentifier"] = "1234567-8" };
        var request = new KhipuRequest(KhipuServices.EnelDebtStatus, data, receiver.CallbackUrl) { IsGeneric = true };

        var operation = await AsyncSubmission.SubmitAsync(client, request, null, null, receiver, null, CancellationToken.None);
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(Envelopes.DebtStatus("gen-1", "1234567-8", 313)));
        var rows = await KhipuClient.MapCallbackResultAsync(receiver.Inbox.ReadPending("gen-1")!, body, null, CancellationToken.None);

        Assert.Equal(KhipuServices.GenericDisplayName, operation.Service);
        var response = Assert.IsType<KhipuResponse>(Assert.Single(rows));
        Assert.Equal(KhipuServices.EnelDebtStatus, response.ServicePath);
        Assert.Equal("gen-1", response.OperationId);
        Assert.Contains("313", response.DataJson, StringComparison.Ordinal);

        // The submission took one attempt, but the waiter does not know it (it may run in another session): no count is
        // invented, neither the submission's nor a 0 that would read as "never sent".
        Assert.Null(response.Attempts);
    }

    [Fact]
    public async Task A_result_answered_at_once_despite_the_callback_url_is_filed_in_the_inbox()
    {
        khipu.Enqueue(200, Envelopes.DebtStatus("sync-1", "1234567-8", 42));
        var client = new KhipuClient(http, khipu.BaseUri);

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", receiver.CallbackUrl), "1234567-8", null, receiver, null, CancellationToken.None);

        Assert.NotNull(operation.ResultJson);
        Assert.True(receiver.Inbox.HasResult("sync-1"));
    }

    [Fact]
    public async Task With_an_explicit_callback_url_nothing_is_written_to_the_inbox()
    {
        khipu.Enqueue(202, """{"OperationId":"ext-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);
        var external = new Uri("https://hooks.example.com/khipu/abc");

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1234567-8", external), "1234567-8", null, receiver, null, CancellationToken.None);

        Assert.Equal(external.AbsoluteUri, operation.CallbackUrl);
        Assert.Null(receiver.Inbox.ReadPending("ext-1"));
        Assert.Equal("{\"ClientIdentifier\":\"1234567-8\"}", operation.RequestInputs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_inbox_that_cannot_take_the_pending_record_refuses_the_input_before_anything_is_sent(bool wholeInbox)
    {
        // A file in place of <inbox>/pending, or of the inbox itself: found only after the 202, the billed operation lost
        // its OperationId with an InboxFolderFailed error.
        if (wholeInbox)
        {
            Directory.Delete(folder.Root, recursive: true);
            File.WriteAllText(folder.Root, "a file where the inbox was");
        }
        else
        {
            Directory.Delete(receiver.Inbox.PendingFolder, recursive: true);
            File.WriteAllText(receiver.Inbox.PendingFolder, "a file where pending/ was");
        }

        khipu.Enqueue(202, """{"OperationId":"never-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        var client = new KhipuClient(http, khipu.BaseUri);

        var exception = await Assert.ThrowsAsync<InboxFolderException>(() => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1801", receiver.CallbackUrl), "1801", null, receiver, null, CancellationToken.None));

        Assert.Equal(0, khipu.RequestCount);
        var error = EnergyData.Errors.ErrorMapper.FromException(exception, "1801");
        Assert.Equal("InboxFolderFailed", error.ErrorId);
        Assert.Contains("Nothing was sent for this input, so nothing was billed", exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("Could not create the callback inbox folder '" + (wholeInbox ? folder.Root : receiver.Inbox.PendingFolder) + "'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Start-KhipuCallbackReceiver", error.RecommendedAction, StringComparison.Ordinal);
        if (wholeInbox)
        {
            File.Delete(folder.Root);
        }
    }

    [Fact]
    public async Task A_pending_record_that_fails_after_the_202_still_gives_the_operation_with_a_warning_and_the_result_is_collected()
    {
        // The inbox passed the check before sending, then pending/ was replaced by a file while Khipu answered.
        khipu.Enqueue(async context =>
        {
            Directory.Delete(receiver.Inbox.PendingFolder, recursive: true);
            File.WriteAllText(receiver.Inbox.PendingFolder, "a file where pending/ was");
            await ScriptedServer.Status(context, 202, """{"OperationId":"late-1","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}""");
        });
        var client = new KhipuClient(http, khipu.BaseUri);
        var trace = new Khipu.RecordingTrace();

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1802", receiver.CallbackUrl), "1802", null, receiver, trace, CancellationToken.None);

        Assert.Equal("late-1", operation.OperationId);
        Assert.Equal(receiver.RedactedCallbackUrl, operation.CallbackUrl);
        Assert.Contains("WARNING: Khipu accepted the EnelDebtStatus request for ClientIdentifier 1802 (OperationId late-1), but its pending record could not be written to the inbox:", trace.VerboseText, StringComparison.Ordinal);
        Assert.Contains("collect the result with Wait-KhipuOperation from it", trace.VerboseText, StringComparison.Ordinal);

        // The receiver still stores the delivery in the inbox, and the operation alone maps it.
        using (var delivered = await http.PostAsync(receiver.CallbackUrl, new StringContent(Envelopes.DebtStatus("late-1", "1802", 18), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        var outcomes = new System.Collections.Generic.List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(10) }).WaitAsync(new[] { PendingOperation.FromOperation(operation) }, null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        Assert.Equal(18m, Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results)).DebtAmount);
    }

    /// <summary>An earlier operation's result under <paramref name="operationId"/>, stored an hour ago (client 1111111-1, debt 111).</summary>
    private string StoreEarlierResult(string operationId)
    {
        var path = receiver.Inbox.ResultPath(operationId);
        File.WriteAllText(path, Envelopes.DebtStatus(operationId, "1111111-1", 111));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        return path;
    }
}
