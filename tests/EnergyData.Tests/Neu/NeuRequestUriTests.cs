using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// The URI and body each request is sent with when a route carries a query: exactly as composed, whatever a server
/// would accept (the emulator's routes are no evidence of NEU's).
/// </summary>
public sealed class NeuRequestUriTests
{
    private const string OneAccount = "[{\"id_account\":42,\"account_category\":\"Comercial\",\"account_name\":\"Cuenta Sur\",\"services\":[]}]";

    [Theory]
    [InlineData("PUT", true)]
    [InlineData("patch", true)]
    [InlineData(" Delete ", true)]
    [InlineData("GET", false)]
    [InlineData("POST", false)]
    [InlineData("post", false)]
    [InlineData(null, false)]
    [InlineData("HEAD", false)]
    public void Only_PUT_PATCH_and_DELETE_change_data_and_ask_first(string? method, bool changes)
    {
        // Invoke-NeuRequest calls ShouldProcess for these; NEU reads with POST (consumption, bills), so POST does not ask.
        Assert.Equal(changes, NeuInput.ChangesData(method));
    }

    [Theory]
    [InlineData("DELETE", "../rules/12/", "Path")]
    [InlineData("FETCH", "rules/12/", "Method")]
    [InlineData("DELETE", "rules/12/", "Body")]
    [InlineData("GET", "rules/", "Body")]
    public void The_checks_Invoke_NeuRequest_makes_before_asking_cover_method_path_and_body(string method, string path, string parameter)
    {
        // What Invoke-NeuRequest runs before ShouldProcess: a body JSON cannot hold (NaN) or a GET query string cannot
        // hold (a nested object) is refused here, not after the user has confirmed it.
        IReadOnlyDictionary<string, object?> body = method == "GET"
            ? new Dictionary<string, object?> { ["Filter"] = new Dictionary<string, object?> { ["a"] = 1 } }
            : new Dictionary<string, object?> { ["v"] = parameter == "Body" ? double.NaN : 1.0 };

        var error = Assert.Throws<EnergyData.Validation.ParameterValidationException>(() => NeuClient.CheckInvokeRequest(method, path, body));

        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void A_request_Invoke_NeuRequest_can_send_passes_its_checks() =>
        NeuClient.CheckInvokeRequest("DELETE", "rules/12/", new Dictionary<string, object?> { ["v"] = 1.5 });

    [Theory]
    [InlineData("bills/%2e%2e/admin")]
    [InlineData("bills/.%2E/admin")]
    [InlineData("bills%2F..%2Fadmin/")]
    [InlineData("bills%5c..%5cadmin/")]
    public void A_path_with_a_percent_encoded_dot_or_separator_is_refused_naming_Path(string path)
    {
        // The URI parser or the server decodes them, so these climb out of the base URI as '..' would.
        var error = Assert.Throws<EnergyData.Validation.ParameterValidationException>(() => NeuClient.CheckInvokeRequest("GET", path, null));

        Assert.Equal("Path", error.ParamName);
        Assert.Contains("percent-encoded dot, slash or backslash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encoded_slash_in_the_query_is_data_and_passes() =>
        NeuClient.CheckInvokeRequest("GET", "bills/?since=2024%2F01%2F31", null);

    [Fact]
    public async Task An_id_placed_in_the_query_is_sent_there()
    {
        var handler = new StubNeuHandler(_ => OneAccount);
        var client = handler.CreateClient(new Dictionary<string, string?> { ["Account"] = "GET accounts/?id={id}" });

        var accounts = await client.GetAccountsAsync(42, null, CancellationToken.None).ToListAsync();

        Assert.Equal(42, Assert.Single(accounts).Account.AccountId);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(("GET", "https://neu.test/api/accounts/?id=42", (string?)null), request);
    }

    [Theory]
    [InlineData("GET neugets/?scope=all", "GET", "https://neu.test/api/neugets/?scope=all&id=41", null)]
    [InlineData("DELETE neugets/", "DELETE", "https://neu.test/api/neugets/", "{\"id\":41}")]
    [InlineData("PUT neugets/?scope=all", "PUT", "https://neu.test/api/neugets/?scope=all", "{\"id\":41}")]
    public async Task Without_id_in_the_route_the_id_is_the_field_id_after_the_routes_own_query_or_in_the_body(string route, string method, string uri, string? body)
    {
        var handler = new StubNeuHandler(_ => "[]");
        var client = handler.CreateClient(new Dictionary<string, string?> { ["Neugets"] = route });

        await client.GetNeugetsAsync(41, null, CancellationToken.None).ToListAsync();

        Assert.Equal((method, uri, body), Assert.Single(handler.Requests));
    }

    [Fact]
    public async Task Body_fields_of_a_GET_route_with_a_query_follow_it_after_an_ampersand()
    {
        var handler = new StubNeuHandler(_ => "[]");
        var client = handler.CreateClient(new Dictionary<string, string?> { ["Pqrs"] = "GET pqrs/?scope=all" });

        await client.GetPqrsAsync(new DateTime(2021, 6, 1), new DateTime(2021, 11, 1), null, CancellationToken.None).ToListAsync();

        Assert.Equal("https://neu.test/api/pqrs/?scope=all&From=2021-06-01T00%3A00%3A00&To=2021-11-01T00%3A00%3A00", Assert.Single(handler.Requests).Uri);
    }

    [Fact]
    public async Task Body_fields_of_a_GET_route_without_a_query_start_one()
    {
        var handler = new StubNeuHandler(_ => "[]");
        var client = handler.CreateClient(new Dictionary<string, string?> { ["Pqrs"] = "GET pqrs/" });

        await client.GetPqrsAsync(new DateTime(2021, 6, 1), null, null, CancellationToken.None).ToListAsync();

        Assert.Equal("https://neu.test/api/pqrs/?From=2021-06-01T00%3A00%3A00", Assert.Single(handler.Requests).Uri);
    }

    [Fact]
    public async Task A_notification_page_placed_in_the_query_is_sent_there_and_as_PageNumber_in_the_body()
    {
        var handler = new StubNeuHandler(request => request.RequestUri!.Query.EndsWith("page=1", StringComparison.Ordinal)
            ? "{\"nextPage\":2,\"maxPage\":2,\"total\":2,\"data\":[{\"date\":\"2021-04-01T00:00:00\",\"title\":\"uno\",\"text\":\"a\",\"read\":true}]}"
            : "{\"nextPage\":null,\"maxPage\":2,\"total\":2,\"data\":[{\"date\":\"2021-04-05T00:00:00\",\"title\":\"dos\",\"text\":\"b\",\"read\":false}]}");
        var client = handler.CreateClient(new Dictionary<string, string?> { ["Notifications"] = "POST notifications/?page={page}" });

        var notifications = await client.GetNotificationsAsync(new DateTime(2021, 4, 1), null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(["uno", "dos"], notifications.Select(item => item.Title));
        Assert.Equal(
            [
                ("POST", "https://neu.test/api/notifications/?page=1", "{\"From\":\"2021-04-01T00:00:00\",\"PageNumber\":1}"),
                ("POST", "https://neu.test/api/notifications/?page=2", "{\"From\":\"2021-04-01T00:00:00\",\"PageNumber\":2}"),
            ],
            handler.Requests.Select(request => (request.Method, request.Uri, request.Body)));
    }

    [Fact]
    public async Task An_interactions_page_placed_in_the_url_by_an_override_is_sent_there_and_as_PageNumber_in_the_body()
    {
        // The document's "page in the URL" note sits in the notifications section, of which interactions are a part.
        var handler = new StubNeuHandler(request => request.RequestUri!.Query.EndsWith("page=1", StringComparison.Ordinal)
            ? "{\"nextPage\":2,\"maxPage\":2,\"total\":2,\"data\":[{\"name\":\"Ana\",\"title\":\"uno\"}]}"
            : "{\"nextPage\":null,\"maxPage\":2,\"total\":2,\"data\":[{\"name\":\"Ana\",\"title\":\"dos\"}]}");
        var client = handler.CreateClient(new Dictionary<string, string?> { ["NotificationInteractions"] = "POST notifications/interactions/?page={page}" });

        var interactions = await client.GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(["uno", "dos"], interactions.Select(item => item.Title));
        Assert.Equal(
            [
                ("POST", "https://neu.test/api/notifications/interactions/?page=1", "{\"PageNumber\":1}"),
                ("POST", "https://neu.test/api/notifications/interactions/?page=2", "{\"PageNumber\":2}"),
            ],
            handler.Requests.Select(request => (request.Method, request.Uri, request.Body)));
    }

    [Fact]
    public async Task Due_dates_bills_rules_and_rule_history_take_the_page_in_the_path_when_an_override_puts_it_there()
    {
        var handler = new StubNeuHandler(request => request.RequestUri!.AbsolutePath.EndsWith("/1/", StringComparison.Ordinal)
            ? "[{\"id_bill\":1,\"id_alarm\":1,\"data\":[]}]"
            : "[]");
        var client = handler.CreateClient(new Dictionary<string, string?>
        {
            ["BillDueDates"] = "POST bills/due-date/{page}/",
            ["Bills"] = "POST bills/{page}/",
            ["Rules"] = "POST rules/{page}/",
            ["RuleHistory"] = "POST rules/history/{page}/",
        });

        await client.GetBillDueDatesAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();
        await client.GetBillsAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();
        await client.GetRulesAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();
        await client.GetRuleHistoryAsync(null, null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(
            [
                ("https://neu.test/api/bills/due-date/1/", "{\"PageNumber\":1}"),
                ("https://neu.test/api/bills/1/", "{\"Page\":1}"),
                ("https://neu.test/api/bills/2/", "{\"Page\":2}"),
                ("https://neu.test/api/rules/1/", "{\"PageNumber\":1}"),
                ("https://neu.test/api/rules/2/", "{\"PageNumber\":2}"),
                ("https://neu.test/api/rules/history/1/", "{\"PageNumber\":1}"),
                ("https://neu.test/api/rules/history/2/", "{\"PageNumber\":2}"),
            ],
            handler.Requests.Select(request => (request.Uri, request.Body)));
    }

    [Fact]
    public async Task Consumption_by_services_sends_the_table_spelling_Id_services_and_Invoke_sends_the_other_as_given()
    {
        // The document's table says Id_services, its example Id_servicess: the cmdlet sends the first, and a user whose
        // server wants the second sends the body through Invoke-NeuRequest, whose field names go out as given.
        var handler = new StubNeuHandler(_ => "[]");
        var client = handler.CreateClient();
        var query = new NeuConsumptionQuery { ServiceIds = [282, 450], Interval = NeuInterval.Daily, From = new DateTime(2021, 4, 1), To = new DateTime(2021, 11, 1) };

        await client.GetConsumptionAsync(query, null, CancellationToken.None).ToListAsync();
        await client.InvokeAsync("POST", "data/consumption/", new Dictionary<string, object?> { ["Id_servicess"] = new object[] { 282, 450 }, ["Interval"] = "DAILY" }, null, CancellationToken.None).ToListAsync();

        Assert.Equal(
            [
                "{\"Id_services\":[282,450],\"Interval\":\"DAILY\",\"From\":\"2021-04-01T00:00:00\",\"To\":\"2021-11-01T00:00:00\"}",
                "{\"Id_servicess\":[282,450],\"Interval\":\"DAILY\"}",
            ],
            handler.Requests.Select(request => request.Body));
    }

    [Fact]
    public async Task The_default_notification_route_keeps_the_page_in_the_path_and_adds_PageNumber_to_the_body()
    {
        var handler = new StubNeuHandler(_ => "{\"nextPage\":null,\"maxPage\":1,\"total\":0,\"data\":[]}");
        var client = handler.CreateClient();

        await client.GetNotificationsAsync(null, null, null, null, CancellationToken.None).ToListAsync();

        Assert.Equal(("POST", "https://neu.test/api/notifications/1/", "{\"PageNumber\":1}"), Assert.Single(handler.Requests));
    }
}
