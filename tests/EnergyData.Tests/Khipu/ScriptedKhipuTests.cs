using System;
using System.Net.Http;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// Tests of the Khipu client against a scripted server: a server of its own and one HttpClient per test, and a client
/// that sends each request once, so a scripted answer is never used up by a retry.
/// </summary>
public abstract class ScriptedKhipuTests : IAsyncLifetime, IDisposable
{
    protected HttpClient Http { get; } = new();

    protected ScriptedServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ScriptedServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Http.Dispose();
        }
    }

    protected KhipuClient Client() => new(Http, Server.BaseUri, new KhipuClientOptions { MaxAttempts = 1 });
}
