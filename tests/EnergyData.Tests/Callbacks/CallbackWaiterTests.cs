using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;
using Xunit;

namespace EnergyData.Tests.Callbacks;

public sealed class CallbackWaiterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TemporaryInbox folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Results_that_arrived_before_the_wait_are_found_and_mapped_like_the_synchronous_call()
    {
        await AddAsync("op-a", Envelopes.DebtStatus("op-a", "1234567-8", 10000));

        var outcomes = await CollectAsync(new[] { Envelopes.DebtOperation("op-a", "1234567-8") });

        var outcome = Assert.Single(outcomes);
        Assert.Null(outcome.Error);
        var row = Assert.IsType<EnelDebtStatus>(Assert.Single(outcome.Results));
        Assert.Equal("1234567-8", row.ClientIdentifier);
        Assert.Equal(10000m, row.DebtAmount);
        Assert.Equal("CLP", row.DebtCurrency);
        Assert.Equal(new DateTime(2017, 7, 22), row.DebtDueDate);
        Assert.Equal("op-a", row.OperationId);
    }

    [Fact]
    public async Task A_result_delivered_during_the_wait_is_found()
    {
        var waiting = CollectAsync(new[] { Envelopes.DebtOperation("op-late", "1234567-8") });
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        await AddAsync("op-late", Envelopes.DebtStatus("op-late", "1234567-8", 5));
        var outcomes = await waiting.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(5m, Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results)).DebtAmount);
    }

    [Fact]
    public async Task A_pending_record_supplies_what_an_operation_id_alone_lacks()
    {
        folder.Inbox.EnsureExists();
        await folder.Inbox.WritePendingAsync(Envelopes.DebtOperation("op-id-only", "7654321-K"), CancellationToken.None);
        await AddAsync("op-id-only", Envelopes.DebtStatus("op-id-only", "7654321-K", 12));

        var outcomes = await CollectAsync(new[] { new PendingOperation { OperationId = "op-id-only" } });

        var row = Assert.IsType<EnelDebtStatus>(Assert.Single(Assert.Single(outcomes).Results));
        Assert.Equal("7654321-K", row.ClientIdentifier);
    }

    [Fact]
    public async Task Status_error_becomes_a_khipu_exception_with_code_and_type()
    {
        await AddAsync("op-err", Envelopes.Error("op-err", "E201", "WAIT_4_HOURS_BEFORE_RETRY", "Enel is down"));

        var outcome = Assert.Single(await CollectAsync(new[] { Envelopes.DebtOperation("op-err", "1234567-8") }));

        var error = Assert.IsType<KhipuException>(outcome.Error);
        Assert.Equal("E201", error.ErrorCode);
        Assert.Equal(EnergyData.Http.KhipuErrorType.Wait4HoursBeforeRetry, error.ErrorType);
        Assert.Equal("op-err", error.OperationId);
        Assert.Empty(outcome.Results);
    }

    [Fact]
    public async Task The_older_failure_reason_shape_is_an_error_too()
    {
        await AddAsync("op-old", "{\"OperationId\":\"op-old\",\"Status\":\"ERROR\",\"FailureReason\":\"LIFESPAN_EXCEEDED\",\"Message\":\"too slow\"}");

        var outcome = Assert.Single(await CollectAsync(new[] { Envelopes.DebtOperation("op-old", "1234567-8") }));

        Assert.Equal("LIFESPAN_EXCEEDED", Assert.IsType<KhipuException>(outcome.Error).ErrorCode);
    }

    /// <summary>A damaged result file gave "Invalid or truncated JSON after stream byte 59", naming no operation or input.</summary>
    [Fact]
    public async Task A_damaged_file_is_that_operations_error_naming_the_operation_and_its_input()
    {
        Assert.Equal(InboxWriteResult.Added, await folder.Inbox.TryAddResultAsync("op-cut", Encoding.UTF8.GetBytes("{\"OperationId\":\"op-cut\",\"Status\":\"OK\",\"Data\":{\"DebtStatus\":{\"Addr"), CancellationToken.None));

        var outcome = Assert.Single(await CollectAsync(new[] { Envelopes.DebtOperation("op-cut", "1234567-8") }));

        var error = Assert.IsType<KhipuProtocolException>(outcome.Error);
        Assert.StartsWith("The result of operation op-cut (EnelDebtStatus, ", error.Message, StringComparison.Ordinal);
        Assert.Contains("1234567-8) in the inbox cannot be read: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    /// <summary>A result file that is not UTF-8 (written by an older receiver) ended the whole wait; it is that operation's error.</summary>
    [Fact]
    public async Task A_file_that_is_not_utf8_is_that_operations_error_and_the_others_are_collected()
    {
        await AddAsync("op-before", Envelopes.DebtStatus("op-before", "1234567-8", 10));
        Assert.Equal(InboxWriteResult.Added, await folder.Inbox.TryAddResultAsync("op-latin1", Encoding.Latin1.GetBytes("{\"OperationId\":\"op-latin1\",\"Status\":\"OK\",\"Data\":{\"DebtStatus\":{\"ClientName\":\"ÑUÑOA\"}}}"), CancellationToken.None));
        await AddAsync("op-after", Envelopes.DebtStatus("op-after", "1234567-8", 20));

        var outcomes = await CollectAsync(new[] { Envelopes.DebtOperation("op-before", "1234567-8"), Envelopes.DebtOperation("op-latin1", "1234567-8"), Envelopes.DebtOperation("op-after", "1234567-8") });

        Assert.Equal(3, outcomes.Count);
        Assert.Contains("cannot be read", Assert.IsType<KhipuProtocolException>(Assert.Single(outcomes, outcome => outcome.Error is not null).Error).Message, StringComparison.Ordinal);
        Assert.Equal(["op-after", "op-before"], outcomes.Where(outcome => outcome.Error is null).Select(outcome => outcome.Operation.OperationId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_not_an_envelope_is_reported_not_thrown()
    {
        await AddAsync("op-bad", "{\"OperationId\":\"op-bad\"}");

        var outcome = Assert.Single(await CollectAsync(new[] { Envelopes.DebtOperation("op-bad", "1234567-8") }));

        Assert.IsType<KhipuProtocolException>(outcome.Error);
    }

    [Fact]
    public async Task An_operation_past_its_lifespan_gives_lifespan_exceeded_and_the_others_still_arrive()
    {
        var clock = new ManualClock(Start);
        await AddAsync("op-ok", Envelopes.DebtStatus("op-ok", "1", 1));
        var operations = new[]
        {
            Envelopes.DebtOperation("op-expired", "2", Start.AddMinutes(-5)),
            Envelopes.DebtOperation("op-ok", "1", Start.AddMinutes(-5)),
        };

        var outcomes = await CollectAsync(operations, new CallbackWaiterOptions { Clock = clock, LifeSpanGrace = TimeSpan.FromMinutes(1) });

        Assert.Equal(2, outcomes.Count);
        Assert.Null(outcomes.Single(o => o.Operation.OperationId == "op-ok").Error);
        var expired = Assert.IsType<KhipuException>(outcomes.Single(o => o.Operation.OperationId == "op-expired").Error);
        Assert.Equal("LIFESPAN_EXCEEDED", expired.ErrorCode);

        // Khipu sent no error: no retry advice is invented, and the message says a late result can still be collected.
        Assert.Null(expired.ErrorTypeText);
        Assert.Contains("Wait-KhipuOperation again", expired.Message, StringComparison.Ordinal);

        // The grace of one minute is not "1 minutes".
        Assert.Contains(", 1 minute after its estimated latest delivery", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lifespan_earlier_than_the_submission_is_no_deadline_and_the_result_that_follows_is_collected()
    {
        // A server that echoes the TGR document's example LifeSpan (2017) must not make the wait give up at once.
        var clock = new ManualClock(Start);
        var operation = Envelopes.DebtOperation("op-echo", "1234567-8", new DateTimeOffset(2017, 7, 22, 0, 0, 0, TimeSpan.FromHours(-4)));
        operation.SubmittedAt = Start.AddSeconds(-2);
        var options = new CallbackWaiterOptions { Clock = clock, LifeSpanGrace = TimeSpan.FromMinutes(1), RescanInterval = TimeSpan.FromMilliseconds(20) };

        var waiting = CollectAsync(new[] { operation }, options);
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted);

        // Not a deadline at all: an hour later (and so long past any grace) it is still waited for.
        clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted);
        await AddAsync("op-echo", Envelopes.DebtStatus("op-echo", "1234567-8", 7));
        var outcome = Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Null(outcome.Error);
        Assert.Equal(7m, Assert.IsType<EnelDebtStatus>(Assert.Single(outcome.Results)).DebtAmount);
    }

    [Fact]
    public async Task With_a_timeout_a_passed_lifespan_does_not_end_the_wait()
    {
        // LifeSpan is Khipu's estimate; a -Timeout the user chose is the bound.
        var clock = new ManualClock(Start);
        var operations = new[] { Envelopes.DebtOperation("op-slow", "1234567-8", Start.AddMinutes(-10)) };
        var options = new CallbackWaiterOptions { Clock = clock, Timeout = TimeSpan.FromMinutes(30), LifeSpanGrace = TimeSpan.FromMinutes(1), RescanInterval = TimeSpan.FromMilliseconds(20) };

        var waiting = CollectAsync(operations, options);
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted);
        await AddAsync("op-slow", Envelopes.DebtStatus("op-slow", "1234567-8", 9));
        var outcome = Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Null(outcome.Error);
    }

    [Fact]
    public async Task Within_the_grace_after_the_lifespan_the_waiter_keeps_waiting()
    {
        var clock = new ManualClock(Start);
        var operations = new[] { Envelopes.DebtOperation("op-grace", "2", Start.AddSeconds(-30)) };
        var options = new CallbackWaiterOptions { Clock = clock, LifeSpanGrace = TimeSpan.FromMinutes(1), RescanInterval = TimeSpan.FromMilliseconds(20) };

        var waiting = CollectAsync(operations, options);
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal("LIFESPAN_EXCEEDED", Assert.IsType<KhipuException>(outcome.Error).ErrorCode);
    }

    [Fact]
    public async Task A_timeout_reports_each_remaining_operation_and_delivers_what_arrived()
    {
        await AddAsync("op-here", Envelopes.DebtStatus("op-here", "1", 1));
        var operations = new[] { Envelopes.DebtOperation("op-here", "1"), Envelopes.DebtOperation("op-missing-1", "2"), Envelopes.DebtOperation("op-missing-2", "3") };

        var outcomes = await CollectAsync(operations, new CallbackWaiterOptions { Timeout = TimeSpan.FromMilliseconds(200), RescanInterval = TimeSpan.FromMilliseconds(50) });

        Assert.Equal(3, outcomes.Count);
        Assert.Null(outcomes[0].Error);
        Assert.All(outcomes.Skip(1), outcome => Assert.IsType<TimeoutException>(outcome.Error));
        Assert.Equal(new[] { "op-missing-1", "op-missing-2" }, outcomes.Skip(1).Select(o => o.Operation.OperationId).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_timeout_of_an_operation_known_only_by_its_id_reads_without_a_gap()
    {
        // Wait-KhipuOperation -OperationId <id> -Timeout 1, with no pending record: neither service nor input is known.
        var bare = new PendingOperation { OperationId = "op-bare" };

        var outcome = Assert.Single(await CollectAsync(new[] { bare }, new CallbackWaiterOptions { Timeout = TimeSpan.FromMilliseconds(200), RescanInterval = TimeSpan.FromMilliseconds(50) }));

        var error = Assert.IsType<TimeoutException>(outcome.Error);
        Assert.Equal("No result for operation op-bare arrived within 200 ms. It stays pending: run Wait-KhipuOperation again to collect it.", error.Message);
    }

    [Fact]
    public async Task A_timeout_names_the_service_and_the_client_the_pending_record_knows()
    {
        var submitted = Envelopes.DebtOperation("op-known", "1234567-8");
        submitted.RequestInputs["ClientIdentifier"] = "1234567-8";
        await folder.Inbox.WritePendingAsync(submitted, CancellationToken.None);

        // Only the id is given, as -OperationId alone: the rest comes from the pending record.
        var outcome = Assert.Single(await CollectAsync(new[] { new PendingOperation { OperationId = "op-known" } }, new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(1), RescanInterval = TimeSpan.FromMilliseconds(50) }));

        var error = Assert.IsType<TimeoutException>(outcome.Error);
        Assert.Equal("No result for operation op-known (EnelDebtStatus, ClientIdentifier 1234567-8) arrived within 1 s. It stays pending: run Wait-KhipuOperation again to collect it.", error.Message);
        Assert.Equal("op-known", outcome.Operation.OperationId);
    }

    [Theory]
    [InlineData(null, "76543210", null, "operation op-1 (input 76543210)")]
    [InlineData("CenNonconformity", "76543210", "76543210", "operation op-1 (CenNonconformity, RutDeudor 76543210)")]
    [InlineData("CenNonconformity", null, "76543210", "operation op-1 (CenNonconformity, RutDeudor 76543210)")]
    [InlineData("KhipuRequest", null, null, "operation op-1 (KhipuRequest)")]
    [InlineData(" ", "", null, "operation op-1")]
    public void An_operation_describes_what_is_known_of_it(string? service, string? inputIdentifier, string? rutDeudor, string expected)
    {
        var operation = new PendingOperation { OperationId = "op-1", Service = service, InputIdentifier = inputIdentifier };
        if (rutDeudor is not null)
        {
            operation.RequestInputs["RutDeudor"] = rutDeudor;
        }

        Assert.Equal(expected, operation.Describe());
        Assert.Equal(expected, operation.ToString());
    }

    [Fact]
    public async Task Lifespan_exceeded_without_a_known_service_reads_without_a_gap()
    {
        var clock = new ManualClock(Start);
        var operation = new PendingOperation { OperationId = "op-late", LifeSpan = Start.AddMinutes(-5), LifeSpanRaw = "2026-12-01T07:55:00Z" };

        var outcome = Assert.Single(await CollectAsync(new[] { operation }, new CallbackWaiterOptions { Clock = clock, LifeSpanGrace = TimeSpan.FromMinutes(1) }));

        var error = Assert.IsType<KhipuException>(outcome.Error);
        Assert.StartsWith("No result for operation op-late arrived by ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("  ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait_and_leaves_the_inbox_untouched()
    {
        await AddAsync("op-1", Envelopes.DebtStatus("op-1", "1", 1));
        await folder.Inbox.WritePendingAsync(Envelopes.DebtOperation("op-2", "2"), CancellationToken.None);
        var before = Snapshot();
        using var cancel = new CancellationTokenSource();
        var collected = new List<CallbackOutcome>();

        var waiting = Task.Run(async () =>
        {
            await foreach (var outcome in new CallbackWaiter(folder.Inbox).WaitAsync(new[] { Envelopes.DebtOperation("op-1", "1"), Envelopes.DebtOperation("op-2", "2") }, null, null, cancel.Token))
            {
                collected.Add(outcome);
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Single(collected);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task A_waiter_stopped_and_started_again_collects_everything()
    {
        var operations = Enumerable.Range(0, 20).Select(i => Envelopes.DebtOperation("op-" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        foreach (var operation in operations.Take(8))
        {
            await AddAsync(operation.OperationId, Envelopes.DebtStatus(operation.OperationId, operation.InputIdentifier!, 1));
        }

        using (var cancel = new CancellationTokenSource())
        {
            var first = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var unused in new CallbackWaiter(folder.Inbox).WaitAsync(operations, null, null, cancel.Token))
                {
                    if (++first == 5)
                    {
                        cancel.Cancel();
                    }
                }
            });
        }

        foreach (var operation in operations.Skip(8))
        {
            await AddAsync(operation.OperationId, Envelopes.DebtStatus(operation.OperationId, operation.InputIdentifier!, 1));
        }

        var progress = new List<(int Done, int Total)>();
        var outcomes = await CollectAsync(operations, progress: (done, total) => progress.Add((done, total)));

        Assert.Equal(operations.Select(o => o.OperationId).OrderBy(id => id, StringComparer.Ordinal), outcomes.Select(o => o.Operation.OperationId).OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(outcomes, outcome => Assert.Null(outcome.Error));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (i, 20)), progress);
    }

    [Fact]
    public async Task The_same_operation_given_twice_is_collected_once()
    {
        await AddAsync("op-twice", Envelopes.DebtStatus("op-twice", "1", 1));

        var outcomes = await CollectAsync(new[] { Envelopes.DebtOperation("op-twice", "1"), Envelopes.DebtOperation("op-twice", "1") });

        Assert.Single(outcomes);
    }

    [Theory]
    [InlineData("3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6.json")]
    [InlineData("../../etc/passwd", null)]
    [InlineData("CON", null)]
    [InlineData(".hidden", null)]
    public void Operation_ids_become_safe_distinct_file_names(string operationId, string? expected)
    {
        var name = CallbackInbox.FileNameFor(operationId);

        if (expected is not null)
        {
            Assert.Equal(expected, name);
        }

        Assert.Equal(Path.GetFileName(name), name);
        Assert.DoesNotContain("..", name, StringComparison.Ordinal);
        Assert.NotEqual(CallbackInbox.FileNameFor(operationId + "x"), name);
        Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9._-]*\\.json$", name);
    }

    [Fact]
    public async Task Other_services_map_to_their_synchronous_types()
    {
        var tgr = "{\"OperationId\":\"op-tgr\",\"Status\":\"OK\",\"Data\":{\"Resolutions\":[{\"ResolutionId\":7,\"Instalments\":[{\"Number\":1},{\"Number\":2}]}]}}";
        var cen = "{\"OperationId\":\"op-cen\",\"Status\":\"OK\",\"Data\":{\"NonconformitiesList\":{\"TotalDisconformidades\":2,\"Disconformidades\":[{\"Caso\":1},{\"Caso\":2}]}}}";
        var bill = "{\"OperationId\":\"op-bill\",\"Status\":\"OK\",\"Data\":{\"Bill\":{\"ClientIdentifier\":\"1234567-8\",\"Document\":\"JVBERi0=\"}}}";
        var other = "{\"OperationId\":\"op-other\",\"Status\":\"OK\",\"Data\":{\"Anything\":[1,2]}}";
        await AddAsync("op-tgr", tgr);
        await AddAsync("op-cen", cen);
        await AddAsync("op-bill", bill);
        await AddAsync("op-other", other);
        var operations = new[]
        {
            new PendingOperation { OperationId = "op-tgr", ServicePath = KhipuServices.TgrExpiredAgreements, RequestInputs = { [RequestInputText.DetailKey] = "Instalment" } },
            new PendingOperation
            {
                OperationId = "op-cen",
                Service = "CenNonconformity",
                InputIdentifier = "76999999",
                RequestInputs = { ["FechaCreacionDelCasoDesde"] = "11/14/2019", ["FechaCreacionDelCasoHasta"] = "11/05/2025", ["Filas"] = "2", ["Paginas"] = "3" },
            },
            new PendingOperation { OperationId = "op-bill", ServicePath = KhipuServices.EnelBillDocument, InputIdentifier = "1234567-8", RequestInputs = { ["Email"] = "a@b.cl" } },
            new PendingOperation { OperationId = "op-other", ServicePath = "v1/cl/services/other.cl/thing" },
        };

        var results = (await CollectAsync(operations)).ToDictionary(o => o.Operation.OperationId, o => o.Results);

        Assert.Equal(new long?[] { 1, 2 }, results["op-tgr"].Cast<TgrInstalment>().Select(i => i.Number));
        var rows = results["op-cen"].Cast<CenNonconformity>().ToList();
        Assert.Equal(new long[] { 6, 7 }, rows.Select(r => r.Index));
        Assert.All(rows, r => Assert.Equal(new DateTime(2019, 11, 14), r.From));
        Assert.All(rows, r => Assert.Equal("76999999", r.RutDeudor));
        var document = Assert.IsType<EnelBillDocument>(Assert.Single(results["op-bill"]));
        Assert.Equal("a@b.cl", document.Email);
        Assert.Equal("application/pdf", document.ContentType);
        Assert.Equal("{\"Anything\":[1,2]}", Assert.IsType<KhipuResponse>(Assert.Single(results["op-other"])).DataJson);
    }

    [Fact]
    public async Task A_delivered_bill_document_is_saved_like_the_synchronous_output_path()
    {
        await AddAsync("op-pdf", "{\"OperationId\":\"op-pdf\",\"Status\":\"OK\",\"Data\":{\"Bill\":{\"ClientIdentifier\":\"1234567-8\",\"Document\":\"JVBERi0xLjQK\"}}}");
        var operation = new PendingOperation { OperationId = "op-pdf", ServicePath = KhipuServices.EnelBillDocument, InputIdentifier = "1234567-8", RequestInputs = { ["Email"] = "a@b.cl" } };
        var output = Directory.CreateDirectory(Path.Combine(folder.Root, "bills")).FullName;

        var bill = Assert.IsType<EnelBillDocument>(Assert.Single(Assert.Single(await CollectAsync(new[] { operation })).Results));
        var saved = await KhipuClient.SaveBillDocumentAsync(bill, output, CancellationToken.None);

        Assert.Null(saved.Document);
        Assert.Equal(Path.Combine(output, "enel-bill-1234567-8.pdf"), saved.Path);
        Assert.Equal("%PDF-1.4\n", File.ReadAllText(saved.Path!));
        var missing = await Assert.ThrowsAsync<EnergyData.Validation.ParameterValidationException>(() => KhipuClient.SaveBillDocumentAsync(bill, Path.Combine(folder.Root, "absent"), CancellationToken.None));
        Assert.Equal("OutputPath", missing.ParamName);
    }

    [Fact]
    public async Task A_bill_document_that_cannot_be_written_is_an_output_file_error_not_a_connection_failure()
    {
        var output = Directory.CreateDirectory(Path.Combine(folder.Root, "blocked")).FullName;
        // A folder where the file should go: no file can replace it.
        Directory.CreateDirectory(Path.Combine(output, "enel-bill-1234567-8.pdf"));
        var bill = new EnelBillDocument { ClientIdentifier = "1234567-8", Document = "JVBERi0xLjQK", ContentType = "application/pdf" };

        var error = await Record.ExceptionAsync(() => KhipuClient.SaveBillDocumentAsync(bill, output, CancellationToken.None));

        // Linux reports an I/O error here and Windows may report access denied: either names the file problem.
        var mapped = EnergyData.Errors.ErrorMapper.FromException(error!, "1234567-8");
        Assert.Contains(mapped.ErrorId, new[] { "OutputFileFailed", "AccessDenied" });
        if (error is EnergyData.Errors.OutputFileException file)
        {
            Assert.Equal(Path.Combine(output, "enel-bill-1234567-8.pdf"), file.Path);
        }
    }

    private async Task AddAsync(string operationId, string body) =>
        Assert.Equal(InboxWriteResult.Added, await folder.Inbox.TryAddResultAsync(operationId, Encoding.UTF8.GetBytes(body), CancellationToken.None));

    private async Task<List<CallbackOutcome>> CollectAsync(IEnumerable<PendingOperation> operations, CallbackWaiterOptions? options = null, Action<int, int>? progress = null)
    {
        var outcomes = new List<CallbackOutcome>();
        await foreach (var outcome in new CallbackWaiter(folder.Inbox, options ?? new CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(20) }).WaitAsync(operations, progress, null, CancellationToken.None))
        {
            outcomes.Add(outcome);
        }

        return outcomes;
    }

    private string Snapshot() =>
        string.Join("\n", Directory.GetFiles(folder.Root, "*", SearchOption.AllDirectories).OrderBy(path => path, StringComparer.Ordinal).Select(path => path + "=" + File.ReadAllText(path) + "@" + File.GetLastWriteTimeUtc(path).Ticks));
}
