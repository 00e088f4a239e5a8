using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Tests.Reliability;

public sealed partial class SecretScanTests
{
    /// <summary>NEU with a valid token, a rejected one and an expired one, through every kind of endpoint; returns the tokens used.</summary>
    private Task<IEnumerable<string>> RunNeuScenariosAsync()
    {
        var valid = server.State.Options.NeuToken;
        var rejected = EmulatorTokens.CreateJwt("not-issued-by-neu", DateTimeOffset.UtcNow.AddDays(10));
        var expired = EmulatorTokens.CreateJwt("expired-neu", DateTimeOffset.UtcNow.AddHours(-3));
        var from = new DateTime(2025, 1, 1);
        var to = new DateTime(2025, 1, 3);
        var neu = ConnectNeu(valid, new Dictionary<string, string?> { ["BillsOverdue"] = "GET bills/overdue/" });
        var client = neu.GetNeuClient();
        Run(neu, "accounts", context => context.WriteAllAsync(client.GetAccountsAsync(null, context, context.CancellationToken), entry => new object[] { entry.Account }));
        Run(neu, "consumption", context => context.WriteAllAsync(client.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = new long[] { 101, 102 }, Interval = NeuInterval.Hourly, From = from, To = to }, context, context.CancellationToken)));
        Run(neu, "bills", context => context.WriteAllAsync(client.GetBillsAsync(null, from, to, null, context, context.CancellationToken), entry => new object[] { entry.Bill }));
        Run(neu, "overdue", context => context.WriteAllAsync(client.GetBillsOverdueAsync(context, context.CancellationToken)));
        Run(neu, "notifications", context => context.WriteAllAsync(client.GetNotificationsAsync(from, to, null, context, context.CancellationToken)));
        Run(neu, "generic", context => context.WriteAllAsync(client.InvokeAsync("GET", "bills/overdue/", null, context, context.CancellationToken)));
        var wrong = ConnectNeu(rejected, null);
        Run(wrong, "neu-401", context => context.WriteAllAsync(wrong.GetNeuClient().GetBillsOverdueAsync(context, context.CancellationToken)));
        var old = ConnectNeu(expired, null);
        Run(old, "neu-expired", context => context.WriteAllAsync(old.GetNeuClient().GetBillsOverdueAsync(context, context.CancellationToken)));

        // A server that echoes the token it was sent, in its error text and in a header shown at -Debug.
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.EchoCredentials, PathContains = "overdue" });
        Run(neu, "neu-echo-400", context => context.WriteAllAsync(client.GetBillsOverdueAsync(context, context.CancellationToken)));
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.EchoCredentials, PathContains = "overdue", HttpStatus = 401 });
        Run(neu, "neu-echo-401", context => context.WriteAllAsync(client.GetBillsOverdueAsync(context, context.CancellationToken)));
        foreach (var connection in new[] { neu, wrong, old })
        {
            collected.AddObject(connection);
            connection.Dispose();
        }

        return Task.FromResult<IEnumerable<string>>(new[] { valid, rejected, expired });
    }

    /// <summary>
    /// The asynchronous mode: a receiver with its inbox in the scanned folder, Enel and TGR submitted through it,
    /// results delivered by the emulator and collected by the waiter, plus a forged post. Returns the receiver's secret.
    /// </summary>
    private async Task<IEnumerable<string>> RunCallbackScenariosAsync()
    {
        using var receiver = EnergyData.Callbacks.CallbackReceiver.Start(new EnergyData.Callbacks.CallbackReceiverOptions { InboxPath = System.IO.Path.Combine(folder, "inbox") });
        var secret = SecretSegment(receiver.CallbackUrl, receiver.RedactedCallbackUrl);
        using var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuApiKey = ApiKey.ToSecureString(),
            Resilience = Khipu.KhipuTestConnections.FastResilience(),
        });
        var client = connection.GetKhipuClient();
        var account = EnergyData.Khipu.KhipuAccountCredential.FromUserName("operator", AccountPassword.ToSecureString());
        var operations = new List<EnergyData.Khipu.KhipuOperation>
        {
            await EnergyData.Callbacks.AsyncSubmission.SubmitAsync(client, EnergyData.Khipu.KhipuClient.EnelDebtStatusRequest("1234567", receiver.CallbackUrl), "1234567", null, receiver, collected.Trace("async enel"), System.Threading.CancellationToken.None),
            await EnergyData.Callbacks.AsyncSubmission.SubmitAsync(client, EnergyData.Khipu.KhipuClient.TgrRequest(account, true, receiver.CallbackUrl), null, null, receiver, collected.Trace("async tgr"), System.Threading.CancellationToken.None),
        };
        using (var forger = new System.Net.Http.HttpClient())
        {
            using var forged = new System.Net.Http.StringContent("{\"OperationId\":\"forged\",\"Status\":\"OK\"}");
            using var answer = await forger.PostAsync(new Uri(receiver.PublicBaseUri, "not-the-secret/callback"), forged);
            collected.AddText("forged answer", await answer.Content.ReadAsStringAsync());
        }

        var waiter = new EnergyData.Callbacks.CallbackWaiter(receiver.Inbox, new EnergyData.Callbacks.CallbackWaiterOptions { Timeout = TimeSpan.FromSeconds(30) });
        await foreach (var outcome in waiter.WaitAsync(operations.ConvertAll(EnergyData.Callbacks.PendingOperation.FromOperation), null, collected.Trace("waiter"), System.Threading.CancellationToken.None))
        {
            foreach (var result in outcome.Results)
            {
                collected.WriteObject(result);
            }

            collected.AddObject(outcome.Operation);
            collected.AddText("outcome error", outcome.Error?.ToString());
        }

        operations.ForEach(collected.AddObject);
        collected.AddObject(receiver.GetStatus());
        collected.AddText("receiver", receiver.RedactedCallbackUrl + " " + receiver.ListenPrefix);
        return new[] { secret };
    }

    /// <summary>The path segment the redacted URL hides: the receiver's secret.</summary>
    private static string SecretSegment(Uri callbackUrl, string redacted)
    {
        var hidden = new HashSet<string>(new Uri(redacted.Replace("*", "x", StringComparison.Ordinal)).Segments, StringComparer.Ordinal);
        var secret = Array.Find(callbackUrl.Segments, segment => !hidden.Contains(segment) && segment.Trim('/').Length >= 16);
        return secret?.Trim('/') ?? throw new InvalidOperationException("The callback URL has no secret segment.");
    }

    private EnergyDataConnection ConnectNeu(string token, IDictionary<string, string?>? routes)
    {
        var connection = EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            NeuBaseUri = server.NeuBaseUri,
            NeuToken = token.ToSecureString(),
            NeuRoutes = routes,
            Resilience = Khipu.KhipuTestConnections.FastResilience(),
        });
        collected.AddText("connection.ToString", connection.ToString());
        return connection;
    }
}
