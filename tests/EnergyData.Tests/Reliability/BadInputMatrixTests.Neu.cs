using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Neu;

namespace EnergyData.Tests.Reliability;

public sealed partial class BadInputMatrixTests
{
    private static readonly DateTime Early = new(2025, 1, 1);
    private static readonly DateTime Late = new(2025, 2, 1);

    private static IEnumerable<BadInput> NeuCases()
    {
        yield return new("NEU account id zero", "Id", "positive integer", env => Drain(env.Neu.GetAccountsAsync(0, null, CancellationToken.None)));
        yield return new("NEU service id negative", "Id", "positive integer", env => Drain(env.Neu.GetServiceAsync(-4, null, CancellationToken.None)));
        yield return new("NEU consumption without services", "ServiceId", "at least one id", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = Array.Empty<long>(), From = Early, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption with too many services", "ServiceId", "at most 500", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = Enumerable.Range(1, 501).Select(id => (long)id).ToArray(), From = Early, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption without account or services", "AccountId", "or 'ServiceId' is required", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { From = Early, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption account and services together", "AccountId", "cannot be combined", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { AccountId = 7, ServiceIds = new long[] { 1 }, From = Early, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption unknown interval", "Interval", "Hourly, Daily or Monthly", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = new long[] { 1 }, Interval = (NeuInterval)7, From = Early, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption without From", "From", "required", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = new long[] { 1 }, To = Late }, null, CancellationToken.None)));
        yield return new("NEU consumption dates reversed", "From", "To", env => Drain(env.Neu.GetConsumptionAsync(new NeuConsumptionQuery { ServiceIds = new long[] { 1 }, From = Late, To = Early }, null, CancellationToken.None)));
        yield return new("NEU PQRS dates out of range", "To", "2100", env => Drain(env.Neu.GetPqrsAsync(Early, new DateTime(2101, 1, 1), null, CancellationToken.None)));
        yield return new("NEU bills dates reversed", "From", "To", env => Drain(env.Neu.GetBillsAsync(null, Late, Early, null, null, CancellationToken.None)));
        yield return new("NEU frontier without SIC codes", "SicCode", "at least one", env => Drain(env.Neu.GetFrontierConsumptionAsync(Array.Empty<string>(), Early, Late, null, CancellationToken.None)));
        yield return new("NEU frontier SIC code with spaces", "SicCode", "letters, digits", env => Drain(env.Neu.GetFrontierConsumptionAsync(new[] { "FRT 001" }, Early, Late, null, CancellationToken.None)));
        yield return new("NEU generic method unknown", "Method", "GET, POST", env => Drain(env.Neu.InvokeAsync("FETCH", "accounts/", null, null, CancellationToken.None)));
        yield return new("NEU generic path absolute", "Path", "relative", env => Drain(env.Neu.InvokeAsync("GET", "https://evil.example/accounts/", null, null, CancellationToken.None)));
        yield return new("NEU generic path climbing", "Path", "'..'", env => Drain(env.Neu.InvokeAsync("GET", "accounts/../../admin", null, null, CancellationToken.None)));
        yield return new("NEU generic body nested too deep", "Body", "32 levels", env => Drain(env.Neu.InvokeAsync("POST", "rules/", Nested(40), null, CancellationToken.None)));
        yield return new("NEU generic body with a value of no JSON form", "Body", "cannot hold a value of type System.Text.StringBuilder", env => Drain(env.Neu.InvokeAsync("PUT", "rules/12/", new Dictionary<string, object?> { ["Rule"] = new System.Text.StringBuilder("x") }, null, CancellationToken.None)));
        yield return new("NEU generic body NaN", "Body", "NaN", env => Drain(env.Neu.InvokeAsync("POST", "rules/", new Dictionary<string, object?> { ["Limit"] = double.NaN }, null, CancellationToken.None)));
        yield return new("NEU generic GET body with a nested object", "Body", "nested object", env => Drain(env.Neu.InvokeAsync("GET", "accounts/", new Dictionary<string, object?> { ["Filter"] = new Dictionary<string, object?> { ["Name"] = "Sur" } }, null, CancellationToken.None)));
        yield return new("NeuRoute unknown endpoint", "NeuRoute", "known NEU endpoint", env => env.Connect(settings => settings.NeuRoutes = new Dictionary<string, string?> { ["Consumptions"] = "POST data/consumption/" }));
        yield return new("NeuRoute bad method", "NeuRoute", "HTTP method", env => env.Connect(settings => settings.NeuRoutes = new Dictionary<string, string?> { ["Consumption"] = "SEND data/consumption/" }));
        yield return new("NeuRoute absolute URL", "NeuRoute", "relative", env => env.Connect(settings => settings.NeuRoutes = new Dictionary<string, string?> { ["Consumption"] = "POST https://evil.example/data/" }));
        yield return new("NeuRoute lost placeholder", "NeuRoute", "placeholder", env => env.Connect(settings => settings.NeuRoutes = new Dictionary<string, string?> { ["Notifications"] = "POST notifications/" }));
        yield return new("NeuRouteFile missing", "NeuRouteFile", "readable file", env => env.Connect(settings => settings.NeuRouteFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "energydata-no-such-routes-" + Guid.NewGuid().ToString("N") + ".json")));
    }

    private static Task Drain<T>(IAsyncEnumerable<T> results) => BadInputEnvironment.Drain(results);
}
