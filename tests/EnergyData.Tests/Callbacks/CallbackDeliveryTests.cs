using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>The emulator delivers callbacks to a real receiver over loopback, misbehaving as the internet may.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class CallbackDeliveryTests : IDisposable
{
    private readonly EmulatorServer server;
    private readonly TemporaryInbox folder = new();
    private readonly CallbackReceiver receiver;

    public CallbackDeliveryTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
    }

    public void Dispose()
    {
        receiver.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task A_thousand_operations_delivered_twice_out_of_order_with_lost_attempts_are_all_collected_once()
    {
        const int Count = 1000;
        var callbacks = server.State.Callbacks;
        callbacks.Options.Duplicates = 1;
        callbacks.Options.JitterMilliseconds = 300;
        callbacks.Options.LostAttempts = 1;
        callbacks.Options.MaxAttempts = 3;
        var operations = Enumerable.Range(0, Count)
            .Select(i => Envelopes.DebtOperation(Guid.NewGuid().ToString(), i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        await Task.WhenAll(operations.Select(operation => receiver.Inbox.WritePendingAsync(operation, CancellationToken.None)));

        // Half are scheduled before the wait begins and half while it runs.
        foreach (var operation in operations.Take(Count / 2))
        {
            callbacks.Schedule(receiver.CallbackUrl, Envelopes.DebtStatus(operation.OperationId, operation.InputIdentifier!, decimal.Parse(operation.InputIdentifier!, CultureInfo.InvariantCulture)));
        }

        var collecting = Task.Run(async () =>
        {
            var outcomes = new List<CallbackOutcome>();
            var waiter = new CallbackWaiter(receiver.Inbox, new CallbackWaiterOptions { Timeout = TimeSpan.FromMinutes(2) });
            await foreach (var outcome in waiter.WaitAsync(operations.Select(o => new PendingOperation { OperationId = o.OperationId }), null, null, CancellationToken.None))
            {
                outcomes.Add(outcome);
            }

            return outcomes;
        });
        foreach (var operation in operations.Skip(Count / 2))
        {
            callbacks.Schedule(receiver.CallbackUrl, Envelopes.DebtStatus(operation.OperationId, operation.InputIdentifier!, decimal.Parse(operation.InputIdentifier!, CultureInfo.InvariantCulture)));
        }

        var collected = await collecting;
        await callbacks.WhenIdleAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Count, collected.Count);
        Assert.All(collected, outcome => Assert.Null(outcome.Error));
        Assert.Equal(Count, collected.Select(outcome => outcome.Operation.OperationId).Distinct(StringComparer.Ordinal).Count());
        foreach (var outcome in collected)
        {
            var row = Assert.IsType<EnelDebtStatus>(Assert.Single(outcome.Results));
            Assert.Equal(outcome.Operation.InputIdentifier, row.ClientIdentifier);
            Assert.Equal(decimal.Parse(row.ClientIdentifier, CultureInfo.InvariantCulture), row.DebtAmount);
        }

        var status = receiver.GetStatus();
        Assert.Equal(Count, status.Accepted);
        Assert.Equal(Count, status.Duplicates);
        Assert.Equal(0, status.Unsolicited);
        Assert.Equal(0, status.Rejected);
        Assert.Equal(2 * Count, callbacks.Delivered);
        Assert.Equal(2 * Count, callbacks.Failed);
        Assert.Equal(0, callbacks.Abandoned);
    }

    [Fact]
    public async Task Deliveries_refused_by_the_receiver_are_retried_and_counted_as_failed()
    {
        var callbacks = server.State.Callbacks;
        callbacks.Options.MaxAttempts = 2;
        var forged = new Uri(receiver.PublicBaseUri, "not-the-secret");

        callbacks.Schedule(forged, Envelopes.DebtStatus("op-forged", "1", 1));
        callbacks.Schedule(receiver.CallbackUrl, Envelopes.DebtStatus("op-real", "1", 1));
        await callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, callbacks.Delivered);
        Assert.Equal(2, callbacks.Failed);
        Assert.Equal(1, callbacks.Abandoned);
        Assert.Equal(2, receiver.GetStatus().RejectedForged);
        Assert.True(receiver.Inbox.HasResult("op-real"));
        Assert.False(receiver.Inbox.HasResult("op-forged"));
    }
}
