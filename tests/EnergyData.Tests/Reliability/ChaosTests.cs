using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Pipeline;
using Xunit;
using Xunit.Abstractions;

namespace EnergyData.Tests.Reliability;

/// <summary>
/// The chaos run: 10,000 Enel lookups through the pump (as Get-EnelDebtStatus -Unordered runs them, 64 in flight) while the
/// emulator injects about 30% faults of every kind, each planned for one input so its outcome and its billed
/// attempts are known exactly. Every input yields exactly one result or one error; only retryable kinds are retried.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed partial class ChaosTests
{
    private const int Inputs = 10_000;
    private const int MaxAttempts = 4;
    private readonly EmulatorServer server;
    private readonly ITestOutputHelper output;

    public ChaosTests(EmulatorFixture fixture, ITestOutputHelper output)
    {
        server = fixture.Reset();
        this.output = output;
    }

    /// <summary>What the emulator does to one input, and what the client must make of it.</summary>
    private sealed record Plan(string Kind, FaultSpec? Fault, bool Succeeds, int Attempts, string? ErrorId = null)
    {
        /// <summary>Another outcome the plan allows (a truncated body is retried only if it fails before streaming starts).</summary>
        public Plan? Alternative { get; init; }

        public bool Accepts(int results, IReadOnlyList<OperationError> errors, int attempts) =>
            (Succeeds == (results == 1) && attempts == Attempts && (ErrorId is null || errors.SingleOrDefault()?.ErrorId == ErrorId))
            || (Alternative?.Accepts(results, errors, attempts) ?? false);
    }

    [Fact]
    public void Ten_thousand_requests_under_thirty_percent_faults_lose_nothing_and_retry_only_what_is_retryable()
    {
        server.State.Options.RecordRequestBodies = true;
        using var connection = EnergyDataConnection.Create(Settings(server));
        var client = connection.GetKhipuClient();
        var plans = Enumerable.Range(0, Inputs).Select(PlanFor).ToArray();
        var sink = new RecordingSink();

        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 64, Ordered = false }, CancellationToken.None))
        {
            for (var index = 0; index < Inputs; index++)
            {
                var identifier = Identifier(index);

                // Each input's fault is armed just before it is submitted, so few faults are pending at once.
                if (plans[index].Fault is { } fault)
                {
                    fault.BodyContains = Quoted(identifier);
                    server.State.Faults.Add(fault);
                }

                pump.Submit(identifier, context => context.WriteResultAsync(client.GetEnelDebtStatusAsync(identifier, context, context.CancellationToken)));
            }

            pump.Complete();
        }

        var results = sink.Objects.Cast<EnelDebtStatus>().GroupBy(result => result.ClientIdentifier).ToDictionary(group => group.Key, group => group.Count());
        var errors = sink.Errors.GroupBy(error => (string)error.Target!).ToDictionary(group => group.Key, group => group.ToList());
        var attempts = server.State.Counters.Bodies
            .Select(request => ClientIdentifierPattern().Match(request.Body).Groups[1].Value)
            .GroupBy(identifier => identifier)
            .ToDictionary(group => group.Key, group => group.Count());

        var lost = 0;
        var duplicated = 0;
        var wrong = new List<string>();
        for (var index = 0; index < Inputs; index++)
        {
            var identifier = Identifier(index);
            var plan = plans[index];
            var resultCount = results.GetValueOrDefault(identifier);
            var errorList = errors.GetValueOrDefault(identifier) ?? new List<OperationError>();
            var outcomes = resultCount + errorList.Count;
            lost += outcomes == 0 ? 1 : 0;
            duplicated += outcomes > 1 ? 1 : 0;
            var attempted = attempts.GetValueOrDefault(identifier);
            if (!plan.Accepts(resultCount, errorList, attempted))
            {
                wrong.Add($"{identifier} {plan.Kind}: results={resultCount} errors=[{string.Join(",", errorList.Select(error => error.ErrorId))}] attempts={attempted} expected attempts={plan.Attempts}");
            }
        }

        var totalAttempts = server.State.Counters.Total;
        var summary = string.Format(
            CultureInfo.InvariantCulture,
            "chaos requests={0} faults={1} results={2} errors={3} lost={4} duplicated={5} attempts={6} budget={7}",
            Inputs,
            server.State.Counters.FaultsInjected,
            sink.Objects.Count,
            sink.Errors.Count,
            lost,
            duplicated,
            totalAttempts,
            Inputs * MaxAttempts);
        ReliabilitySummary.Write(output, summary);
        foreach (var kind in server.State.Counters.FaultsByKind.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind.Key}: {kind.Value}");
        }

        Assert.Empty(wrong.Take(20));
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.True(totalAttempts <= Inputs * MaxAttempts);
        var faultShare = server.State.Counters.FaultsInjected / (double)Inputs;
        Assert.InRange(faultShare, 0.25, 0.35);
        Assert.All(Enum.GetValues<FaultKind>().Where(kind => kind is FaultKind.HttpStatus or FaultKind.ServiceUnavailable or FaultKind.TooManyRequests or FaultKind.DropConnection or FaultKind.Delay or FaultKind.TruncatedJson or FaultKind.KhipuError), kind =>
            Assert.True(server.State.Counters.FaultsByKind.ContainsKey(kind.ToString()), $"{kind} was injected"));
    }

    /// <summary>
    /// The fault plan for input <paramref name="index"/>: 70% clean, the rest spread over every kind. Transient
    /// kinds happen once (the retry succeeds: 2 billed attempts). A body cut off in transit is retried like a dropped
    /// connection when the cut reaches the client before the body is handed over, and is a ConnectionFailed error
    /// after 1 attempt when it comes while the body streams (results may already be out, so it is never repeated).
    /// Khipu's non-retryable types give an error after 1 attempt; a persistent 503 uses the whole budget.
    /// </summary>
    private static Plan PlanFor(int index) => (index % 100) switch
    {
        < 70 => new Plan("clean", null, true, 1),
        < 74 => new Plan("500", new FaultSpec { Kind = FaultKind.HttpStatus, HttpStatus = 500 }, true, 2),
        < 78 => new Plan("503", new FaultSpec { Kind = FaultKind.ServiceUnavailable }, true, 2),
        < 79 => new Plan("429", new FaultSpec { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 1 }, true, 2),
        < 82 => new Plan("drop", new FaultSpec { Kind = FaultKind.DropConnection }, true, 2),
        < 84 => new Plan("timeout", new FaultSpec { Kind = FaultKind.Delay, DelayMilliseconds = 6_000 }, true, 2),
        < 86 => new Plan("truncated", new FaultSpec { Kind = FaultKind.TruncatedJson }, true, 2) { Alternative = new Plan("truncated while streaming", null, false, 1, "ConnectionFailed") },
        < 89 => new Plan("RETRY_IMMEDIATELY", new FaultSpec { Kind = FaultKind.KhipuError, ErrorType = "RETRY_IMMEDIATELY", ErrorCode = "E101" }, true, 2),
        < 92 => new Plan("DO_NOT_RETRY", new FaultSpec { Kind = FaultKind.KhipuError, ErrorType = "DO_NOT_RETRY", ErrorCode = "E102" }, false, 1, "Khipu.E102"),
        < 94 => new Plan("RETRY_AFTER_NOTIFICATION", new FaultSpec { Kind = FaultKind.KhipuError, ErrorType = "RETRY_AFTER_NOTIFICATION", ErrorCode = "E103" }, false, 1, "Khipu.E103"),
        < 96 => new Plan("WAIT_4_HOURS_BEFORE_RETRY", new FaultSpec { Kind = FaultKind.KhipuError, ErrorType = "WAIT_4_HOURS_BEFORE_RETRY", ErrorCode = "E104" }, false, 1, "Khipu.E104"),
        < 97 => new Plan("persistent 503", new FaultSpec { Kind = FaultKind.ServiceUnavailable, Count = 10 }, false, MaxAttempts),
        _ => new Plan("clean", null, true, 1),
    };

    internal static ConnectionSettings Settings(EmulatorServer server) => new()
    {
        KhipuBaseUri = server.BaseUri,
        KhipuApiKey = server.State.Options.KhipuApiKey.ToSecureString(),
        Resilience = new ResilienceOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(20),
            // Long enough that a clean answer is not timed out on a loaded 2-core machine (the rest of the suite runs
            // beside this test; with 2.5 s it failed twice in full runs made while other builds ran, and passed alone),
            // and short of the 6 s delay fault, which must time out.
            AttemptTimeout = TimeSpan.FromMilliseconds(4_000),
            TotalTimeout = TimeSpan.FromSeconds(60),
            MaxRetryAttempts = MaxAttempts - 1,
        },
    };

    private static string Identifier(int index) => (1_000_000 + index).ToString(CultureInfo.InvariantCulture);

    private static string Quoted(string text) => "\"" + text + "\"";

    [GeneratedRegex("\"ClientIdentifier\"\\s*:\\s*\"([^\"]*)\"")]
    private static partial Regex ClientIdentifierPattern();
}

/// <summary>Summary lines of the reliability runs: in the test output and in a file CI prints.</summary>
internal static class ReliabilitySummary
{
    private static readonly object Gate = new();

    public static void Write(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "reliability-summary.txt"), line + Environment.NewLine);
        }
    }
}
