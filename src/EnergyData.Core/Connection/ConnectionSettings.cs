using System;
using System.Collections;
using System.Security;
using EnergyData.Auth;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Validation;

namespace EnergyData.Connection;

/// <summary>Everything Connect-EnergyData gathers, checked by <see cref="Validate"/> before a connection is made.</summary>
public sealed class ConnectionSettings
{
    public const string KhipuApiKeyVariable = "ENERGYDATA_KHIPU_API_KEY";
    public const string NeuTokenVariable = "ENERGYDATA_NEU_TOKEN";
    public const string KhipuBaseUriVariable = "ENERGYDATA_KHIPU_BASE_URI";
    public const string NeuBaseUriVariable = "ENERGYDATA_NEU_BASE_URI";
    public const string AllowUnencryptedAuthenticationVariable = "ENERGYDATA_ALLOW_UNENCRYPTED_AUTHENTICATION";

    public static readonly Uri DefaultKhipuBaseUri = new("https://api.khipu.com/");
    public static readonly Uri DefaultNeuBaseUri = new("https://api.neu.com.co/");

    public Uri KhipuBaseUri { get; set; } = DefaultKhipuBaseUri;

    public Uri NeuBaseUri { get; set; } = DefaultNeuBaseUri;

    public SecureString? KhipuApiKey { get; set; }

    /// <summary>A Khipu JWT given directly, sent as a Bearer token.</summary>
    public SecureString? KhipuAccessToken { get; set; }

    public string? KhipuClientId { get; set; }

    public SecureString? KhipuClientSecret { get; set; }

    /// <summary>Khipu's token endpoint is not public; it must be given with client credentials.</summary>
    public Uri? KhipuTokenUri { get; set; }

    public string? KhipuScope { get; set; }

    public ClientAuthenticationMethod KhipuClientAuthentication { get; set; } = ClientAuthenticationMethod.Body;

    public KhipuAccountCredential? KhipuAccountCredential { get; set; }

    public SecureString? NeuToken { get; set; }

    /// <summary>NEU route overrides for this session: endpoint name to "METHOD path" (Connect-EnergyData -NeuRoute).</summary>
    public System.Collections.Generic.IDictionary<string, string?>? NeuRoutes { get; set; }

    /// <summary>A JSON file of NEU route overrides (-NeuRouteFile); -NeuRoute entries win over the file's.</summary>
    public string? NeuRouteFile { get; set; }

    /// <summary>The NEU route table with the overrides applied; set by <see cref="Validate"/>.</summary>
    public Neu.NeuRouteTable NeuRouteTable { get; private set; } = Neu.NeuRouteTable.Default;

    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// Plain http base and token addresses on any host, not only on the loopback (Connect-EnergyData
    /// -AllowUnencryptedAuthentication): the credentials then cross the network unencrypted.
    /// </summary>
    public bool AllowUnencryptedAuthentication { get; set; }

    public int RetryImmediatelyLimit { get; set; } = 2;

    // The values FromEnvironment read, by the property they went to: a refusal of one that is still in place names the
    // variable, not a parameter the user never gave.
    private readonly System.Collections.Generic.List<(string Property, string Variable, object Value)> fromEnvironment = new();

    /// <summary>Reads the variables unattended scripts use: ENERGYDATA_KHIPU_API_KEY, ENERGYDATA_NEU_TOKEN and the base URIs.</summary>
    public static ConnectionSettings FromEnvironment(IDictionary? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariables();
        var settings = new ConnectionSettings();
        if (Text(variables, KhipuApiKeyVariable) is { } key)
        {
            settings.KhipuApiKey = key.ToSecureString();
            settings.fromEnvironment.Add((nameof(KhipuApiKey), KhipuApiKeyVariable, settings.KhipuApiKey));
        }

        if (Text(variables, NeuTokenVariable) is { } token)
        {
            settings.NeuToken = token.ToSecureString();
            settings.fromEnvironment.Add((nameof(NeuToken), NeuTokenVariable, settings.NeuToken));
        }

        if (Text(variables, KhipuBaseUriVariable) is { } khipuUri)
        {
            settings.KhipuBaseUri = ParseUri(khipuUri, KhipuBaseUriVariable);
            settings.fromEnvironment.Add((nameof(KhipuBaseUri), KhipuBaseUriVariable, settings.KhipuBaseUri));
        }

        if (Text(variables, NeuBaseUriVariable) is { } neuUri)
        {
            settings.NeuBaseUri = ParseUri(neuUri, NeuBaseUriVariable);
            settings.fromEnvironment.Add((nameof(NeuBaseUri), NeuBaseUriVariable, settings.NeuBaseUri));
        }

        if (Text(variables, AllowUnencryptedAuthenticationVariable) is { } allow)
        {
            settings.AllowUnencryptedAuthentication = ParseSwitch(allow, AllowUnencryptedAuthenticationVariable);
        }

        return settings;
    }

    /// <summary>True when the environment holds at least one credential.</summary>
    public static bool EnvironmentHasCredentials(IDictionary? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariables();
        return Text(variables, KhipuApiKeyVariable) is not null || Text(variables, NeuTokenVariable) is not null;
    }

    /// <summary>
    /// Checks every setting; a refused value names its parameter, or the environment variable it came from when
    /// <see cref="FromEnvironment"/> read it and no parameter replaced it.
    /// </summary>
    public void Validate()
    {
        // Which settings still hold what the environment gave, taken before any is normalised (a token is replaced).
        var variables = new System.Collections.Generic.Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (property, variable, value) in fromEnvironment)
        {
            if (ReferenceEquals(CurrentValue(property), value))
            {
                variables[property] = variable;
            }
        }

        try
        {
            ValidateValues();
        }
        catch (ParameterValidationException exception) when (exception.ParamName is { } name && variables.TryGetValue(name, out var variable))
        {
            throw exception.FromEnvironmentVariable(variable);
        }
    }

    private object? CurrentValue(string property) => property switch
    {
        nameof(KhipuApiKey) => KhipuApiKey,
        nameof(NeuToken) => NeuToken,
        nameof(KhipuBaseUri) => KhipuBaseUri,
        nameof(NeuBaseUri) => NeuBaseUri,
        _ => null,
    };

    private void ValidateValues()
    {
        KhipuBaseUri = InputRules.BaseUri(KhipuBaseUri, nameof(KhipuBaseUri), AllowUnencryptedAuthentication);
        NeuBaseUri = InputRules.BaseUri(NeuBaseUri, nameof(NeuBaseUri), AllowUnencryptedAuthentication);
        var methods = (KhipuApiKey is null ? 0 : 1) + (KhipuAccessToken is null ? 0 : 1) + (KhipuClientSecret is null && KhipuClientId is null ? 0 : 1);
        if (methods > 1)
        {
            throw new ParameterValidationException("KhipuApiKey", "cannot be combined with another Khipu credential: give one of -KhipuApiKey, -KhipuAccessToken or -KhipuClientCredential");
        }

        if (KhipuApiKey is not null)
        {
            // Trimmed as the tokens are: a blank key would go out as an empty x-api-key on a billed request.
            KhipuApiKey = KhipuApiKey.Trimmed();
        }

        if (KhipuApiKey is { Length: 0 })
        {
            throw new ParameterValidationException("KhipuApiKey", "must not be empty", "Nothing is left once surrounding whitespace is removed.");
        }

        if (KhipuAccessToken is not null)
        {
            // As for NEU: a token pasted from a header ("Bearer eyJ...") or read from a file with its newline.
            KhipuAccessToken = Neu.NeuTokenInspector.Normalize(KhipuAccessToken);
        }

        if (KhipuAccessToken is { Length: 0 })
        {
            throw new ParameterValidationException("KhipuAccessToken", "must not be empty", "Nothing is left once surrounding whitespace and a leading 'Bearer ' are removed.");
        }

        if (NeuToken is not null)
        {
            NeuToken = Neu.NeuTokenInspector.Normalize(NeuToken);
        }

        if (NeuToken is { Length: 0 })
        {
            throw new ParameterValidationException("NeuToken", "must not be empty", "Nothing is left once surrounding whitespace and a leading 'Bearer ' are removed.");
        }

        if (KhipuClientId is not null || KhipuClientSecret is not null)
        {
            InputRules.Required(KhipuClientId, "KhipuClientCredential");
            if (KhipuClientSecret is null || KhipuClientSecret.Length == 0)
            {
                throw new ParameterValidationException("KhipuClientCredential", "must have a client secret as its password");
            }

            if (KhipuTokenUri is null)
            {
                throw new ParameterValidationException("KhipuTokenUri", "is required with -KhipuClientCredential (Khipu does not publish its token endpoint; take it from your Khipu account)");
            }

            KhipuTokenUri = InputRules.TokenUri(KhipuTokenUri, nameof(KhipuTokenUri), AllowUnencryptedAuthentication);
        }

        if (RetryImmediatelyLimit is < 0 or > 10)
        {
            throw new ParameterValidationException("RetryImmediatelyLimit", "must be between 0 and 10");
        }

        Resilience.Validate();
        NeuRouteTable = BuildNeuRouteTable();
    }

    private Neu.NeuRouteTable BuildNeuRouteTable()
    {
        var overrides = new System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string?>>();
        if (NeuRouteFile is not null)
        {
            overrides.AddRange(Neu.NeuRouteTable.ReadOverrideFile(NeuRouteFile));
        }

        if (NeuRoutes is not null)
        {
            overrides.AddRange(NeuRoutes);
        }

        return Neu.NeuRouteTable.Create(overrides);
    }

    private static string? Text(IDictionary variables, string name)
    {
        var value = variables[name] as string;
        return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }

    private static Uri ParseUri(string text, string name) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw ParameterValidationException.ForEnvironmentVariable(name, "must be an absolute URI", $"'{text}' is not.");

    // A typo must not silently leave credentials on plain http refused or, worse, allowed: only these spellings count.
    private static bool ParseSwitch(string text, string name) => text.ToUpperInvariant() switch
    {
        "1" or "TRUE" or "YES" => true,
        "0" or "FALSE" or "NO" => false,
        _ => throw ParameterValidationException.ForEnvironmentVariable(name, "must be 1, true or yes (or 0, false or no)", $"It is '{text}'."),
    };
}
