using System;
using System.Net.Http;
using System.Threading;
using EnergyData.Auth;
using EnergyData.Khipu;

namespace EnergyData.Connection;

/// <summary>
/// One configured pair of API endpoints with their credentials and one pooled HttpClient per API.
/// Shows what is configured, never a secret: secrets are held only as SecureString inside the
/// authentication providers.
/// <para>
/// The session's connection is shared by every runspace of the process, so a command takes a lease on the connection
/// it uses (<see cref="AcquireLease"/>) and releases it when it ends. A connection that is replaced or disconnected is
/// retired (<see cref="Retire"/>): it takes no new lease, and its HTTP clients are disposed when the last lease ends,
/// so requests in flight in another runspace complete.
/// </para>
/// </summary>
public sealed class EnergyDataConnection : IDisposable
{
    private readonly ConnectionSettings settings;
    private readonly Lazy<KhipuClient> khipu;
    private readonly Lazy<Neu.NeuClient> neu;
    private HttpClient? neuHttp;
    private HttpMessageHandler? tokenHandler;
    private HttpClient? khipuHttp;
    private readonly object leaseGate = new();
    private int leases;
    private bool retired;
    private int disposed;
    private int closings;
    private int handedOut;

    private EnergyDataConnection(ConnectionSettings settings)
    {
        this.settings = settings;
        KhipuAuthenticationScheme = settings.KhipuApiKey is not null ? "ApiKey"
            : settings.KhipuAccessToken is not null ? "Bearer"
            : settings.KhipuClientSecret is not null ? "ClientCredentials"
            : "None";
        khipu = new Lazy<KhipuClient>(CreateKhipuClient, LazyThreadSafetyMode.ExecutionAndPublication);
        neu = new Lazy<Neu.NeuClient>(CreateNeuClient, LazyThreadSafetyMode.ExecutionAndPublication);
        CreatedAt = DateTimeOffset.Now;
    }

    public Uri KhipuBaseUri => settings.KhipuBaseUri;

    /// <summary>ApiKey, Bearer, ClientCredentials or None.</summary>
    public string KhipuAuthenticationScheme { get; }

    /// <summary>
    /// The token endpoint as shown: its query (which may carry a gateway key or a code) is masked as "?***"; requests
    /// use the URL exactly as given.
    /// </summary>
    public Uri? KhipuTokenUri => settings.KhipuTokenUri is { Query.Length: > 0 } uri
        ? new Uri(uri.GetLeftPart(UriPartial.Path) + "?***")
        : settings.KhipuTokenUri;

    public string? KhipuClientId => settings.KhipuClientId;

    public bool HasKhipuAccountCredential => settings.KhipuAccountCredential is not null;

    public Uri NeuBaseUri => settings.NeuBaseUri;

    /// <summary>Token or None.</summary>
    public string NeuAuthenticationScheme => settings.NeuToken is null ? "None" : "Token";

    /// <summary>How many NEU routes this session overrides (Get-NeuRoute lists them).</summary>
    public int NeuRouteOverrides => settings.NeuRouteTable.OverrideCount;

    public int MaxRetryAttempts => settings.Resilience.MaxRetryAttempts;

    public TimeSpan AttemptTimeout => settings.Resilience.AttemptTimeout;

    public TimeSpan TotalTimeout => settings.Resilience.TotalTimeout;

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The session's default RequestData.AccountCredential for CEN and TGR (a method: it is not for display or export).</summary>
    public KhipuAccountCredential? GetKhipuAccountCredential() => settings.KhipuAccountCredential;

    /// <summary>Khipu asks for RequestData.AccountCredential on CEN and TGR when it is called with an API key.</summary>
    public bool KhipuRequiresAccountCredential => KhipuAuthenticationScheme == "ApiKey";

    /// <summary>
    /// The Khipu client. Throws <see cref="NotConnectedException"/> when no Khipu credential is configured.
    /// A method rather than a property, so the connection's display and Export-Csv show settings only.
    /// </summary>
    public KhipuClient GetKhipuClient()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(EnergyDataConnection), "This connection was closed by Disconnect-EnergyData or replaced by a new Connect-EnergyData.");
        }

        if (KhipuAuthenticationScheme == "None")
        {
            throw new NotConnectedException("No Khipu credential is configured. Run Connect-EnergyData with -KhipuApiKey, -KhipuAccessToken or -KhipuClientCredential, or set ENERGYDATA_KHIPU_API_KEY.");
        }

        return khipu.Value;
    }

    /// <summary>The effective NEU route table (defaults with this session's overrides); needs no credential.</summary>
    public Neu.NeuRouteTable GetNeuRoutes() => settings.NeuRouteTable;

    /// <summary>
    /// The NEU client on this connection's NEU HttpClient (resilience, Bearer token). Throws
    /// <see cref="NotConnectedException"/> when no NEU token is configured.
    /// </summary>
    public Neu.NeuClient GetNeuClient()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(EnergyDataConnection), "This connection was closed by Disconnect-EnergyData or replaced by a new Connect-EnergyData.");
        }

        if (settings.NeuToken is null)
        {
            throw new NotConnectedException("No NEU token is configured. Run Connect-EnergyData -NeuToken (the token from the NEU web app's user profile), or set ENERGYDATA_NEU_TOKEN.");
        }

        return neu.Value;
    }

    public static EnergyDataConnection Create(ConnectionSettings settings)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        settings.Validate();
        return new EnergyDataConnection(settings);
    }

    public override string ToString() =>
        $"EnergyData connection: Khipu {KhipuBaseUri} ({KhipuAuthenticationScheme}), NEU {NeuBaseUri} ({NeuAuthenticationScheme})";

    /// <summary>
    /// Marks the connection as given to the user (Connect-EnergyData -PassThru): replacing or clearing the session's
    /// connection then leaves it open, so a script that keeps it can go on using it with -Connection.
    /// </summary>
    public void MarkHandedOut() => Interlocked.Exchange(ref handedOut, 1);

    /// <summary>Whether <see cref="MarkHandedOut"/> was called.</summary>
    public bool IsHandedOut() => Volatile.Read(ref handedOut) != 0;

    /// <summary>Leases held now (for tests).</summary>
    internal int LeaseCount
    {
        get
        {
            lock (leaseGate)
            {
                return leases;
            }
        }
    }

    /// <summary>Whether the HTTP clients have been disposed.</summary>
    internal bool IsClosed => Volatile.Read(ref disposed) != 0;

    /// <summary>How many times the HTTP clients were disposed: never more than once (for tests).</summary>
    internal int Closings => Volatile.Read(ref closings);

    /// <summary>
    /// Holds the connection open for one command until the lease is disposed. Throws <see cref="NotConnectedException"/>
    /// when the connection was closed by Disconnect-EnergyData or replaced by a new Connect-EnergyData (retired), even if
    /// commands that leased it earlier still run.
    /// </summary>
    public ConnectionLease AcquireLease() =>
        TryAcquireLease(out var lease)
            ? lease!
            : throw new NotConnectedException("This connection was closed by Disconnect-EnergyData or replaced by a new Connect-EnergyData. Run Connect-EnergyData again, or pass a connection kept from Connect-EnergyData -PassThru with -Connection.");

    /// <summary>
    /// Retires the connection: no new lease is given, and the HTTP clients are disposed now when no command holds a
    /// lease, else when the last lease is released. Thread-safe; a second call does nothing.
    /// </summary>
    public void Retire()
    {
        bool closeNow;
        lock (leaseGate)
        {
            if (retired)
            {
                return;
            }

            retired = true;
            closeNow = leases == 0;
        }

        if (closeNow)
        {
            Close();
        }
    }

    /// <summary>Disposes the HTTP clients now, even under a lease (commands using it then fail); <see cref="Retire"/> waits for them.</summary>
    public void Dispose()
    {
        lock (leaseGate)
        {
            retired = true;
        }

        Close();
    }

    internal bool TryAcquireLease(out ConnectionLease? lease)
    {
        lock (leaseGate)
        {
            if (retired || Volatile.Read(ref disposed) != 0)
            {
                lease = null;
                return false;
            }

            leases++;
        }

        lease = new ConnectionLease(this);
        return true;
    }

    internal void ReleaseLease()
    {
        bool closeNow;
        lock (leaseGate)
        {
            leases--;
            closeNow = retired && leases == 0;
        }

        if (closeNow)
        {
            Close();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Interlocked.Increment(ref closings);
        khipuHttp?.Dispose();
        neuHttp?.Dispose();
        tokenHandler?.Dispose();
    }

    private KhipuClient CreateKhipuClient()
    {
        IAuthenticationProvider authentication = KhipuAuthenticationScheme switch
        {
            "ApiKey" => new ApiKeyAuthentication(settings.KhipuApiKey!),
            "Bearer" => new BearerTokenAuthentication(settings.KhipuAccessToken!),
            _ => CreateClientCredentials(),
        };
        khipuHttp = Http.EnergyDataHttpClientFactory.Create(settings.Resilience, authentication);
        return new KhipuClient(khipuHttp, settings.KhipuBaseUri, new KhipuClientOptions
        {
            MaxAttempts = settings.Resilience.MaxRetryAttempts + 1,
            RetryImmediatelyLimit = settings.RetryImmediatelyLimit,
        });
    }

    private Neu.NeuClient CreateNeuClient()
    {
        neuHttp = Http.EnergyDataHttpClientFactory.Create(settings.Resilience, new BearerTokenAuthentication(settings.NeuToken!));
        return new Neu.NeuClient(neuHttp, settings.NeuBaseUri, settings.NeuRouteTable, settings.NeuToken, new Neu.NeuClientOptions
        {
            MaxAttempts = settings.Resilience.MaxRetryAttempts + 1,
        });
    }

    private ClientCredentialsAuthentication CreateClientCredentials()
    {
        // Redirects of the token endpoint are followed like the API's, keeping Basic client authentication and
        // never carrying the client secret (header or body) to another origin.
        tokenHandler = new Http.RedirectHandler { InnerHandler = Http.EnergyDataHttpClientFactory.CreateTransport() };
        return new ClientCredentialsAuthentication(
            settings.KhipuTokenUri!,
            settings.KhipuClientId!,
            settings.KhipuClientSecret!,
            settings.KhipuScope,
            new ClientCredentialsOptions { ClientAuthentication = settings.KhipuClientAuthentication },
            tokenHandler);
    }
}
