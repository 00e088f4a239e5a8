using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Reliability;

/// <summary>
/// Bad input is refused before any request: each case goes through the same core entry point its cmdlet or
/// connection setting uses, must fail with a <see cref="ParameterValidationException"/> that names the parameter
/// and the rule, and the emulator's request counter proves nothing was sent.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed partial class BadInputMatrixTests
{
    private static readonly DateTime January = new(2025, 1, 1);
    private static readonly DateTime June = new(2025, 6, 30);
    private readonly EmulatorServer server;

    public BadInputMatrixTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    /// <summary>One bad input: what is called, the parameter the error must name, and words of the rule.</summary>
    public sealed record BadInput(string Name, string Parameter, string Rule, Func<BadInputEnvironment, Task> Act)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadInput> Cases()
    {
        var data = new TheoryData<BadInput>();
        foreach (var badInput in KhipuCases().Concat(ConnectionCases()).Concat(NeuCases()))
        {
            data.Add(badInput);
        }

        return data;
    }

    [Fact]
    public void The_matrix_has_at_least_forty_cases_with_distinct_names()
    {
        var all = KhipuCases().Concat(ConnectionCases()).Concat(NeuCases()).ToList();
        Assert.True(all.Count >= 40, $"{all.Count} cases");
        Assert.Equal(all.Count, all.Select(badInput => badInput.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_naming_parameter_and_rule_and_nothing_is_sent(BadInput badInput)
    {
        var environment = new BadInputEnvironment(server);
        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => badInput.Act(environment));

        Assert.Equal(badInput.Parameter, error.ParamName);
        Assert.Contains(badInput.Rule, error.Message, StringComparison.OrdinalIgnoreCase);
        // Named once, at the start: ArgumentException's own " (Parameter 'X')" suffix made every message say it twice
        // (and made this check pass whatever the message said).
        Assert.StartsWith($"Parameter '{badInput.Parameter}' ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.State.Counters.Total);
    }

    private static IEnumerable<BadInput> KhipuCases()
    {
        yield return new("ClientIdentifier too long", "ClientIdentifier", "at most 20", env => env.Khipu.GetEnelDebtStatusAsync(new string('1', 21), null, CancellationToken.None));
        yield return new("ClientIdentifier letters", "ClientIdentifier", "digits", env => env.Khipu.GetEnelDebtStatusAsync("12A45", null, CancellationToken.None));
        yield return new("ClientIdentifier empty", "ClientIdentifier", "empty", env => env.Khipu.GetEnelDebtStatusAsync(string.Empty, null, CancellationToken.None));
        yield return new("ClientIdentifier two check characters", "ClientIdentifier", "digits", env => env.Khipu.GetEnelDebtStatusAsync("123-KK", null, CancellationToken.None));
        yield return new("ClientIdentifier for a bill too long", "ClientIdentifier", "at most 20", env => env.Khipu.GetEnelBillDocumentAsync(new string('9', 25), "ana@example.cl", null, null, CancellationToken.None));
        yield return new("Email without at sign", "Email", "pattern", env => env.Khipu.GetEnelBillDocumentAsync("1234567", "ana.example.cl", null, null, CancellationToken.None));
        yield return new("Email empty", "Email", "empty", env => env.Khipu.GetEnelBillDocumentAsync("1234567", string.Empty, null, null, CancellationToken.None));
        yield return new("OutputPath missing folder", "OutputPath", "existing folder", env => env.Khipu.GetEnelBillDocumentAsync("1234567", "ana@example.cl", Path.Combine(Path.GetTempPath(), "energydata-missing-" + Guid.NewGuid().ToString("N")), null, CancellationToken.None));
        yield return new("OutputPath with a CallbackUrl", "OutputPath", "asynchronous", env => env.Khipu.SubmitAsync(KhipuClient.EnelBillDocumentRequest("1234567", "ana@example.cl", new Uri("https://example.cl/cb"), Path.GetTempPath()), "1234567", null, CancellationToken.None));
        yield return new("DebtorRut with dots and dash", "DebtorRut", "digits", env => env.Cen(new CenQuery { RutDeudor = "12.345.678-9", From = January, To = June }));
        yield return new("DebtorRut empty", "DebtorRut", "empty", env => env.Cen(new CenQuery { RutDeudor = string.Empty, From = January, To = June }));
        yield return new("DebtorRut eleven digits", "DebtorRut", "digits", env => env.Cen(new CenQuery { RutDeudor = "12345678901", From = January, To = June }));
        yield return new("CEN dates reversed", "From", "To", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = June, To = January }));
        yield return new("CEN From before 1900", "From", "1900", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = new DateTime(1899, 12, 31), To = June }));
        yield return new("CEN To after 2100", "To", "2100", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = January, To = new DateTime(2101, 1, 1) }));
        yield return new("CEN PageSize zero", "PageSize", "between 1 and 1000", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = January, To = June, PageSize = 0 }));
        yield return new("CEN PageSize over the maximum", "PageSize", "between 1 and 1000", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = January, To = June, PageSize = 1001 }));
        yield return new("CEN Skip negative", "Skip", "negative", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = January, To = June, Skip = -1 }));
        yield return new("CEN without AccountCredential on an API key", "AccountCredential", "required", env => env.Cen(new CenQuery { RutDeudor = "76543210", From = January, To = June }, withCredential: false));
        yield return new("TGR without AccountCredential on an API key", "AccountCredential", "required", env => BadInputEnvironment.Drain(env.Khipu.GetTgrExpiredAgreementsAsync(null, true, null, CancellationToken.None)));
        yield return new("AccountCredential without a user name", "AccountCredential", "user name", _ => Task.FromResult(KhipuAccountCredential.FromUserName(" ", "secret".ToSecureString())));
        yield return new("CallbackUrl relative", "CallbackUrl", "absolute", env => env.Khipu.SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567", new Uri("/callbacks/x", UriKind.Relative)), "1234567", null, CancellationToken.None));
        yield return new("CallbackUrl ftp scheme", "CallbackUrl", "http", env => env.Khipu.SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567", new Uri("ftp://example.cl/cb")), "1234567", null, CancellationToken.None));
        yield return new("CallbackUrl too long", "CallbackUrl", "255", env => env.Khipu.SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567", new Uri("https://example.cl/" + new string('c', 240))), "1234567", null, CancellationToken.None));
        yield return new("CallbackUrl on a CEN page too long", "CallbackUrl", "255", env => Task.FromResult(KhipuClient.CenRequest(new CenQuery { RutDeudor = "76543210", From = January, To = June }, 0, false, new Uri("https://example.cl/" + new string('c', 300)))));
        yield return new("Generic Path absolute", "Path", "relative", env => env.Khipu.InvokeAsync("https://evil.example/v1/x", null, null, CancellationToken.None));
        yield return new("Generic Path without version", "Path", "v1/", env => env.Khipu.InvokeAsync("cl/services/enel.cl/debt-status-by-client-identifier", null, null, CancellationToken.None));
        yield return new("Generic Path with a query", "Path", "without a query", env => env.Khipu.InvokeAsync("v1/cl/services/x?debug=1", null, null, CancellationToken.None));
        yield return new("Generic RequestData nested too deep", "RequestData", "32 levels", env => env.Khipu.InvokeAsync(KhipuServices.EnelDebtStatus, Nested(40), null, CancellationToken.None));
        yield return new("Generic RequestData with a value of no JSON form", "RequestData", "cannot hold a value of type System.Object", env => env.Khipu.InvokeAsync(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["ClientIdentifier"] = "1234567", ["Filtros"] = new object() }, null, CancellationToken.None));
        yield return new("Generic RequestData with a file object in a list", "RequestData", "System.IO.FileInfo", env => env.Khipu.InvokeAsync(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["Files"] = new List<object?> { "a", new FileInfo("clients.json") } }, new Uri("https://example.cl/cb"), null, CancellationToken.None));
    }

    private static IEnumerable<BadInput> ConnectionCases()
    {
        yield return new("KhipuBaseUri plain http remote", "KhipuBaseUri", "https", env => env.Connect(settings => settings.KhipuBaseUri = new Uri("http://api.khipu.com/")));
        yield return new("NeuBaseUri plain http remote", "NeuBaseUri", "https", env => env.Connect(settings => settings.NeuBaseUri = new Uri("http://api.neu.com.co/")));
        yield return new("KhipuBaseUri with user info", "KhipuBaseUri", "user", env => env.Connect(settings => settings.KhipuBaseUri = new Uri("https://user:pass@api.khipu.com/")));
        yield return new("KhipuBaseUri with a query", "KhipuBaseUri", "query", env => env.Connect(settings => settings.KhipuBaseUri = new Uri("https://api.khipu.com/?x=1")));
        yield return new("Two Khipu credentials", "KhipuApiKey", "cannot be combined", env => env.Connect(settings => settings.KhipuAccessToken = "a.b.c".ToSecureString()));
        yield return new("KhipuApiKey empty", "KhipuApiKey", "empty", env => env.Connect(settings => settings.KhipuApiKey = string.Empty.ToSecureString()));
        yield return new("KhipuAccessToken empty", "KhipuAccessToken", "empty", env => env.Connect(settings =>
        {
            settings.KhipuApiKey = null;
            settings.KhipuAccessToken = string.Empty.ToSecureString();
        }));
        yield return new("NeuToken empty", "NeuToken", "empty", env => env.Connect(settings => settings.NeuToken = string.Empty.ToSecureString()));
        yield return new("Client credentials without a token URI", "KhipuTokenUri", "required", env => env.Connect(settings =>
        {
            settings.KhipuApiKey = null;
            settings.KhipuClientId = "client";
            settings.KhipuClientSecret = "secret".ToSecureString();
        }));
        yield return new("Client credentials without a secret", "KhipuClientCredential", "client secret", env => env.Connect(settings =>
        {
            settings.KhipuApiKey = null;
            settings.KhipuClientId = "client";
            settings.KhipuClientSecret = string.Empty.ToSecureString();
            settings.KhipuTokenUri = new Uri("https://login.example/token");
        }));
        yield return new("KhipuTokenUri plain http remote", "KhipuTokenUri", "https", env => env.Connect(settings =>
        {
            settings.KhipuApiKey = null;
            settings.KhipuClientId = "client";
            settings.KhipuClientSecret = "secret".ToSecureString();
            settings.KhipuTokenUri = new Uri("http://login.example/token");
        }));
        yield return new("MaxRetryAttempts over ten", "MaxRetryAttempts", "between 0 and 10", env => env.Connect(settings => settings.Resilience.MaxRetryAttempts = 11));
        yield return new("AttemptTimeout longer than TotalTimeout", "AttemptTimeout", "TotalTimeout", env => env.Connect(settings =>
        {
            settings.Resilience.AttemptTimeout = TimeSpan.FromMinutes(10);
            settings.Resilience.TotalTimeout = TimeSpan.FromMinutes(5);
        }));
        yield return new("ThrottleLimit zero", "ThrottleLimit", "between 1 and 64", _ => Run(() => new PumpOptions { ThrottleLimit = 0 }.Validate()));
        yield return new("ThrottleLimit over 64", "ThrottleLimit", "between 1 and 64", _ => Run(() => new PumpOptions { ThrottleLimit = 65 }.Validate()));
    }

    private static Task Run(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    private static Dictionary<string, object?> Nested(int depth)
    {
        var root = new Dictionary<string, object?>();
        var current = root;
        for (var level = 0; level < depth; level++)
        {
            var child = new Dictionary<string, object?>();
            current["Level"] = child;
            current = child;
        }

        return root;
    }
}

/// <summary>What a case may call: a connection to the emulator (API key, so CEN and TGR need an AccountCredential).</summary>
public sealed class BadInputEnvironment
{
    private readonly EmulatorServer server;
    private readonly Lazy<EnergyDataConnection> connection;

    public BadInputEnvironment(EmulatorServer server)
    {
        this.server = server;
        connection = new Lazy<EnergyDataConnection>(() => EnergyDataConnection.Create(ValidSettings()));
    }

    public KhipuClient Khipu => connection.Value.GetKhipuClient();

    public EnergyData.Neu.NeuClient Neu => connection.Value.GetNeuClient();

    public EnergyDataConnection Connection => connection.Value;

    public ConnectionSettings ValidSettings() => new()
    {
        KhipuBaseUri = server.BaseUri,
        NeuBaseUri = server.NeuBaseUri,
        KhipuApiKey = server.State.Options.KhipuApiKey.ToSecureString(),
        NeuToken = server.State.Options.NeuToken.ToSecureString(),
    };

    /// <summary>Creates (and disposes) a connection from valid settings changed by <paramref name="change"/>.</summary>
    public Task Connect(Action<ConnectionSettings> change)
    {
        var settings = ValidSettings();
        change(settings);
        using var created = EnergyDataConnection.Create(settings);
        return Task.CompletedTask;
    }

    public Task Cen(CenQuery query, bool withCredential = true)
    {
        if (withCredential)
        {
            query.AccountCredential ??= KhipuAccountCredential.FromUserName("operator", "secret".ToSecureString());
        }

        return BadInputEnvironment.Drain(Khipu.GetCenNonconformitiesAsync(query, true, null, null, null, CancellationToken.None));
    }

    public static async Task Drain<T>(IAsyncEnumerable<T> results)
    {
        await foreach (var unused in results)
        {
        }
    }
}
