using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using EnergyData.Connection;
using EnergyData.Neu;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Neu;

public sealed class NeuRouteTableTests
{
    [Fact]
    public void The_default_table_lists_every_endpoint_and_marks_the_three_evidenced_routes_confirmed()
    {
        var routes = NeuRouteTable.Default.Describe();

        Assert.Equal(16, routes.Count);
        Assert.All(routes, route => Assert.Equal("Default", route.Source));
        var confirmed = routes.Where(route => route.Confirmed).Select(route => route.Method + " " + route.Path).OrderBy(text => text, StringComparer.Ordinal).ToList();
        Assert.Equal(["GET bills/overdue/", "POST data/consumption/", "POST ddv/consumption"], confirmed);
        Assert.Equal("POST notifications/{page}/", NeuRouteTable.Default[NeuRouteNames.Notifications].ToString());
    }

    [Fact]
    public void An_override_replaces_method_and_path_and_keeps_the_default_for_reference()
    {
        var table = NeuRouteTable.Create([new("consumption", "get /v2/Consumption")]);

        var route = table.Describe().Single(info => info.Name == NeuRouteNames.Consumption);
        Assert.Equal("GET", route.Method);
        Assert.Equal("v2/Consumption", route.Path);
        Assert.Equal("Override", route.Source);
        Assert.True(route.Confirmed);
        Assert.Equal("POST data/consumption/", route.DefaultRoute);
        Assert.Equal(1, table.OverrideCount);
    }

    [Theory]
    [InlineData("Nope", "POST x/", "known NEU endpoint")]
    [InlineData("Pqrs", "FETCH pqrs/", "HTTP method")]
    [InlineData("Pqrs", "POST https://evil.example/pqrs", "absolute URL")]
    [InlineData("Pqrs", "POST ../admin/", "'..'")]
    [InlineData("Pqrs", "POST pqrs/{id}/", "placeholders")]
    [InlineData("Pqrs", "POST", "METHOD path")]
    [InlineData("Pqrs", "POST pqrs/#top", "fragment")]
    [InlineData("Pqrs", "POST pqrs/?all=1#top", "fragment")]
    [InlineData("Account", "GET accounts/?id={id} x", "spaces")]
    [InlineData("Account", "GET accounts/../?id={id}", "'..'")]
    [InlineData("Pqrs", "POST pqrs/%2e%2e/admin/", "percent-encoded dot")]
    [InlineData("Pqrs", "POST pqrs/.%2E/admin/", "percent-encoded dot")]
    [InlineData("Pqrs", "POST pqrs%2f..%2fadmin/", "percent-encoded dot")]
    [InlineData("Pqrs", "POST pqrs%5C..%5Cadmin/", "percent-encoded dot")]
    [InlineData("Account", "GET accounts/?next=https://evil.example/&id={id}", "absolute URL")]
    [InlineData("Account", "GET accounts\\?id={id}", "absolute URL")]
    [InlineData("Account", "GET ?id={id}", "METHOD path")]
    [InlineData("Account", "GET accounts/?id=", "must not name id in its query")]
    [InlineData("Service", "POST services/?ID=283", "must not name id in its query")]
    [InlineData("Neugets", "GET neugets/?all=1&id", "must not name id in its query")]
    [InlineData("Notifications", "POST notifications/?page={page}&id={id}", "placeholders")]
    [InlineData("Pqrs", "POST pqrs/?", "query part")]
    [InlineData("Pqrs", "POST pqrs/?a=1?b=2", "query part")]
    [InlineData("Account", "GET accounts/?id={id}}", "stray brace")]
    [InlineData("Neugets", "GET neugets/{id}/}", "stray brace")]
    [InlineData("Pqrs", "POST pqrs/?page={page}", "must not use placeholders")]
    [InlineData("Account", "GET accounts/{id}/?page={page}", "only the placeholders of route Account: {id}")]
    [InlineData("Bills", "POST bills/{id}/", "only the placeholders of route Bills: {page}")]
    public void A_malformed_override_names_NeuRoute_and_the_rule(string name, string value, string rule)
    {
        var error = Assert.Throws<ParameterValidationException>(() => NeuRouteTable.Create([new(name, value)]));

        Assert.Equal("NeuRoute", error.ParamName);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Account", "GET accounts/?id={id}", "accounts/?id={id}")]
    [InlineData("Account", "GET /accounts/{id}/?expand=services", "accounts/{id}/?expand=services")]
    [InlineData("Service", "GET services/?id={id}&detail=full", "services/?id={id}&detail=full")]
    [InlineData("Notifications", "POST notifications/?page={page}", "notifications/?page={page}")]
    [InlineData("Pqrs", "POST pqrs/?all=1", "pqrs/?all=1")]
    public void An_override_may_carry_a_query_with_the_placeholders_in_it(string name, string value, string expectedPath)
    {
        var route = NeuRouteTable.Create([new(name, value)])[name];

        Assert.Equal(expectedPath, route.Path);
        Assert.True(route.IsOverride);
    }

    [Theory]
    [InlineData("Account", "POST accounts/")]
    [InlineData("Service", "GET services/")]
    [InlineData("Neugets", "PATCH /neugets/")]
    [InlineData("NeugetPayments", "GET neugets/bills/?scope=all")]
    public void An_id_route_may_leave_out_its_id_placeholder(string name, string value)
    {
        // The document lists the id among the fields, as for PQRS or bills: without {id} it is sent as the field id.
        var route = NeuRouteTable.Create([new(name, value)])[name];

        Assert.Equal(value.Substring(value.IndexOf(' ', StringComparison.Ordinal) + 1).TrimStart('/'), route.Path);
        Assert.True(route.IsOverride);
    }

    [Theory]
    [InlineData("Account", null, "Path")]
    [InlineData("Service", "GET services/?id={id}", "Query")]
    [InlineData("Neugets", "GET neugets/{id}/?account={id}", "Path, Query")]
    [InlineData("NeugetPayments", "POST neugets/bills/", "Body")]
    [InlineData("Account", "GET accounts/", "Query")]
    [InlineData("Service", "DELETE services/", "Body")]
    [InlineData("Pqrs", null, null)]
    [InlineData("Pqrs", "GET pqrs/", null)]
    public void Get_NeuRoute_shows_where_each_route_sends_its_id(string name, string? value, string? idIn)
    {
        var table = value is null ? NeuRouteTable.Default : NeuRouteTable.Create([new(name, value)]);

        Assert.Equal(idIn, table.Describe().Single(info => info.Name == name).IdIn);
    }

    [Theory]
    [InlineData("Bills", "POST bills/?page={page}")]
    [InlineData("BillDueDates", "POST bills/due-date/{page}/")]
    [InlineData("NotificationInteractions", "POST notifications/interactions/?page={page}")]
    [InlineData("Rules", "POST rules/{page}/")]
    [InlineData("RuleHistory", "POST rules/history/?page={page}")]
    [InlineData("Bills", "POST bills/")]
    public void Every_paged_route_may_take_the_page_in_the_url_but_only_Notifications_must(string name, string value)
    {
        var route = NeuRouteTable.Create([new(name, value)])[name];

        Assert.Equal(value.Substring(5), route.Path);
        var error = Assert.Throws<ParameterValidationException>(() => NeuRouteTable.Create([new("Notifications", "POST notifications/")]));
        Assert.Contains("placeholder {page}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_placeholder_in_the_query_is_expanded_with_an_escaped_value()
    {
        var route = NeuRouteTable.Create([new("Account", "GET accounts/?id={id}")])[NeuRouteNames.Account];

        Assert.Equal("accounts/?id=4%201%26x%3Dy", route.Expand(new Dictionary<string, string> { ["id"] = "4 1&x=y" }));
    }

    [Fact]
    public void A_route_file_is_read_and_NeuRoute_entries_win_over_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{\"Accounts\":\"GET v2/accounts\",\"Pqrs\":\"GET pqrs/list/\"}");
            var settings = new ConnectionSettings
            {
                NeuToken = "t".ToSecureStringForTest(),
                NeuRouteFile = file,
                NeuRoutes = new Dictionary<string, string?> { ["Pqrs"] = "POST pqrs/v3/" },
            };

            settings.Validate();

            Assert.Equal("GET v2/accounts", settings.NeuRouteTable[NeuRouteNames.Accounts].ToString());
            Assert.Equal("POST pqrs/v3/", settings.NeuRouteTable[NeuRouteNames.Pqrs].ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("[\"GET x\"]", "JSON object")]
    [InlineData("{\"Accounts\": 5}", "string")]
    [InlineData("{\"Accounts\": ", "valid JSON")]
    public void A_malformed_route_file_names_NeuRouteFile(string content, string rule)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, content);

            var error = Assert.Throws<ParameterValidationException>(() => NeuRouteTable.ReadOverrideFile(file));

            Assert.Equal("NeuRouteFile", error.ParamName);
            Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_route_file_is_a_validation_error()
    {
        var error = Assert.Throws<ParameterValidationException>(() => NeuRouteTable.ReadOverrideFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "routes.json")));

        Assert.Equal("NeuRouteFile", error.ParamName);
    }

    [Fact]
    public void Placeholders_are_expanded_with_escaped_values()
    {
        var path = NeuRouteTable.Default[NeuRouteNames.Neugets].Expand(new Dictionary<string, string> { ["id"] = "4 1" });

        Assert.Equal("neugets/4%201/", path);
    }
}

internal static class SecureStringTestExtensions
{
    public static System.Security.SecureString ToSecureStringForTest(this string value) => EnergyData.Auth.SecureStringExtensions.ToSecureString(value);
}
