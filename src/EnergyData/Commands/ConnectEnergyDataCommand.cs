using System;
using System.Management.Automation;
using System.Security;
using EnergyData.Connection;
using EnergyData.Khipu;

namespace EnergyData.Commands;

/// <summary>
/// Connect-EnergyData: stores the Khipu and NEU credentials for this session. Nothing is sent: every Khipu
/// request is billed, so the credentials are first used by the first data command.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "EnergyData", DefaultParameterSetName = EnvironmentSet)]
[OutputType(typeof(EnergyDataConnection))]
public sealed class ConnectEnergyDataCommand : PSCmdlet
{
    private const string EnvironmentSet = "Environment";
    private const string ApiKeySet = "KhipuApiKey";
    private const string AccessTokenSet = "KhipuAccessToken";
    private const string ClientCredentialSet = "KhipuClientCredential";

    [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
    public SecureString? KhipuApiKey { get; set; }

    /// <summary>A Khipu JWT, sent as a Bearer token.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    public SecureString? KhipuAccessToken { get; set; }

    /// <summary>OAuth2 client credentials: the client id as user name, the client secret as password.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    [Credential]
    public PSCredential? KhipuClientCredential { get; set; }

    /// <summary>The token endpoint the client credentials are exchanged at (Khipu does not publish it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    public Uri? KhipuTokenUri { get; set; }

    [Parameter(ParameterSetName = ClientCredentialSet)]
    public string? KhipuScope { get; set; }

    /// <summary>Send the client id and secret as HTTP Basic instead of form fields.</summary>
    [Parameter(ParameterSetName = ClientCredentialSet)]
    public SwitchParameter KhipuBasicClientAuthentication { get; set; }

    /// <summary>Default RequestData.AccountCredential for CEN and TGR (required by Khipu with an API key).</summary>
    [Parameter]
    [Credential]
    public PSCredential? KhipuAccountCredential { get; set; }

    /// <summary>The NEU token from the NEU web app's profile page.</summary>
    [Parameter]
    public SecureString? NeuToken { get; set; }

    /// <summary>NEU route overrides for this session: endpoint name to 'METHOD path', for example @{ Consumption = 'POST data/consumption/' }.</summary>
    [Parameter]
    public System.Collections.Hashtable? NeuRoute { get; set; }

    /// <summary>A JSON file of NEU route overrides ({ "Name": "METHOD path" }); -NeuRoute entries win over it.</summary>
    [Parameter]
    public string? NeuRouteFile { get; set; }

    [Parameter]
    public Uri? KhipuBaseUri { get; set; }

    [Parameter]
    public Uri? NeuBaseUri { get; set; }

    /// <summary>Retries after a transient failure (each is billed by Khipu); 0 to 10.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int MaxRetryCount { get; set; } = 3;

    /// <summary>Seconds one attempt may take until the response starts.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 120;

    /// <summary>Accept a plain http base or token URI on any host (the credentials then cross the network unencrypted).</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>Return the connection (for -Connection) as well as making it the session's.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        EnergyDataConnection connection;
        try
        {
            var settings = ParameterSetName == EnvironmentSet
                ? ConnectionSettings.FromEnvironment()
                : new ConnectionSettings();
            settings.KhipuApiKey ??= KhipuApiKey;
            settings.KhipuAccessToken = KhipuAccessToken ?? settings.KhipuAccessToken;
            if (KhipuClientCredential is not null)
            {
                settings.KhipuClientId = KhipuClientCredential.UserName;
                settings.KhipuClientSecret = KhipuClientCredential.Password;
                settings.KhipuTokenUri = KhipuTokenUri;
                settings.KhipuScope = KhipuScope;
                settings.KhipuClientAuthentication = KhipuBasicClientAuthentication.IsPresent ? Auth.ClientAuthenticationMethod.Basic : Auth.ClientAuthenticationMethod.Body;
            }

            if (KhipuAccountCredential is not null)
            {
                settings.KhipuAccountCredential = Khipu.KhipuAccountCredential.FromUserName(KhipuAccountCredential.UserName, KhipuAccountCredential.Password);
            }

            settings.NeuToken = NeuToken ?? settings.NeuToken;
            settings.KhipuBaseUri = KhipuBaseUri ?? settings.KhipuBaseUri;
            settings.NeuBaseUri = NeuBaseUri ?? settings.NeuBaseUri;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(AllowUnencryptedAuthentication)))
            {
                // Given, it wins over ENERGYDATA_ALLOW_UNENCRYPTED_AUTHENTICATION either way (-AllowUnencryptedAuthentication:$false too).
                settings.AllowUnencryptedAuthentication = AllowUnencryptedAuthentication.IsPresent;
            }
            settings.NeuRouteFile = NeuRouteFile is null ? null : GetUnresolvedProviderPathFromPSPath(NeuRouteFile);
            settings.NeuRoutes = NeuRoute is null ? null : NeuRouteOverrides(NeuRoute);
            settings.Resilience.MaxRetryAttempts = MaxRetryCount;
            settings.Resilience.AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec);
            if (settings.KhipuApiKey is null && settings.KhipuAccessToken is null && settings.KhipuClientSecret is null && settings.NeuToken is null)
            {
                throw new Validation.ParameterValidationException(
                    "KhipuApiKey",
                    "or another credential is required",
                    "Give -KhipuApiKey, -KhipuAccessToken, -KhipuClientCredential or -NeuToken, or set ENERGYDATA_KHIPU_API_KEY / ENERGYDATA_NEU_TOKEN.");
            }

            connection = EnergyDataConnection.Create(settings);
        }
        catch (Validation.ParameterValidationException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "InvalidParameter", ErrorCategory.InvalidArgument, null));
            return;
        }

        if (PassThru)
        {
            connection.MarkHandedOut();
        }

        EnergyDataSession.Set(connection);
        if (connection.NeuRouteOverrides > 0)
        {
            WriteVerbose($"NEU routes overridden for this session: {connection.NeuRouteOverrides} (Get-NeuRoute lists them).");
        }

        WriteVerbose(connection.ToString());
        if (PassThru)
        {
            WriteObject(connection);
        }
    }

    private static System.Collections.Generic.Dictionary<string, string?> NeuRouteOverrides(System.Collections.Hashtable table)
    {
        var overrides = new System.Collections.Generic.Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in table)
        {
            var key = entry.Key is PSObject keyObject ? keyObject.BaseObject : entry.Key;
            var value = entry.Value is PSObject valueObject ? valueObject.BaseObject : entry.Value;
            overrides[Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = value is string text ? text : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return overrides;
    }
}
