using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnergyData.Tests.Http;

/// <summary>One request as the server saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A Kestrel server on 127.0.0.1 with a random port that answers each request with the next scripted step
/// (or the fallback once the script is empty) and records what it received.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private ScriptedServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public Func<HttpContext, Task> Fallback { get; set; } = ctx => Status(ctx, 200, "{}");

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public int RequestCount => _requests.Count;

    public Uri Url(string path) => new(BaseUri, path);

    public static async Task<ScriptedServer> StartAsync(Func<HttpContext, Task>? fallback = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        ScriptedServer? server = null;
        app.Run(ctx => server!.HandleAsync(ctx));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new ScriptedServer(app, new Uri(address));
        if (fallback is not null)
        {
            server.Fallback = fallback;
        }

        return server;
    }

    public ScriptedServer Enqueue(Func<HttpContext, Task> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public ScriptedServer Enqueue(int status, string body = "", Action<HttpResponse>? headers = null) =>
        Enqueue(ctx =>
        {
            headers?.Invoke(ctx.Response);
            return Status(ctx, status, body);
        });

    public static async Task Status(HttpContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        if (body.Length > 0)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body);
        }
    }

    public static string KhipuError(string type, string code = "E201") =>
        $$$"""{"OperationId":"6f1c","Status":"ERROR","Data":null,"AdditionalInformation":null,"Error":{"Code":"{{{code}}}","Type":"{{{type}}}","Description":"scripted"}}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        // Buffered and rewound so a step can read the body again.
        ctx.Request.EnableBuffering();
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body);
        ctx.Request.Body.Position = 0;
        var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(ctx.Request.Method, ctx.Request.Path, headers, body.ToArray()));
        var step = _script.TryDequeue(out var next) ? next : Fallback;
        await step(ctx);
    }
}

/// <summary>Records trace lines; thread-safe like the real sink must be.</summary>
public sealed class RecordingTrace : IRequestTrace
{
    private readonly ConcurrentQueue<string> _verbose = new();
    private readonly ConcurrentQueue<string> _debug = new();

    public IReadOnlyList<string> VerboseLines => _verbose.ToList();

    public IReadOnlyList<string> DebugLines => _debug.ToList();

    public void Verbose(string message) => _verbose.Enqueue(message);

    public void Debug(string message) => _debug.Enqueue(message);
}

/// <summary>A clock the test moves by hand; timers are not needed by the code that uses it.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

public static class TestClients
{
    /// <summary>Small delays so retry tests run in well under a second each.</summary>
    public static ResilienceOptions FastOptions() => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
        BodyIdleTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The factory's chain over a SocketsHttpHandler that, like the module's own transport, follows no redirects.</summary>
    public static HttpClient Create(ResilienceOptions options, EnergyData.Auth.IAuthenticationProvider? auth = null) =>
        EnergyDataHttpClientFactory.Create(options, auth, new SocketsHttpHandler { AllowAutoRedirect = false });

    public static HttpRequestMessage Post(Uri uri, string json, RequestContext? context = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (context is not null)
        {
            request.SetRequestContext(context);
        }

        return request;
    }

    public static HttpRequestMessage Get(Uri uri, RequestContext? context = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (context is not null)
        {
            request.SetRequestContext(context);
        }

        return request;
    }
}
