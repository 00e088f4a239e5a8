using System;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using EnergyData.Emulator;
using Xunit;

namespace EnergyData.Tests.Emulator;

[Collection(EmulatorGroup.Name)]
public sealed class FaultInjectionTests
{
    private readonly EmulatorServer server;

    public FaultInjectionTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task A_counted_fault_applies_to_that_many_matching_requests_then_stops()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.ServiceUnavailable, PathContains = "/v1/", Count = 2 });
        using var client = new HttpClient { BaseAddress = server.BaseUri };

        var first = await client.GetAsync(new Uri("v1/anything", UriKind.Relative));
        var second = await client.GetAsync(new Uri("v1/anything", UriKind.Relative));
        var third = await client.GetAsync(new Uri("v1/anything", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(3, server.State.Counters.Total);
        Assert.Equal(2, server.State.Counters.FaultsInjected);
    }

    [Fact]
    public async Task Rate_limit_fault_sends_retry_after_and_control_endpoints_are_not_counted()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 7 });
        using var client = new HttpClient { BaseAddress = server.BaseUri };

        var limited = await client.GetAsync(new Uri("neu/accounts/", UriKind.Relative));
        var stats = await client.GetStringAsync(new Uri("_emulator/stats", UriKind.Relative));

        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
        Assert.Contains("\"requests\":1", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dropped_connection_fails_the_request_and_the_server_keeps_serving()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.DropConnection });
        using var client = new HttpClient { BaseAddress = server.BaseUri };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("v1/x", UriKind.Relative)));
        var after = await client.GetAsync(new Uri("_emulator/stats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Reset_clears_faults_counters_and_restores_options()
    {
        server.State.Faults.Add(new FaultSpec { Kind = FaultKind.HttpStatus, Count = 0 });
        server.State.Options.LatencyMilliseconds = 5000;
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        var reset = await client.PostAsync(new Uri("_emulator/reset", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, server.State.Faults.PendingCount);
        Assert.Equal(0, server.State.Options.LatencyMilliseconds);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task Callback_delivery_switches_can_be_set_over_http_and_reset_restores_them()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        using var body = new StringContent("{\"duplicates\":2,\"jitterMilliseconds\":40,\"lostAttempts\":1,\"maxAttempts\":3,\"delayMilliseconds\":5}", System.Text.Encoding.UTF8, "application/json");

        var answer = await client.PostAsync(new Uri("_emulator/callbacks/options", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal(2, server.State.Callbacks.Options.Duplicates);
        Assert.Equal(40, server.State.Callbacks.Options.JitterMilliseconds);
        Assert.Equal(1, server.State.Callbacks.Options.LostAttempts);
        Assert.Equal(3, server.State.Callbacks.Options.MaxAttempts);
        Assert.Equal(5, server.State.Options.CallbackDelayMilliseconds);
        server.Reset();
        Assert.Equal(0, server.State.Callbacks.Options.Duplicates);
    }
}
