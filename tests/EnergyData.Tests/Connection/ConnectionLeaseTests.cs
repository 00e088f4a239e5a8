using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Tests.Khipu;
using Xunit;

namespace EnergyData.Tests.Connection;

/// <summary>
/// The session's connection is shared by every runspace of the process; a command leases the connection it uses, so a
/// Connect-EnergyData or Disconnect-EnergyData in another runspace never disposes it under requests in flight. A
/// replaced or closed connection is retired and disposed, exactly once, when its last lease ends. Real HTTP against an
/// emulator of this class's own (the session tests run one at a time, apart from the shared emulator's collection).
/// </summary>
[Collection(SessionGroup.Name)]
public sealed class ConnectionLeaseTests : IAsyncLifetime
{
    private const string Client = "1234567-8";
    private const string Address = "AGUSTINAS 1234, SANTIAGO";
    private EmulatorServer server = null!;

    public async Task InitializeAsync()
    {
        server = await EmulatorServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        EnergyDataSession.Clear();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_request_in_flight_on_a_replaced_connection_completes_and_the_connection_closes_when_its_lease_ends()
    {
        server.State.Options.LatencyMilliseconds = 500;
        var first = KhipuTestConnections.WithApiKey(server);
        EnergyDataSession.Set(first);
        var lease = EnergyDataSession.Acquire(null);
        Assert.Same(first, lease.Connection);
        var request = lease.Connection.GetKhipuClient().GetEnelDebtStatusAsync(Client, null, CancellationToken.None);
        await Task.Delay(100);

        // Connect-EnergyData in another runspace, while the request is in flight.
        var second = KhipuTestConnections.WithApiKey(server);
        EnergyDataSession.Set(second);

        Assert.False(first.IsClosed);
        Assert.Equal(Address, (await request).Address);
        var refused = Assert.Throws<NotConnectedException>(() => EnergyDataSession.Acquire(first));
        Assert.Contains("replaced by a new Connect-EnergyData", refused.Message, StringComparison.Ordinal);
        using (var next = EnergyDataSession.Acquire(null))
        {
            Assert.Same(second, next.Connection);
        }

        lease.Dispose();

        Assert.True(first.IsClosed);
        Assert.Equal(1, first.Closings);
        lease.Dispose();
        Assert.Equal(1, first.Closings);
        Assert.Equal(0, first.LeaseCount);
        Assert.False(second.IsClosed);
    }

    [Fact]
    public async Task Disconnecting_a_kept_connection_refuses_new_commands_at_once_and_lets_running_ones_finish()
    {
        server.State.Options.LatencyMilliseconds = 500;
        var kept = KhipuTestConnections.WithApiKey(server);
        kept.MarkHandedOut();
        EnergyDataSession.Set(kept);
        var lease = EnergyDataSession.Acquire(kept);
        var request = kept.GetKhipuClient().GetEnelDebtStatusAsync(Client, null, CancellationToken.None);
        await Task.Delay(100);

        // Disconnect-EnergyData -Connection $kept in another runspace.
        Assert.True(EnergyDataSession.Close(kept));

        Assert.Null(EnergyDataSession.Current);
        Assert.Throws<NotConnectedException>(() => EnergyDataSession.Acquire(kept));
        Assert.False(kept.IsClosed);
        Assert.Equal(Address, (await request).Address);
        lease.Dispose();
        Assert.True(kept.IsClosed);
        Assert.Equal(1, kept.Closings);
    }

    [Fact]
    public void A_lease_on_a_closed_or_retired_connection_fails_as_not_connected_not_as_object_disposed()
    {
        var disposed = KhipuTestConnections.WithApiKey(server);
        disposed.Dispose();
        var retired = KhipuTestConnections.WithApiKey(server);
        retired.Retire();

        Assert.Throws<NotConnectedException>(() => EnergyDataSession.Acquire(disposed));
        Assert.Throws<NotConnectedException>(() => retired.AcquireLease());
        Assert.True(retired.IsClosed);
        Assert.Equal(1, retired.Closings);
    }

    [Fact]
    public void Dispose_under_a_lease_closes_at_once_and_the_late_release_closes_nothing_again()
    {
        var connection = KhipuTestConnections.WithApiKey(server);
        var lease = connection.AcquireLease();

        connection.Dispose();
        Assert.True(connection.IsClosed);
        lease.Dispose();
        connection.Retire();

        Assert.Equal(1, connection.Closings);
        Assert.Equal(0, connection.LeaseCount);
    }

    [Fact]
    public async Task A_release_racing_the_retirement_closes_the_connection_exactly_once()
    {
        for (var round = 0; round < 200; round++)
        {
            var connection = EnergyDataConnection.Create(new ConnectionSettings { KhipuApiKey = "key".ToSecureString() });
            var leases = Enumerable.Range(0, 4).Select(_ => connection.AcquireLease()).ToList();
            using var start = new ManualResetEventSlim();
            var racers = leases.Select(lease => Task.Run(() =>
            {
                start.Wait();
                lease.Dispose();
                lease.Dispose();
            })).Append(Task.Run(() =>
            {
                start.Wait();
                connection.Retire();
            })).ToArray();

            start.Set();
            await Task.WhenAll(racers);

            Assert.True(connection.IsClosed, $"round {round}: not closed after the last release");
            Assert.Equal(1, connection.Closings);
            Assert.Equal(0, connection.LeaseCount);
        }
    }

    [Fact]
    public async Task Concurrent_commands_and_connects_never_lose_a_request_and_close_every_connection_exactly_once()
    {
        // Commands of many runspaces (tasks) lease the session's connection and send requests, while another runspace
        // connects again and again.
        server.State.Options.LatencyMilliseconds = 5;
        var created = new ConcurrentBag<EnergyDataConnection> { KhipuTestConnections.WithApiKey(server) };
        EnergyDataSession.Set(created.Single());
        var used = new ConcurrentBag<EnergyDataConnection>();
        var failures = new ConcurrentQueue<string>();
        using var done = new CancellationTokenSource();

        var commands = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var call = 0; call < 6; call++)
            {
                using var lease = EnergyDataSession.Acquire(null);
                var connection = lease.Connection;
                used.Add(connection);
                var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync(Client, null, CancellationToken.None);
                if (status.Address != Address || connection.IsClosed)
                {
                    failures.Enqueue($"a request on a leased connection saw it closed or failed ({status.Address})");
                }
            }
        })).ToArray();
        var connects = Task.Run(async () =>
        {
            for (var connect = 0; connect < 20; connect++)
            {
                var next = KhipuTestConnections.WithApiKey(server);
                created.Add(next);
                EnergyDataSession.Set(next);
                await Task.Delay(3);
            }
        });

        await Task.WhenAll(commands.Append(connects));
        EnergyDataSession.Clear();

        Assert.Empty(failures);
        Assert.True(used.Distinct().Count() > 1, "the commands should have used several of the connections");
        Assert.All(created, connection =>
        {
            Assert.Equal(0, connection.LeaseCount);
            Assert.Equal(1, connection.Closings);
        });
    }
}
