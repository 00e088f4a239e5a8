using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Callbacks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Khipu;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>
/// Through the emulator's Khipu services in callback mode (202, then delivery to the receiver): every
/// asynchronous result maps to the same rows as the synchronous call.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class EmulatorEndToEndTests : IDisposable
{
    // The OperationId of Khipu's documents' examples, which a server built from them may give every request.
    private const string ExampleOperationId = "6baf6c19-e485-463b-ae24-a821b025c8a4";

    private static readonly KhipuAccountCredential Account = KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());
    private readonly EmulatorServer server;
    private readonly TemporaryInbox folder = new();
    private readonly CallbackReceiver receiver;
    private readonly EnergyDataConnection connection;

    public EmulatorEndToEndTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        connection = KhipuTestConnections.WithApiKey(server);
    }

    public void Dispose()
    {
        connection.Dispose();
        receiver.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Enel_debt_status_async_rows_equal_the_synchronous_rows_and_errors_keep_their_code()
    {
        var client = connection.GetKhipuClient();
        server.State.Callbacks.Options.JitterMilliseconds = 100;
        server.State.Callbacks.Options.Duplicates = 1;
        var identifiers = new[] { "1234567-8", "3049812-1", "7766554", "778890" };
        var synchronous = new List<EnelDebtStatus>();
        foreach (var identifier in identifiers)
        {
            synchronous.Add(await client.GetEnelDebtStatusAsync(identifier, null, CancellationToken.None));
        }

        var operations = new List<KhipuOperation>();
        foreach (var identifier in identifiers.Append("555-0"))
        {
            operations.Add(await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest(identifier, receiver.CallbackUrl), identifier, null, receiver, null, CancellationToken.None));
        }

        var outcomes = await WaitAsync(operations);

        Assert.All(operations, operation => Assert.NotNull(operation.LifeSpan));
        var rows = outcomes.Where(o => o.Error is null).ToDictionary(o => o.Operation.InputIdentifier!, o => Assert.IsType<EnelDebtStatus>(Assert.Single(o.Results)));
        foreach (var expected in synchronous)
        {
            AssertSameRow(expected, rows[expected.ClientIdentifier]);
        }

        var failed = Assert.IsType<KhipuException>(outcomes.Single(o => o.Operation.InputIdentifier == "555-0").Error);
        Assert.Equal("E301", failed.ErrorCode);
        Assert.Equal(5, receiver.GetStatus().Accepted);
    }

    [Fact]
    public async Task Deliveries_that_overtake_the_answers_to_their_own_requests_are_not_counted_as_unsolicited()
    {
        // Each result reaches the receiver before the 202 that names its OperationId (about 90 of 300 did against an
        // independent server): stored with no pending record yet, it was counted as Unsolicited for good.
        server.State.Callbacks.Options.BeforeAnswer = true;
        var client = connection.GetKhipuClient();
        var identifiers = new[] { "1234567-8", "3049812-1", "7766554", "778890" };

        var operations = await Task.WhenAll(identifiers.Select(identifier => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest(identifier, receiver.CallbackUrl), identifier, null, receiver, null, CancellationToken.None)));

        Assert.All(operations, operation => Assert.True(receiver.Inbox.HasResult(operation.OperationId!), "delivered before the answer"));
        var status = receiver.GetStatus();
        Assert.Equal(4, status.Accepted);
        Assert.Equal(0, status.Unsolicited);
        Assert.Equal(identifiers.Length, (await WaitAsync(operations)).Count(outcome => outcome.Error is null));

        // A result no submission of this session asked for still is one.
        using var http = new System.Net.Http.HttpClient();
        using (var response = await http.PostAsync(receiver.CallbackUrl, new System.Net.Http.StringContent(Envelopes.DebtStatus("from-elsewhere-1", "1234567-8", 1), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, receiver.GetStatus().Unsolicited);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Accepted, thanks")]
    public async Task An_empty_or_non_json_202_is_the_inputs_error_naming_it_and_no_operation_is_written(string acknowledgement)
    {
        // Before, such a row carried no OperationId (with only a -Verbose note): Wait-KhipuOperation then refused to bind it.
        server.State.KhipuOptions.AcknowledgementBody = acknowledgement;
        var client = connection.GetKhipuClient();

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("2002", receiver.CallbackUrl), "2002", null, receiver, null, CancellationToken.None));

        Assert.Equal(1, server.State.Counters.Total);
        Assert.Contains("the EnelDebtStatus request for ClientIdentifier 2002 without an OperationId", error.Message, StringComparison.Ordinal);
        Assert.Empty(System.IO.Directory.GetFiles(receiver.Inbox.PendingFolder));
        await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_same_operation_id_for_another_input_of_the_command_is_that_inputs_error_naming_both()
    {
        // A server that answers every request with the document's example id: the later inputs' operations collapsed
        // into the first's row in Wait-KhipuOperation, with no error or warning.
        server.State.KhipuOptions.FixedOperationId = ExampleOperationId;
        var client = connection.GetKhipuClient();
        var submitted = new SubmittedOperations();

        var first = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1601", receiver.CallbackUrl), "1601", null, receiver, submitted, null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1602", receiver.CallbackUrl), "1602", null, receiver, submitted, null, CancellationToken.None));

        Assert.Equal(ExampleOperationId, first.OperationId);
        Assert.StartsWith($"Khipu gave the EnelDebtStatus request for ClientIdentifier 1602 the OperationId {ExampleOperationId}, which it had already given to the EnelDebtStatus request for ClientIdentifier 1601 in this command.", error.Message, StringComparison.Ordinal);
        Assert.Contains("The request is billed", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.State.Counters.Total);
        Assert.Equal("1601", receiver.Inbox.ReadPending(ExampleOperationId)!.InputIdentifier);

        // Rows exported before this check, piped to the waiter: one result, collected once, with a warning naming both.
        var second = PendingOperation.FromOperation(first);
        second.InputIdentifier = "1602";
        second.RequestInputs = new Dictionary<string, string>(StringComparer.Ordinal) { ["ClientIdentifier"] = "1602" };
        var trace = new RecordingTrace();
        var outcomes = new List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(30) }).WaitAsync(new[] { PendingOperation.FromOperation(first), second }, null, trace, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        Assert.Single(outcomes);
        Assert.Contains($"WARNING: Operation {ExampleOperationId} is given for ClientIdentifier 1601 and again for ClientIdentifier 1602: one OperationId has one result, so it is collected once, as ClientIdentifier 1601's.", trace.VerboseText, StringComparison.Ordinal);
        await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_same_operation_id_as_another_request_still_pending_in_the_inbox_gives_the_operation_with_a_warning_naming_both()
    {
        // An earlier session's request was given the id and is still waiting for its result.
        server.State.KhipuOptions.FixedOperationId = ExampleOperationId;
        await receiver.Inbox.WritePendingAsync(
            new PendingOperation
            {
                OperationId = ExampleOperationId,
                Service = "EnelDebtStatus",
                ServicePath = KhipuServices.EnelDebtStatus,
                InputIdentifier = "1601",
                RequestInputs = new Dictionary<string, string>(StringComparer.Ordinal) { ["ClientIdentifier"] = "1601" },
                SubmittedAt = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
            },
            CancellationToken.None);
        var client = connection.GetKhipuClient();
        var trace = new RecordingTrace();

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1602", receiver.CallbackUrl), "1602", null, receiver, new SubmittedOperations(), trace, CancellationToken.None);

        Assert.Equal(ExampleOperationId, operation.OperationId);
        Assert.Contains($"WARNING: Khipu gave the EnelDebtStatus request for ClientIdentifier 1602 the OperationId {ExampleOperationId}, which the EnelDebtStatus request for ClientIdentifier 1601 (still pending in the inbox, submitted 2026-03-01 12:00:00Z) has too.", trace.VerboseText, StringComparison.Ordinal);
        Assert.Equal("1602", receiver.Inbox.ReadPending(ExampleOperationId)!.InputIdentifier);

        // The same input submitted again is no other request.
        var again = new RecordingTrace();
        await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1602", receiver.CallbackUrl), "1602", null, receiver, new SubmittedOperations(), again, CancellationToken.None);
        Assert.DoesNotContain("WARNING", again.VerboseText, StringComparison.Ordinal);
        await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_operation_answered_at_once_to_an_external_callback_url_is_collected_from_its_result_json_without_waiting()
    {
        // Get-EnelDebtStatus 1201 -CallbackUrl <external> | Export-Csv, then Import-Csv | Wait-KhipuOperation -InboxPath
        // <another inbox>: the server answered 200 with Data, nothing will be delivered, and the wait ran into its timeout.
        var client = connection.GetKhipuClient();
        var synchronous = await client.GetEnelDebtStatusAsync("1201", null, CancellationToken.None);
        server.State.KhipuOptions.AnswerCallbackRequestsAtOnce = true;
        var external = new Uri("https://hooks.example.com/khipu/4f9c2a");

        var operation = await AsyncSubmission.SubmitAsync(client, KhipuClient.EnelDebtStatusRequest("1201", external), "1201", null, null, new SubmittedOperations(), null, CancellationToken.None);

        Assert.NotNull(operation.ResultJson);
        using var elsewhere = new TemporaryInbox();

        // As the exported row binds: every column is text.
        var row = new PendingOperation
        {
            OperationId = operation.OperationId!,
            Service = operation.Service,
            ServicePath = operation.ServicePath,
            InputIdentifier = operation.InputIdentifier,
            RequestInputs = RequestInputText.Parse(operation.RequestInputs),
            ResultJson = operation.ResultJson,
        };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = new List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(elsewhere.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(30) }).WaitAsync(new[] { row }, null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"waited {waited.Elapsed}");
        var collected = Assert.Single(outcomes);
        Assert.Null(collected.Error);
        AssertSameRow(synchronous, Assert.Single(collected.Results));
        Assert.False(elsewhere.Inbox.HasResult(operation.OperationId!), "the inbox is only read");
        Assert.Equal(0, server.State.Callbacks.Delivered + server.State.Callbacks.Pending);
    }

    [Fact]
    public async Task Cen_and_tgr_async_rows_equal_the_synchronous_rows()
    {
        var client = connection.GetKhipuClient();
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 50, First = 50, AccountCredential = Account };
        var cenRows = new List<CenNonconformity>();
        await foreach (var row in client.GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
        {
            cenRows.Add(row);
        }

        var tgrRows = new List<object>();
        await foreach (var resolution in client.GetTgrExpiredAgreementsAsync(Account, true, null, CancellationToken.None))
        {
            tgrRows.AddRange(KhipuClient.Expand(resolution, TgrDetail.Instalment));
        }

        var cen = await AsyncSubmission.SubmitAsync(client, KhipuClient.CenRequest(query, 0, true, receiver.CallbackUrl), query.RutDeudor, null, receiver, null, CancellationToken.None);
        var tgr = await AsyncSubmission.SubmitAsync(client, KhipuClient.TgrRequest(Account, true, receiver.CallbackUrl), "tgr-user", "Instalment", receiver, null, CancellationToken.None);
        var outcomes = (await WaitAsync(new[] { cen, tgr })).ToDictionary(o => o.Operation.OperationId, o => o);

        Assert.NotEmpty(cenRows);
        Assert.NotEmpty(tgrRows);
        Assert.Null(outcomes[cen.OperationId!].Error);
        Assert.Null(outcomes[tgr.OperationId!].Error);
        var cenAsync = outcomes[cen.OperationId!].Results;
        Assert.Equal(cenRows.Count, cenAsync.Count);
        for (var index = 0; index < cenRows.Count; index++)
        {
            AssertSameRow(cenRows[index], cenAsync[index]);
        }

        var tgrAsync = outcomes[tgr.OperationId!].Results;
        Assert.Equal(tgrRows.Count, tgrAsync.Count);
        for (var index = 0; index < tgrRows.Count; index++)
        {
            AssertSameRow(tgrRows[index], tgrAsync[index]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cen_and_tgr_rows_carry_the_additional_information_synchronously_and_from_a_delivery(bool sortedKeys)
    {
        // The document's order writes AdditionalInformation after Data (the rows); sorted keys write it first.
        const string Note = "Data incompleta";
        server.State.KhipuOptions.AdditionalInformation = Note;
        server.State.KhipuOptions.SortedKeys = sortedKeys;
        server.State.KhipuOptions.CenTotal = 120;
        var client = connection.GetKhipuClient();
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 50, AccountCredential = Account };
        var cenRows = new List<CenNonconformity>();
        await foreach (var row in client.GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
        {
            cenRows.Add(row);
        }

        var tgrRows = new List<object>();
        await foreach (var resolution in client.GetTgrExpiredAgreementsAsync(Account, true, null, CancellationToken.None))
        {
            tgrRows.Add(resolution);
            tgrRows.AddRange(KhipuClient.Expand(resolution, TgrDetail.Debt));
            tgrRows.AddRange(KhipuClient.Expand(resolution, TgrDetail.Instalment));
        }

        var cen = await AsyncSubmission.SubmitAsync(client, KhipuClient.CenRequest(query, 1, true, receiver.CallbackUrl), query.RutDeudor, null, receiver, null, CancellationToken.None);
        var tgr = await AsyncSubmission.SubmitAsync(client, KhipuClient.TgrRequest(Account, true, receiver.CallbackUrl), "tgr-user", "Instalment", receiver, null, CancellationToken.None);
        var outcomes = (await WaitAsync(new[] { cen, tgr })).ToDictionary(o => o.Operation.OperationId!, o => o);

        // Three pages: the first streams, the others are fetched whole.
        Assert.Equal(120, cenRows.Count);
        Assert.All(cenRows, row => Assert.Equal(Note, row.AdditionalInformation));
        Assert.Contains(tgrRows, row => row is TgrDebt);
        Assert.Contains(tgrRows, row => row is TgrInstalment);
        Assert.All(tgrRows, row => Assert.Equal(Note, (string?)row.GetType().GetProperty("AdditionalInformation")!.GetValue(row)));
        var cenAsync = outcomes[cen.OperationId!].Results.Cast<CenNonconformity>().ToList();
        Assert.Equal(50, cenAsync.Count);
        Assert.All(cenAsync, row => Assert.Equal(Note, row.AdditionalInformation));
        var tgrAsync = outcomes[tgr.OperationId!].Results.Cast<TgrInstalment>().ToList();
        Assert.NotEmpty(tgrAsync);
        Assert.All(tgrAsync, instalment => Assert.Equal(Note, instalment.AdditionalInformation));
    }

    [Fact]
    public async Task With_sorted_keys_cen_and_tgr_rows_carry_their_operation_id_and_total_synchronously_and_from_a_delivery()
    {
        // Data before OperationId and Disconformidades before TotalDisconformidades, in the answer and the delivery
        // alike. The RUT is the CEN document's example, whose TotalDisconformidades is 4575.
        server.State.KhipuOptions.SortedKeys = true;
        var client = connection.GetKhipuClient();
        var query = new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 50, First = 50, AccountCredential = Account };
        var cenRows = new List<CenNonconformity>();
        await foreach (var row in client.GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None))
        {
            cenRows.Add(row);
        }

        var cen = await AsyncSubmission.SubmitAsync(client, KhipuClient.CenRequest(query, 0, true, receiver.CallbackUrl), query.RutDeudor, null, receiver, null, CancellationToken.None);
        var tgr = await AsyncSubmission.SubmitAsync(client, KhipuClient.TgrRequest(Account, true, receiver.CallbackUrl), "tgr-user", "Instalment", receiver, null, CancellationToken.None);
        var outcomes = (await WaitAsync(new[] { cen, tgr })).ToDictionary(o => o.Operation.OperationId!, o => o);

        Assert.Equal(50, cenRows.Count);
        Assert.All(cenRows, row => Assert.Equal(4575, row.TotalCount));
        Assert.All(cenRows, row => Assert.False(string.IsNullOrEmpty(row.OperationId)));
        var cenAsync = outcomes[cen.OperationId!].Results.Cast<CenNonconformity>().ToList();
        Assert.Equal(50, cenAsync.Count);
        Assert.All(cenAsync, row => Assert.Equal(((int?)4575, cen.OperationId), (row.TotalCount, row.OperationId)));
        var tgrAsync = outcomes[tgr.OperationId!].Results.Cast<TgrInstalment>().ToList();
        Assert.NotEmpty(tgrAsync);
        Assert.All(tgrAsync, instalment => Assert.Equal(tgr.OperationId, instalment.OperationId));
    }

    [Fact]
    public async Task A_stop_cancelled_during_a_slow_delivery_closes_at_once_and_the_delivery_fails_instead_of_being_acknowledged()
    {
        // The emulator sends half of the result, then pauses: the stop would wait up to the read timeout plus 5 seconds.
        server.State.Callbacks.Options.StallMilliseconds = 8_000;
        using var slowReceiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root, ReadTimeout = TimeSpan.FromSeconds(60) });
        var operation = await AsyncSubmission.SubmitAsync(connection.GetKhipuClient(), KhipuClient.EnelDebtStatusRequest("1234567-8", slowReceiver.CallbackUrl), "1234567-8", null, slowReceiver, null, CancellationToken.None);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (slowReceiver.DeliveriesInProgress == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, slowReceiver.DeliveriesInProgress);
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        slowReceiver.Stop(ctrlC.Token);

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"the stop took {stopping.Elapsed}");
        Assert.Equal(1, slowReceiver.GetStatus().Abandoned);
        Assert.False(folder.Inbox.HasResult(operation.OperationId!));
        await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, server.State.Callbacks.Delivered);
        Assert.Equal(1, server.State.Callbacks.Failed);
    }

    private static void AssertSameRow(object expected, object actual, params string[] ignored)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name is "RetrievedAt" or "OperationId" || ignored.Contains(property.Name))
            {
                continue;
            }

            Assert.True(Equals(property.GetValue(expected), property.GetValue(actual)), $"{expected.GetType().Name}.{property.Name}: {property.GetValue(expected)} <> {property.GetValue(actual)}");
        }
    }

    private async Task<List<CallbackOutcome>> WaitAsync(IEnumerable<KhipuOperation> operations)
    {
        var outcomes = new List<CallbackOutcome>();
        var waiter = new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(30) });
        await foreach (var outcome in waiter.WaitAsync(operations.Select(PendingOperation.FromOperation), null, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        return outcomes;
    }
}
