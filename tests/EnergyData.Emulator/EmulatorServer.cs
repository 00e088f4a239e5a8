using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnergyData.Emulator;

/// <summary>
/// The emulator host: Khipu under <c>v1/</c>, NEU under <c>neu/</c>, control endpoints under <c>_emulator/</c>.
/// Tests start it in-process on 127.0.0.1 with a free port; the console program runs the same host.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication application;

    private EmulatorServer(WebApplication application, EmulatorState state, Uri baseUri)
    {
        this.application = application;
        State = state;
        BaseUri = baseUri;
    }

    /// <summary>The root address, with a trailing slash (Khipu's base URI).</summary>
    public Uri BaseUri { get; }

    /// <summary>The NEU base URI: NEU is emulated under <c>neu/</c> so its paths never meet Khipu's.</summary>
    public Uri NeuBaseUri => new(BaseUri, "neu/");

    /// <summary>Counters, faults, options and data shared by every endpoint.</summary>
    public EmulatorState State { get; }

    /// <summary>Starts the emulator; <paramref name="url"/> defaults to a free loopback port.</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        var state = new EmulatorState(options ?? new EmulatorOptions());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The large-response mode sends hundreds of megabytes; bodies from tests are small.
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Limits.MinResponseDataRate = null;
        });
        builder.Services.AddSingleton(state);
        var application = builder.Build();
        application.UseMiddleware<FaultMiddleware>();
        ControlEndpoints.Map(application, state);
        KhipuEndpoints.Map(application, state);
        NeuEndpoints.Map(application, state);
        await application.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = application.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.TrimEnd('/') + "/");
        state.BaseUri = baseUri;
        return new EmulatorServer(application, state, baseUri);
    }

    /// <summary>Clears counters, faults, pending callbacks and options back to those given at start.</summary>
    public void Reset() => State.Reset();

    public async ValueTask DisposeAsync()
    {
        await State.DisposeAsync().ConfigureAwait(false);
        await application.StopAsync().ConfigureAwait(false);
        await application.DisposeAsync().ConfigureAwait(false);
    }

    internal static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address);
}
