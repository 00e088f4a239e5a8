using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// The document lists the id of the account, service and neuget endpoints in the same "Propiedad" tables as the body
/// fields of PQRS, bills and rules, and does not say where it goes. A server built on that reading takes it as the
/// field <c>id</c>: in the JSON body of a POST, in the query of a GET. These servers answer only that exact request,
/// with the document's response shape, so each test shows that an override without <c>{id}</c> reaches such a server.
/// </summary>
public sealed class NeuIdFieldRouteTests
{
    private const string AccountList = """[{"id_account":41,"account_category":"Residencial","account_name":"Cuenta Norte","services":[]},{"id_account":42,"account_category":"Comercial","account_name":"Cuenta Sur","services":[]}]""";

    [Theory]
    [InlineData("POST accounts/")]
    [InlineData("GET accounts/")]
    public async Task One_account_and_its_services_are_asked_for_with_the_field_id(string route)
    {
        // Get-NeuAccount -Id and Get-NeuService -AccountId both read this route.
        await using var server = await ScriptedServer.StartAsync(IdServer(route, id => $$"""[{"id_account":{{id}},"account_category":"Comercial","account_name":"Cuenta Sur","services":[{"id_service":450,"type_service":"Energía","name":"Bodega","address":"Carrera 50 # 10-20"}]}]"""));
        using var connection = Connect(server, NeuRouteNames.Account, route);

        var entry = Assert.Single(await connection.GetNeuClient().GetAccountsAsync(42, null, CancellationToken.None).ToListAsync());

        Assert.Equal(42, entry.Account.AccountId);
        Assert.Equal("Cuenta Sur", entry.Account.AccountName);
        var service = Assert.Single(entry.Services);
        Assert.Equal((450L, 42L, "Cuenta Sur"), (service.ServiceId!.Value, service.AccountId!.Value, service.AccountName));
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("POST services/")]
    [InlineData("GET services/")]
    public async Task A_service_is_asked_for_with_the_field_id(string route)
    {
        await using var server = await ScriptedServer.StartAsync(IdServer(route, id => $$"""{"id_service":{{id}},"id_account":41,"account_name":"Cuenta Norte","type_service":"Energía","name":"Local comercial","address":"Calle 10 # 43-12"}"""));
        using var connection = Connect(server, NeuRouteNames.Service, route);

        var service = Assert.Single(await connection.GetNeuClient().GetServiceAsync(283, null, CancellationToken.None).ToListAsync());

        Assert.Equal((283L, 41L, "Local comercial"), (service.ServiceId!.Value, service.AccountId!.Value, service.Name));
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("POST neugets/")]
    [InlineData("GET neugets/")]
    public async Task Neugets_of_one_account_are_asked_for_with_the_field_id(string route)
    {
        await using var server = await ScriptedServer.StartAsync(IdServer(route, id => $$"""{"id_account":{{id}},"date":"2021-04-01T00:00:00","value":12}"""));
        using var connection = Connect(server, NeuRouteNames.Neugets, route);

        var neuget = Assert.Single(await connection.GetNeuClient().GetNeugetsAsync(41, null, CancellationToken.None).ToListAsync());

        Assert.Equal((41L, new DateTime(2021, 4, 1), 12.0), (neuget.AccountId!.Value, neuget.Date!.Value, neuget.Value!.Value));
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("POST neugets/bills/")]
    [InlineData("GET neugets/bills/")]
    public async Task Neuget_payments_of_one_account_are_asked_for_with_the_field_id(string route)
    {
        await using var server = await ScriptedServer.StartAsync(IdServer(route, id => $$"""{"id_account":{{id}},"id_bill":9001,"date":"2021-05-10T00:00:00","value":50}"""));
        using var connection = Connect(server, NeuRouteNames.NeugetPayments, route);

        var payment = Assert.Single(await connection.GetNeuClient().GetNeugetPaymentsAsync(42, null, CancellationToken.None).ToListAsync());

        Assert.Equal((42L, 9001L, 50.0), (payment.AccountId!.Value, payment.BillId!.Value, payment.Value!.Value));
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(NeuRouteNames.Neugets, "POST neugets/")]
    [InlineData(NeuRouteNames.NeugetPayments, "GET neugets/bills/")]
    public async Task Without_an_account_each_listed_account_is_asked_for_with_the_field_id(string name, string route)
    {
        await using var server = await ScriptedServer.StartAsync(IdServer(route, id => $$"""{"id_account":{{id}},"id_bill":7,"date":"2021-04-01T00:00:00","value":{{id}}}""", listAccounts: true));
        using var connection = Connect(server, name, route);
        var context = new RecordingContext();
        var client = connection.GetNeuClient();

        var accounts = name == NeuRouteNames.Neugets
            ? (await client.GetNeugetsAsync(null, context, CancellationToken.None).ToListAsync()).Select(row => row.AccountId)
            : (await client.GetNeugetPaymentsAsync(null, context, CancellationToken.None).ToListAsync()).Select(row => row.AccountId);

        Assert.Equal(new long?[] { 41, 42 }, accounts);
        Assert.Equal(3, server.Requests.Count);
    }

    /// <summary>
    /// A server that has the route only as <paramref name="route"/> ("METHOD path") with the id as the field id, and
    /// nothing else in the body or query: any other request gets a 404, as it would from such a server. With
    /// <paramref name="listAccounts"/> it also lists two accounts at the default <c>GET accounts/</c>.
    /// </summary>
    private static Func<HttpContext, Task> IdServer(string route, Func<long, string> answer, bool listAccounts = false) => async ctx =>
    {
        var parts = route.Split(' ');
        var request = ctx.Request;
        using var reader = new System.IO.StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (listAccounts && request.Method == "GET" && request.Path == "/accounts/" && !request.QueryString.HasValue && body.Length == 0)
        {
            await ScriptedServer.Status(ctx, 200, AccountList);
            return;
        }

        long? id = null;
        if (request.Method == parts[0] && request.Path == "/" + parts[1])
        {
            id = request.Method == "GET" ? QueryId(request, body) : BodyId(request, body);
        }

        if (id is { } found)
        {
            await ScriptedServer.Status(ctx, 200, answer(found));
        }
        else
        {
            await ScriptedServer.Status(ctx, 404, """{"detail":"No encontrado."}""");
        }
    };

    /// <summary>The id of a GET: exactly "?id=N" and no body.</summary>
    private static long? QueryId(HttpRequest request, string body) =>
        body.Length == 0 && request.Query.Count == 1 && request.Query.TryGetValue("id", out var value)
        && long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    /// <summary>The id of a POST: exactly the JSON body {"id": N}, sent as JSON, and no query.</summary>
    private static long? BodyId(HttpRequest request, string body)
    {
        if (request.QueryString.HasValue || request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.EnumerateObject().Count() == 1
                && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value)
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static EnergyDataConnection Connect(ScriptedServer server, string name, string route)
    {
        var settings = new ConnectionSettings
        {
            NeuBaseUri = server.BaseUri,
            NeuToken = "opaque-neu-token".ToSecureString(),
            NeuRoutes = new System.Collections.Generic.Dictionary<string, string?> { [name] = route },
        };
        settings.Resilience.MaxRetryAttempts = 0;
        return EnergyDataConnection.Create(settings);
    }
}
