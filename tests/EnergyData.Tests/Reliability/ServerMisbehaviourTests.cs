using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Errors;
using EnergyData.Http;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Reliability;

/// <summary>
/// A server that misbehaves on every attempt: each case ends in one clear error of the right kind, within the
/// attempt budget, without reading an oversized body into memory and without hanging on a trickling one.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class ServerMisbehaviourTests
{
    private readonly EmulatorServer server;

    public ServerMisbehaviourTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Theory]
    [InlineData(FaultKind.HtmlPage, "Khipu.Http502", "Bad Gateway")]
    [InlineData(FaultKind.InvalidJson, "InvalidResponse", "")]
    [InlineData(FaultKind.WrongShape, "InvalidResponse", "envelope")]
    [InlineData(FaultKind.KhipuErrorWithoutError, "Khipu.Error", "ERROR")]
    public async Task Each_malformed_answer_gives_one_clear_error_within_the_budget(FaultKind kind, string errorId, string messagePart)
    {
        server.State.Faults.Add(new FaultSpec { Kind = kind, Count = 0 });
        using var connection = Connect(resilience => resilience.MaxRetryAttempts = 2);

        var error = await CallAsync(connection);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(messagePart, error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(server.State.Counters.Total, 1, 3);
    }

    [Fact]
    public async Task A_body_far_over_the_cap_is_refused_while_it_streams()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.Oversized, SizeBytes = 48L * 1024 * 1024, Count = 0 });
        using var http = EnergyDataHttpClientFactory.Create(KhipuTestResilience(), new ApiKeyAuthentication(server.State.Options.KhipuApiKey.ToSecureString()));
        var client = new KhipuClient(http, server.BaseUri, new KhipuClientOptions { MaxResponseBytes = 1024 * 1024, MaxAttempts = 1 });

        var exception = await Record.ExceptionAsync(() => client.GetEnelDebtStatusAsync("1234567", null, CancellationToken.None));
        var error = ErrorMapper.FromException(exception!, "1234567");

        Assert.Equal("ResponseTooLarge", error.ErrorId);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_server_sending_one_byte_a_second_is_cut_off_by_the_idle_timeout()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.SlowBody, DelayMilliseconds = 1_000, Count = 0 });
        using var connection = Connect(resilience =>
        {
            resilience.MaxRetryAttempts = 0;
            resilience.BodyIdleTimeout = TimeSpan.FromMilliseconds(300);
        });

        var error = await CallAsync(connection).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("Timeout", error.ErrorId);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task The_circuit_opens_under_a_burst_of_failures_and_closes_when_the_service_recovers()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.ServiceUnavailable, Count = 0 });
        using var connection = Connect(resilience =>
        {
            resilience.MaxRetryAttempts = 0;
            resilience.CircuitBreakerMinimumThroughput = 10;
            resilience.CircuitBreakerFailureRatio = 0.5;
            resilience.CircuitBreakerSamplingDuration = TimeSpan.FromSeconds(30);
            resilience.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(1);
        });

        var open = 0;
        for (var call = 0; call < 30; call++)
        {
            var error = await CallAsync(connection);
            open += error.ErrorId == "CircuitOpen" ? 1 : 0;
        }

        // The breaker opened after its minimum throughput: later calls failed fast without reaching the server.
        Assert.InRange(server.State.Counters.Total, 10, 11);
        Assert.Equal(30 - server.State.Counters.Total, open);

        server.State.Faults.Clear();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var recovered = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567", null, CancellationToken.None);
        var again = await connection.GetKhipuClient().GetEnelDebtStatusAsync("7654321", null, CancellationToken.None);

        Assert.Equal("1234567", recovered.ClientIdentifier);
        Assert.Equal("7654321", again.ClientIdentifier);
    }

    private static ResilienceOptions KhipuTestResilience() => new()
    {
        MaxRetryAttempts = 0,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(20),
        AttemptTimeout = TimeSpan.FromSeconds(30),
        TotalTimeout = TimeSpan.FromSeconds(60),
    };

    private EnergyDataConnection Connect(Action<ResilienceOptions> configure)
    {
        var resilience = KhipuTestResilience();
        configure(resilience);
        return EnergyDataConnection.Create(new ConnectionSettings
        {
            KhipuBaseUri = server.BaseUri,
            KhipuApiKey = server.State.Options.KhipuApiKey.ToSecureString(),
            Resilience = resilience,
        });
    }

    private static async Task<OperationError> CallAsync(EnergyDataConnection connection)
    {
        var exception = await Record.ExceptionAsync(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567", null, CancellationToken.None));
        Assert.NotNull(exception);
        Assert.IsNotType<HttpRequestException>(exception);
        return ErrorMapper.FromException(exception, "1234567");
    }
}
