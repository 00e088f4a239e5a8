using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;

namespace EnergyData.Tests.Neu;

/// <summary>Records what the NEU client reports, as a cmdlet's operation context would receive it.</summary>
internal sealed class RecordingContext : IOperationContext
{
    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<string> VerboseLines { get; } = new();

    public ConcurrentQueue<string> DebugLines { get; } = new();

    public ConcurrentDictionary<string, bool> ClaimedWarnings { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<object> Objects { get; } = new();

    /// <summary>Non-terminating errors, kept when <see cref="RecordErrors"/> is set (otherwise they are thrown).</summary>
    public ConcurrentQueue<OperationError> Errors { get; } = new();

    public bool RecordErrors { get; init; }

    public CancellationToken CancellationToken { get; init; }

    public object? Target => null;

    public IEnumerable<string> AllText => Warnings.Concat(VerboseLines).Concat(DebugLines);

    public ValueTask WriteObjectAsync(object item)
    {
        Objects.Enqueue(item);
        return default;
    }

    public void WriteError(OperationError failure)
    {
        if (!RecordErrors || failure.IsTerminating)
        {
            throw failure.Exception;
        }

        Errors.Enqueue(failure);
    }

    public void Warning(string message) => Warnings.Enqueue(message);

    public bool ClaimWarning(string topic) => ClaimedWarnings.TryAdd(topic, true);

    public void Progress(ProgressInfo progress)
    {
    }

    public void Verbose(string message) => VerboseLines.Enqueue(message);

    public void Debug(string message) => DebugLines.Enqueue(message);
}

/// <summary>A connection to the emulator's NEU API, built the way Connect-EnergyData builds one.</summary>
internal static class NeuTestConnection
{
    public static EnergyDataConnection Create(EmulatorServer server, string? token = null, IDictionary<string, string?>? routes = null, int retries = 2)
    {
        var settings = new ConnectionSettings
        {
            NeuBaseUri = server.NeuBaseUri,
            NeuToken = (token ?? server.State.Options.NeuToken).ToSecureString(),
            NeuRoutes = routes,
        };
        settings.Resilience.MaxRetryAttempts = retries;
        settings.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
        settings.Resilience.UseJitter = false;
        return EnergyDataConnection.Create(settings);
    }

    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

/// <summary>
/// Answers NEU requests with canned JSON and records each request as sent (method, URI, body), for response shapes
/// the emulator does not produce and for checking composed URIs exactly.
/// </summary>
internal sealed class StubNeuHandler : HttpMessageHandler
{
    public static readonly Uri BaseUri = new("https://neu.test/api/");

    private readonly Func<HttpRequestMessage, string> respond;

    public StubNeuHandler(Func<HttpRequestMessage, string> respond)
    {
        this.respond = respond;
    }

    public ConcurrentQueue<(string Method, string Uri, string? Body)> Requests { get; } = new();

    /// <summary>A client on this handler, with the given route overrides.</summary>
    public NeuClient CreateClient(IDictionary<string, string?>? routes = null) =>
        new(new HttpClient(this), BaseUri, NeuRouteTable.Create(routes));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request.Method.Method, request.RequestUri!.AbsoluteUri, body));
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(respond(request), Encoding.UTF8, "application/json"),
        };
    }
}

/// <summary>
/// The base of a test class over the emulator's NEU API: the emulator reset for each test, a connection to it built the
/// way Connect-EnergyData builds one, and its NEU client; the connection is disposed after each test.
/// </summary>
public abstract class NeuEmulatorTests : IDisposable
{
    protected NeuEmulatorTests(EmulatorFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Server = fixture.Reset();
        Connection = NeuTestConnection.Create(Server);
        Client = Connection.GetNeuClient();
    }

    protected EmulatorServer Server { get; }

    protected EnergyDataConnection Connection { get; }

    protected NeuClient Client { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Connection.Dispose();
        }
    }
}
