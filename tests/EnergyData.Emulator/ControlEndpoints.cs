using System.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EnergyData.Emulator;

/// <summary>Test control over HTTP, for the Pester suites (xunit uses <see cref="EmulatorState"/> directly).</summary>
public static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state)
    {
        routes.MapGet("/_emulator/stats", () => Results.Json(new
        {
            requests = state.Counters.Total,
            faultsInjected = state.Counters.FaultsInjected,
            byPath = state.Counters.ByPath.ToDictionary(pair => pair.Key, pair => pair.Value),
            faultsByKind = state.Counters.FaultsByKind.ToDictionary(pair => pair.Key, pair => pair.Value),
            pendingFaults = state.Faults.PendingCount,
            khipuTokenRequests = state.KhipuTokenRequests,
        }));
        routes.MapPost("/_emulator/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
        routes.MapPost("/_emulator/faults", (FaultSpec fault) =>
        {
            state.Faults.Add(fault);
            return Results.NoContent();
        });
        routes.MapPost("/_emulator/options", (EmulatorOptionsUpdate update) =>
        {
            if (update.LatencyMilliseconds is { } latency)
            {
                state.Options.LatencyMilliseconds = latency;
            }

            if (update.CallbackDelayMilliseconds is { } delay)
            {
                state.Options.CallbackDelayMilliseconds = delay;
            }

            return Results.NoContent();
        });
        routes.MapPost("/_emulator/callbacks/options", (CallbackOptionsUpdate update) =>
        {
            var delivery = state.Callbacks.Options;
            delivery.JitterMilliseconds = update.JitterMilliseconds ?? delivery.JitterMilliseconds;
            delivery.Duplicates = update.Duplicates ?? delivery.Duplicates;
            delivery.MaxAttempts = update.MaxAttempts ?? delivery.MaxAttempts;
            delivery.RetryDelayMilliseconds = update.RetryDelayMilliseconds ?? delivery.RetryDelayMilliseconds;
            delivery.LostAttempts = update.LostAttempts ?? delivery.LostAttempts;
            delivery.StallMilliseconds = update.StallMilliseconds ?? delivery.StallMilliseconds;
            delivery.BeforeAnswer = update.BeforeAnswer ?? delivery.BeforeAnswer;
            if (update.DelayMilliseconds is { } delay)
            {
                state.Options.CallbackDelayMilliseconds = delay;
            }

            return Results.NoContent();
        });
        routes.MapGet("/_emulator/callbacks", () => Results.Json(new
        {
            delivered = state.Callbacks.Delivered,
            failed = state.Callbacks.Failed,
            attempts = state.Callbacks.Attempts,
            abandoned = state.Callbacks.Abandoned,
            pending = state.Callbacks.Pending,
        }));
        routes.MapGet("/_emulator/credentials", () => Results.Json(new
        {
            khipuApiKey = state.Options.KhipuApiKey,
            khipuClientId = state.Options.KhipuClientId,
            khipuClientSecret = state.Options.KhipuClientSecret,
            khipuTokenUri = new System.Uri(state.BaseUri, "_emulator/oauth/token").ToString(),
            neuToken = state.Options.NeuToken,
            neuBaseUri = new System.Uri(state.BaseUri, "neu/").ToString(),
        }));
    }
}

/// <summary>Callback delivery switches the Pester suites may change over HTTP (null keeps the current value).</summary>
public sealed class CallbackOptionsUpdate
{
    public int? DelayMilliseconds { get; set; }

    public int? JitterMilliseconds { get; set; }

    public int? Duplicates { get; set; }

    public int? MaxAttempts { get; set; }

    public int? RetryDelayMilliseconds { get; set; }

    public int? LostAttempts { get; set; }

    public int? StallMilliseconds { get; set; }

    public bool? BeforeAnswer { get; set; }
}

/// <summary>The options the Pester suites may change over HTTP.</summary>
public sealed class EmulatorOptionsUpdate
{
    public int? LatencyMilliseconds { get; set; }

    public int? CallbackDelayMilliseconds { get; set; }
}
