using System;
using EnergyData.Auth;
using EnergyData.Connection;
using Xunit;

namespace EnergyData.Tests.Connection;

/// <summary>The session's connection: replacing it closes the old one unless it was handed out with -PassThru.</summary>
[Collection(SessionGroup.Name)]
public sealed class EnergyDataSessionTests : IDisposable
{
    public void Dispose() => EnergyDataSession.Clear();

    [Fact]
    public void A_replaced_connection_is_closed()
    {
        var first = Connect("key-one");
        EnergyDataSession.Set(first);
        EnergyDataSession.Set(Connect("key-two"));

        Assert.Throws<ObjectDisposedException>(() => first.GetKhipuClient());
    }

    [Fact]
    public void A_connection_handed_out_with_passthru_stays_usable_after_another_connect_and_a_disconnect()
    {
        var kept = Connect("key-one");
        kept.MarkHandedOut();
        EnergyDataSession.Set(kept);
        var second = Connect("key-two");
        EnergyDataSession.Set(second);

        Assert.NotNull(kept.GetKhipuClient());
        Assert.Same(second, EnergyDataSession.Current);
        Assert.True(EnergyDataSession.Clear());
        Assert.Throws<ObjectDisposedException>(() => second.GetKhipuClient());
        Assert.Same(kept, EnergyDataSession.Resolve(kept));
        Assert.NotNull(kept.GetKhipuClient());
        kept.Dispose();
    }

    [Fact]
    public void Closing_a_handed_out_connection_disposes_it_and_forgets_it_when_it_is_the_sessions()
    {
        var kept = Connect("key-one");
        kept.MarkHandedOut();
        EnergyDataSession.Set(kept);

        Assert.True(EnergyDataSession.Close(kept));
        Assert.Null(EnergyDataSession.Current);
        Assert.Throws<ObjectDisposedException>(() => kept.GetKhipuClient());

        var other = Connect("key-two");
        EnergyDataSession.Set(other);
        var elsewhere = Connect("key-three");
        Assert.False(EnergyDataSession.Close(elsewhere));
        Assert.Same(other, EnergyDataSession.Current);
    }

    private static EnergyDataConnection Connect(string key) => EnergyDataConnection.Create(new ConnectionSettings { KhipuApiKey = key.ToSecureString() });
}

/// <summary>Tests that change the process-wide session run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SessionGroup
{
    public const string Name = "Session";
}
