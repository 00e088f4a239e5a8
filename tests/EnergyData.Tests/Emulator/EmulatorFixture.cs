using System;
using System.Threading.Tasks;
using EnergyData.Emulator;
using Xunit;

namespace EnergyData.Tests.Emulator;

/// <summary>One emulator per test collection, on a free loopback port. Test classes call <see cref="Reset"/> in their constructor.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private EmulatorServer? server;

    public EmulatorServer Server => server ?? throw new InvalidOperationException("The emulator has not started.");

    public EmulatorState State => Server.State;

    public async Task InitializeAsync()
    {
        server = await EmulatorServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Back to a clean emulator: no counters, no faults, start options.</summary>
    public EmulatorServer Reset()
    {
        Server.Reset();
        return Server;
    }
}

/// <summary>Tests that share the emulator run one class at a time, so counters and faults belong to one test.</summary>
[CollectionDefinition(Name)]
public sealed class EmulatorGroup : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "Emulator";
}
