using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace EnergyData.Tests.Reliability;

/// <summary>
/// The secret scan: every scenario runs with known secret values, and everything the module produces is searched
/// for them — results (every property and ToString), verbose, debug and warning text, error records, exception
/// text and ToString, the connection's display and properties, and every file written. Zero occurrences allowed.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed partial class SecretScanTests : IDisposable
{
    private const string ApiKey = "sk-live-APIKEY-5c1e9d7a2b";
    private const string WrongApiKey = "sk-live-WRONGKEY-77aa01";
    private const string ClientSecret = "cs-CLIENTSECRET-e81f44";
    private const string AccountPassword = "pw-ACCOUNTPASSWORD-19c3";
    private const string AccountLink = "al-ACCOUNTLINK-0b5d21";

    // The password the emulated TGR site rejects (KhipuData.TgrRejectedPassword).
    private const string TgrRejectedPassword = "wrong-password";
    private readonly EmulatorServer server;
    private readonly ITestOutputHelper output;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "energydata-secret-scan-" + Guid.NewGuid().ToString("N"));
    private readonly SecretCollector collected = new();

    public SecretScanTests(EmulatorFixture fixture, ITestOutputHelper output)
    {
        server = fixture.Reset();
        this.output = output;
        server.State.Options.KhipuApiKey = ApiKey;
        server.State.Options.KhipuClientSecret = ClientSecret;
        Directory.CreateDirectory(folder);
    }

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task No_secret_appears_in_any_output_of_any_scenario()
    {
        var jwt = server.State.IssueKhipuToken("secret-scan");
        var secrets = new List<string> { ApiKey, WrongApiKey, ClientSecret, AccountPassword, AccountLink, jwt, TgrRejectedPassword };
        secrets.AddRange(await RunNeuScenariosAsync());
        secrets.AddRange(await RunCallbackScenariosAsync());

        var account = KhipuAccountCredential.FromUserName("operator", AccountPassword.ToSecureString());
        var link = KhipuAccountCredential.FromAccountLink(AccountLink.ToSecureString());
        var withApiKey = Connect(settings => settings.KhipuApiKey = ApiKey.ToSecureString());
        var withJwt = Connect(settings => settings.KhipuAccessToken = jwt.ToSecureString());
        var withClientCredentials = Connect(settings =>
        {
            settings.KhipuClientId = server.State.Options.KhipuClientId;
            settings.KhipuClientSecret = ClientSecret.ToSecureString();
            settings.KhipuTokenUri = new Uri(server.BaseUri, KhipuEndpoints.TokenPath);
            settings.KhipuAccountCredential = account;
        });
        var withWrongKey = Connect(settings => settings.KhipuApiKey = WrongApiKey.ToSecureString());

        var cen = new CenQuery { RutDeudor = "76999999", From = new DateTime(2024, 1, 1), To = new DateTime(2024, 3, 31), PageSize = 50, First = 120, AccountCredential = account };
        Run(withApiKey, "1234567", context => context.WriteResultAsync(withApiKey.GetKhipuClient().GetEnelDebtStatusAsync("1234567", context, context.CancellationToken)));
        Run(withJwt, "7654321", context => context.WriteResultAsync(withJwt.GetKhipuClient().GetEnelDebtStatusAsync("7654321", context, context.CancellationToken)));
        Run(withClientCredentials, "2345678", context => context.WriteResultAsync(withClientCredentials.GetKhipuClient().GetEnelDebtStatusAsync("2345678", context, context.CancellationToken)));
        Run(withApiKey, "bill", context => context.WriteResultAsync(withApiKey.GetKhipuClient().GetEnelBillDocumentAsync("1234567", "ana@example.cl", folder, context, context.CancellationToken)));
        Run(withApiKey, "cen", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetCenNonconformitiesAsync(cen, true, null, null, context, context.CancellationToken)));
        Run(withApiKey, "tgr", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetTgrExpiredAgreementsAsync(account, true, context, context.CancellationToken)));
        Run(withApiKey, "tgr-link", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetTgrExpiredAgreementsAsync(link, true, context, context.CancellationToken)));
        Run(withApiKey, "tgr-rejected", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromUserName("tgr-user", TgrRejectedPassword.ToSecureString()), true, context, context.CancellationToken)));
        Run(withApiKey, "generic", context => context.WriteResultAsync(withApiKey.GetKhipuClient().InvokeAsync(KhipuServices.TgrExpiredAgreements, new Dictionary<string, object?> { ["AccountCredential"] = account }, context, context.CancellationToken)));
        Run(withApiKey, "async", context => context.WriteResultAsync(withApiKey.GetKhipuClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567", new Uri(server.BaseUri, "_emulator/khipu/callback-sink")), "1234567", context, context.CancellationToken)));
        Run(withWrongKey, "unauthorized", context => context.WriteResultAsync(withWrongKey.GetKhipuClient().GetEnelDebtStatusAsync("1234567", context, context.CancellationToken)));
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.ServiceUnavailable, Count = 2 });
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.KhipuError, ErrorType = "DO_NOT_RETRY", ErrorCode = "E900" });
        Run(withApiKey, "faults", context => context.WriteResultAsync(withApiKey.GetKhipuClient().GetEnelDebtStatusAsync("3456789", context, context.CancellationToken)));
        Run(withApiKey, "faults-2", context => context.WriteResultAsync(withApiKey.GetKhipuClient().GetEnelDebtStatusAsync("4567890", context, context.CancellationToken)));

        // Servers that echo the credentials they were sent (in the error text, a header, the request body they quote).
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.EchoCredentials, PathContains = "enel", Count = 2 });
        Run(withApiKey, "echo-apikey", context => context.WriteResultAsync(withApiKey.GetKhipuClient().GetEnelDebtStatusAsync("5678901", context, context.CancellationToken)));
        Run(withJwt, "echo-jwt", context => context.WriteResultAsync(withJwt.GetKhipuClient().GetEnelDebtStatusAsync("6789012", context, context.CancellationToken)));
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.EchoCredentials, PathContains = "tgr", Count = 2 });
        Run(withApiKey, "echo-password", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetTgrExpiredAgreementsAsync(account, true, context, context.CancellationToken)));
        Run(withApiKey, "echo-link", context => context.WriteAllAsync(withApiKey.GetKhipuClient().GetTgrExpiredAgreementsAsync(link, true, context, context.CancellationToken)));
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.EchoCredentials, PathContains = "enel", HttpStatus = 401 });
        Run(withClientCredentials, "echo-401", context => context.WriteResultAsync(withClientCredentials.GetKhipuClient().GetEnelDebtStatusAsync("7890123", context, context.CancellationToken)));

        foreach (var connection in new[] { withApiKey, withJwt, withClientCredentials, withWrongKey })
        {
            collected.AddObject(connection);
            connection.Dispose();
        }

        collected.AddFiles(folder);
        await WaitForCallbacksAsync();

        var leaks = secrets.SelectMany(secret => collected.Find(secret).Select(where => $"{Describe(secret)} in {where}")).ToList();
        ReliabilitySummary.Write(output, string.Format(CultureInfo.InvariantCulture, "secrets scanned={0} texts={1} files={2} leaks={3}", secrets.Count, collected.TextCount, collected.FileCount, leaks.Count));
        Assert.Empty(leaks);

        // The scan saw real work: results, debug bodies, errors and a written file.
        Assert.True(collected.ObjectCount > 100, $"{collected.ObjectCount} objects");
        Assert.Contains(collected.Texts, text => text.Contains("Request body", StringComparison.Ordinal));
        Assert.True(collected.ErrorCount >= 3, $"{collected.ErrorCount} errors");
        Assert.True(collected.FileCount >= 1);
    }

    [Fact]
    public void The_scanner_finds_a_planted_secret_in_objects_errors_and_files()
    {
        var scanner = new SecretCollector();
        scanner.AddObject(new EnelDebtStatus { ClientIdentifier = ApiKey });
        scanner.WriteError(new OperationError(new InvalidOperationException("x", new InvalidOperationException(ClientSecret)), "Id", ErrorKind.NotSpecified, null));
        File.WriteAllText(Path.Combine(folder, "planted.json"), AccountPassword);
        scanner.AddFiles(folder);

        Assert.NotEmpty(scanner.Find(ApiKey));
        Assert.NotEmpty(scanner.Find(ClientSecret));
        Assert.NotEmpty(scanner.Find(AccountPassword));
    }

    private static string Describe(string secret) => secret.Length <= 12 ? "a secret" : secret[..8] + "…";

    private EnergyDataConnection Connect(Action<ConnectionSettings> credential)
    {
        var settings = new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            NeuBaseUri = server.NeuBaseUri,
            Resilience = Khipu.KhipuTestConnections.FastResilience(),
        };
        credential(settings);
        var connection = EnergyDataConnection.Create(settings);
        collected.AddText("connection.ToString", connection.ToString());
        return connection;
    }

    private void Run(EnergyDataConnection connection, string target, Func<IOperationContext, Task> operation)
    {
        using var pump = new OperationPump(collected, new PumpOptions { ThrottleLimit = 4 }, CancellationToken.None);
        pump.Submit(target, operation);
        try
        {
            pump.Complete();
        }
        catch (OperationCanceledException)
        {
            // A terminating error (a rejected credential) stops the command, as it stops a cmdlet.
        }

        collected.AddObject(connection);
    }

    private async Task WaitForCallbacksAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.State.Callbacks.Pending > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        foreach (var body in server.State.KhipuCallbackBodies)
        {
            collected.AddText("callback body", body);
        }
    }
}

/// <summary>A pipeline sink that keeps the text of everything it is given, plus objects and files added by the test.</summary>
internal sealed class SecretCollector : IPipelineSink
{
    private readonly List<(string Where, string Text)> texts = new();

    public int ObjectCount { get; private set; }

    public int ErrorCount { get; private set; }

    public int FileCount { get; private set; }

    public int TextCount => texts.Count;

    public IEnumerable<string> Texts => texts.Select(entry => entry.Text);

    /// <summary>Where the secret was found, with the text just before it (the secret itself left out), to tell which line leaked.</summary>
    public IEnumerable<string> Find(string secret) =>
        texts.Where(entry => entry.Text.Contains(secret, StringComparison.Ordinal))
            .Select(entry =>
            {
                var at = entry.Text.IndexOf(secret, StringComparison.Ordinal);
                return entry.Where + " after '" + entry.Text[Math.Max(0, at - 60)..at] + "'";
            })
            .Distinct();

    public void AddText(string where, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            texts.Add((where, text));
        }
    }

    /// <summary>ToString and every public property value (one level into collections), as Format-List and Export-Csv would show them.</summary>
    public void AddObject(object item)
    {
        var type = item.GetType().Name;
        AddText(type + ".ToString", item.ToString());
        foreach (var property in item.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0))
        {
            var value = property.GetValue(item);
            AddText(type + "." + property.Name, Convert.ToString(value, CultureInfo.InvariantCulture));
            if (value is IEnumerable values and not string)
            {
                foreach (var element in values)
                {
                    AddText(type + "." + property.Name + "[]", Convert.ToString(element, CultureInfo.InvariantCulture));
                }
            }
        }
    }

    public void AddFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            FileCount++;
            var bytes = File.ReadAllBytes(file);
            AddText("file " + Path.GetFileName(file), System.Text.Encoding.UTF8.GetString(bytes));
            AddText("file (latin1) " + Path.GetFileName(file), System.Text.Encoding.Latin1.GetString(bytes));
        }
    }

    public void WriteObject(object item)
    {
        ObjectCount++;
        AddObject(item);
    }

    public void WriteError(OperationError failure)
    {
        ErrorCount++;
        AddText("error " + failure.ErrorId, failure.ToString());
        AddText("error message", failure.Message);
        AddText("error action", failure.RecommendedAction);
        AddText("exception ToString", failure.Exception.ToString());
        AddText("target", Convert.ToString(failure.Target, CultureInfo.InvariantCulture));
        for (var inner = failure.Exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            AddText("inner exception", inner.ToString());
        }

        if (failure.Exception.Data.Count > 0)
        {
            foreach (DictionaryEntry entry in failure.Exception.Data)
            {
                AddText("exception data", Convert.ToString(entry.Value, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>A request trace whose lines are scanned too.</summary>
    public EnergyData.Http.IRequestTrace Trace(string where) => new CollectingTrace(this, where);

    public void WriteVerbose(string message) => AddText("verbose", message);

    public void WriteDebug(string message) => AddText("debug", message);

    public void WriteWarning(string message) => AddText("warning", message);

    public void WriteProgress(ProgressInfo progress) => AddText("progress", progress.StatusDescription + " " + progress.CurrentOperation);

    private sealed class CollectingTrace : EnergyData.Http.IRequestTrace
    {
        private readonly SecretCollector collector;
        private readonly string where;

        public CollectingTrace(SecretCollector collector, string where)
        {
            this.collector = collector;
            this.where = where;
        }

        public void Verbose(string message)
        {
            lock (collector)
            {
                collector.AddText(where + " verbose", message);
            }
        }

        public void Debug(string message)
        {
            lock (collector)
            {
                collector.AddText(where + " debug", message);
            }
        }
    }
}
