using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Neu;

[Collection(EmulatorGroup.Name)]
public sealed class NeuEndpointTests : NeuEmulatorTests
{
    private static readonly DateTime From = new(2021, 4, 1);
    private readonly RecordingContext trace = new();

    public NeuEndpointTests(EmulatorFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Accounts_come_with_their_services()
    {
        var accounts = await Client.GetAccountsAsync(null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([41L, 42L], accounts.Select(entry => entry.Account.AccountId));
        var north = accounts[0];
        Assert.Equal("Cuenta Norte", north.Account.AccountName);
        Assert.Equal("Residencial", north.Account.AccountCategory);
        Assert.Equal(2, north.Account.ServiceCount);
        Assert.Equal("282;283", north.Account.ServiceIds);
        Assert.All(north.Services, service => Assert.Equal(41, service.AccountId));
        Assert.Equal("Calle 10 # 43-12, Medellín", north.Services[0].Address);
        Assert.Equal(1, Server.State.Counters.For("neu/accounts/"));
    }

    [Fact]
    public async Task One_account_is_asked_for_by_id_in_the_path()
    {
        var accounts = await Client.GetAccountsAsync(42, trace, CancellationToken.None).ToListAsync();

        var single = Assert.Single(accounts);
        Assert.Equal("Cuenta Sur", single.Account.AccountName);
        Assert.Equal(450, Assert.Single(single.Services).ServiceId);
        Assert.Equal(1, Server.State.Counters.For("neu/accounts/42/"));
    }

    [Fact]
    public async Task A_service_is_read_by_id_with_its_account()
    {
        var service = Assert.Single(await Client.GetServiceAsync(283, trace, CancellationToken.None).ToListAsync());

        Assert.Equal(283, service.ServiceId);
        Assert.Equal(41, service.AccountId);
        Assert.Equal("Cuenta Norte", service.AccountName);
        Assert.Equal("Local comercial", service.Name);
        Assert.Equal("Energía", service.ServiceType);
    }

    [Fact]
    public async Task Every_service_of_the_user_is_listed_from_the_services_route_with_its_account()
    {
        // The document's service id is optional: without one, every service of the user (GET services/ by default).
        var services = await Client.GetServicesAsync(trace, CancellationToken.None).ToListAsync();

        Assert.Equal([282L, 283L, 450L], services.Select(service => service.ServiceId!.Value));
        Assert.Equal([41L, 41L, 42L], services.Select(service => service.AccountId!.Value));
        Assert.Equal("Cuenta Sur", services[2].AccountName);
        Assert.Equal("Bodega", services[2].Name);
        Assert.Equal("Energía", services[2].ServiceType);
        Assert.Equal("Calle 5 Sur # 50-30, Envigado", services[2].Address);
        Assert.Equal(1, Server.State.Counters.For("neu/services/"));
        Assert.Equal(1, Server.State.Counters.Total);
    }

    [Fact]
    public async Task An_unknown_service_is_a_NeuException_with_the_status_and_route()
    {
        var error = await Assert.ThrowsAsync<NeuException>(() => Client.GetServiceAsync(999, trace, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("Service", error.Message, StringComparison.Ordinal);
        Assert.Contains("Servicio no encontrado", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pqrs_are_filtered_by_the_dates_sent_in_the_body()
    {
        var all = await Client.GetPqrsAsync(null, null, trace, CancellationToken.None).ToListAsync();
        var some = await Client.GetPqrsAsync(new DateTime(2021, 6, 1), new DateTime(2021, 11, 1), trace, CancellationToken.None).ToListAsync();

        Assert.Equal(3, all.Count);
        Assert.Equal(["Queja", "Reclamo"], some.Select(item => item.Type));
        Assert.Equal(new DateTime(2021, 7, 15, 14, 0, 0), some[0].Date);
        Assert.Equal("{\"From\":\"2021-06-01T00:00:00\",\"To\":\"2021-11-01T00:00:00\"}", Server.State.Neu.LastBody);
    }

    [Fact]
    public async Task Consumption_by_account_gives_one_row_per_service_per_day_with_every_field()
    {
        var query = new NeuConsumptionQuery { AccountId = 41, Interval = NeuInterval.Daily, From = From, To = From.AddDays(5) };

        var rows = await Client.GetConsumptionAsync(query, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(10, rows.Count);
        Assert.Equal(5, rows.Count(row => row.ServiceId == 282));
        var first = rows[0];
        Assert.Equal(41, first.AccountId);
        Assert.Equal("Cuenta Norte", first.AccountName);
        Assert.Equal("Casa principal", first.ServiceName);
        Assert.Equal("Daily", first.Interval);
        Assert.Equal(From, first.Date);
        Assert.False(first.IsBackup);
        Assert.True(rows.Single(row => row.ServiceId == 283 && row.Date == From).IsBackup);
        foreach (var property in typeof(NeuConsumption).GetProperties())
        {
            Assert.NotNull(property.GetValue(first));
        }

        Assert.Equal(1.5 * ((282 % 7) + 1), first.Consumption);
        Assert.Equal(120.1, first.VoltageA);
        Assert.Equal("{\"Id_account\":41,\"Interval\":\"DAILY\",\"From\":\"2021-04-01T00:00:00\",\"To\":\"2021-04-06T00:00:00\"}", Server.State.Neu.LastBody);
    }

    [Fact]
    public async Task Consumption_by_services_sends_the_id_list_and_the_interval()
    {
        var query = new NeuConsumptionQuery { ServiceIds = [450, 282, 450], Interval = NeuInterval.Hourly, From = From, To = From.AddHours(6) };

        var rows = await Client.GetConsumptionAsync(query, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(12, rows.Count);
        Assert.Equal([41L, 42L], rows.Select(row => row.AccountId!.Value).Distinct().OrderBy(id => id));
        Assert.Equal(From.AddHours(5), rows.Where(row => row.ServiceId == 450).Max(row => row.Date));
        using var body = JsonDocument.Parse(Server.State.Neu.LastBody!);
        Assert.Equal([450L, 282L], body.RootElement.GetProperty("Id_services").EnumerateArray().Select(id => id.GetInt64()));
        Assert.Equal("HOURLY", body.RootElement.GetProperty("Interval").GetString());
    }

    [Fact]
    public async Task A_date_the_server_cannot_read_is_a_400()
    {
        var body = new Dictionary<string, object?> { ["Id_account"] = 41, ["Interval"] = "DAILY", ["From"] = "01/04/2021", ["To"] = "2021-05-01T00:00:00" };

        var error = await Assert.ThrowsAsync<NeuException>(() => Client.InvokeAsync("POST", "data/consumption/", body, trace, CancellationToken.None).ToListAsync());

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("ISO", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Server.State.Counters.Total);
    }

    [Fact]
    public async Task Bills_follow_every_page_until_an_empty_one()
    {
        var paging = new NeuPaging();
        var pages = new List<int>();
        paging.PageRead = (page, _, _) => pages.Add(page);

        var bills = await Client.GetBillsAsync(null, null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(45, bills.Count);
        Assert.Equal(Enumerable.Range(9000, 45).Select(id => (long)id), bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal([1, 2, 3, 4, 5, 6], pages);
        Assert.Equal(6, Server.State.Counters.For("neu/bills/"));
        Assert.Equal(5, bills[^1].Bill.Page);
    }

    [Fact]
    public async Task Bills_from_a_server_that_ignores_Page_come_once_each()
    {
        Server.State.Neu.BillsIgnorePage = true;
        var paging = new NeuPaging();
        var pages = new List<int>();
        paging.PageRead = (page, _, _) => pages.Add(page);

        var bills = await Client.GetBillsAsync(null, null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(9000, NeuData.BillPageSize).Select(id => (long)id), bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.All(bills, entry => Assert.Equal(1, entry.Bill.Page));
        Assert.Equal([1, 2], pages);
        Assert.Equal(2, Server.State.Counters.For("neu/bills/"));
        Assert.Contains(trace.VerboseLines, line => line.Contains("ignore the page number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bill_has_its_platform_payment_flattened_and_its_concepts_as_rows()
    {
        var bills = await Client.GetBillsAsync(282, new DateTime(2021, 4, 1), new DateTime(2021, 4, 30), null, trace, CancellationToken.None).ToListAsync();

        var paid = bills.First(entry => entry.Bill.BillId == 9000).Bill;
        Assert.Equal("PSE", paid.PlatformPaymentMethod);
        Assert.Equal(250000m, paid.PlatformPaymentValue);
        Assert.Equal(new DateTime(2021, 4, 11), paid.PlatformPaymentDate);
        Assert.Equal("Pagada", paid.State);
        Assert.Equal(2, paid.ConceptCount);
        var concepts = bills.First(entry => entry.Bill.BillId == 9000).Concepts;
        Assert.Equal(["ASIC-EA", "ASIC-AP"], concepts.Select(concept => concept.AsicCode));
        Assert.All(concepts, concept => Assert.Equal(9000, concept.BillId));
        Assert.All(bills, entry => Assert.Equal(282, entry.Bill.ServiceId));
        Assert.Contains("\"Id_service\":282", Server.State.Neu.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_and_Skip_stop_asking_for_pages_once_satisfied()
    {
        var paging = new NeuPaging { Skip = 3, First = 12 };

        var bills = await Client.GetBillsAsync(null, null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(9003, 12).Select(id => (long)id), bills.Select(entry => entry.Bill.BillId!.Value));
        Assert.Equal(2, Server.State.Counters.For("neu/bills/"));
    }

    [Fact]
    public async Task Due_dates_follow_nextPage_and_maxPage_and_report_page_x_of_y()
    {
        var reports = new List<string>();
        var paging = new NeuPaging { PageRead = (page, max, total) => reports.Add($"{page}/{max}/{total}") };

        var dates = await Client.GetBillDueDatesAsync(null, null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(25, dates.Count);
        Assert.Equal(["1/3/25", "2/3/25", "3/3/25"], reports);
        Assert.Equal(25, paging.TotalCount);
        Assert.Equal(new DateTime(2021, 4, 16), dates[0].ExpirationDate);
        Assert.Equal(3, dates[^1].Page);
        Assert.Equal(3, Server.State.Counters.For("neu/bills/due-date/"));
    }

    [Fact]
    public async Task Overdue_bills_give_the_days_in_arrears()
    {
        var overdue = await Client.GetBillsOverdueAsync(trace, CancellationToken.None).ToListAsync();

        Assert.Equal(["9001", "9003", "9005"], overdue.Select(item => item.BillId));
        Assert.Equal(new DateTime(2021, 4, 23), overdue[0].DueDate);
        Assert.Equal((9001 % 40) + 5, overdue[0].Days);
        Assert.Equal(1, Server.State.Counters.For("neu/bills/overdue/"));
    }

    [Fact]
    public async Task Notifications_put_the_page_number_in_the_url_and_read_every_page()
    {
        var notifications = await Client.GetNotificationsAsync(null, null, new NeuPaging(), trace, CancellationToken.None).ToListAsync();

        Assert.Equal(45, notifications.Count);
        Assert.Equal([20, 20, 5], notifications.GroupBy(item => item.Page).Select(group => group.Count()));
        Assert.Equal(1, Server.State.Counters.For("neu/notifications/1/"));
        Assert.Equal(1, Server.State.Counters.For("neu/notifications/3/"));
        Assert.Equal("Alerta de consumo 1", notifications[0].Title);
        Assert.True(notifications[0].Read);
        Assert.Equal("/neu/notifications/3/", Server.State.Neu.LastPath);
        Assert.Contains("\"PageNumber\":3", Server.State.Neu.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notification_pages_after_the_first_are_fetched_concurrently_once_each_and_yielded_in_order()
    {
        var sequential = await Client.GetNotificationsAsync(null, null, new NeuPaging(), trace, CancellationToken.None).ToListAsync();
        Server.Reset();

        var concurrent = await Client.GetNotificationsAsync(null, null, new NeuPaging { PageConcurrency = 4 }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(sequential.Select(item => item.Title), concurrent.Select(item => item.Title));
        Assert.Equal([1, 1, 1], new[] { 1, 2, 3 }.Select(page => Server.State.Counters.For($"neu/notifications/{page}/")));
        Assert.Equal(3, Server.State.Counters.Total);
        Assert.Contains(trace.VerboseLines, line => line.Contains("at a time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_notification_pages_stop_where_first_is_satisfied()
    {
        var paging = new NeuPaging { PageConcurrency = 4, Skip = 5, First = 18 };

        var notifications = await Client.GetNotificationsAsync(null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(6, 18).Select(n => $"Alerta de consumo {n}"), notifications.Select(item => item.Title));
        Assert.Equal(2, Server.State.Counters.Total);
        Assert.Equal(0, Server.State.Counters.For("neu/notifications/3/"));
    }

    [Fact]
    public async Task Notifications_in_a_date_range_fit_one_page()
    {
        var notifications = await Client.GetNotificationsAsync(new DateTime(2021, 4, 1), new DateTime(2021, 4, 30), null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(8, notifications.Count);
        Assert.Equal(1, Server.State.Counters.Total);
    }

    [Fact]
    public async Task Notification_interactions_carry_who_and_when()
    {
        var interactions = await Client.GetNotificationInteractionsAsync(null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(7, interactions.Count);
        Assert.All(interactions, item => Assert.Equal("Ana Gómez", item.Name));
        Assert.Equal(interactions[0].Date!.Value.AddHours(3), interactions[0].InteractionDate);
        Assert.Contains("\"PageNumber\":1", Server.State.Neu.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_are_filtered_by_project_and_keep_their_weekdays()
    {
        var all = await Client.GetRulesAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();
        var project = await Client.GetRulesAsync(42, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([7L, 8L, 9L], all.Select(rule => rule.RuleId!.Value));
        var only = Assert.Single(project);
        Assert.Equal("Consumo mensual", only.RuleName);
        Assert.Equal(900.0, only.LimitValue);
        Assert.True(only.Monday);
        Assert.False(only.Sunday);
        Assert.True(all[1].Sunday);
        Assert.Equal(new DateTime(2021, 8, 20, 12, 0, 0), only.CreationDate);
    }

    [Fact]
    public async Task Rules_and_rule_history_follow_PageNumber_until_an_empty_page()
    {
        // Their answers carry no paging fields: two rules a page, then the third, then an empty page ends it.
        var paging = new NeuPaging();
        var pages = new List<int>();
        paging.PageRead = (page, _, _) => pages.Add(page);
        var rules = await Client.GetRulesAsync(null, null, null, paging, trace, CancellationToken.None).ToListAsync();

        Assert.Equal([7L, 8L, 9L], rules.Select(rule => rule.RuleId!.Value));
        Assert.Equal([1, 2, 3], pages);
        Assert.Equal(3, Server.State.Counters.For("neu/rules/"));
        Assert.Contains("\"PageNumber\":3", Server.State.Neu.LastBody, StringComparison.Ordinal);

        var firings = await Client.GetRuleHistoryAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();
        Assert.Equal([7L, 9L], firings.Select(firing => firing.RuleId!.Value).Distinct());
        Assert.Equal(2, Server.State.Counters.For("neu/rules/history/"));
    }

    [Fact]
    public async Task Rule_history_gives_one_row_per_firing_with_the_rule_fields()
    {
        var firings = await Client.GetRuleHistoryAsync(null, null, null, null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(5, firings.Count);
        Assert.Equal(3, firings.Count(firing => firing.RuleId == 7));
        var last = firings[^1];
        Assert.Equal(9, last.RuleId);
        Assert.Equal("Cuenta Sur", last.Project);
        Assert.Equal(new DateTime(2021, 10, 1), last.Date);
        Assert.Equal(1010.5, last.Value);
        Assert.Equal(900.0, last.LimitValue);
    }

    [Fact]
    public async Task Neugets_of_one_account_use_its_id_in_the_path()
    {
        var neugets = await Client.GetNeugetsAsync(41, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(4, neugets.Count);
        Assert.All(neugets, item => Assert.Equal(41, item.AccountId));
        Assert.Equal([10.0, 11.0, 12.0, 13.0], neugets.Select(item => item.Value!.Value));
        Assert.Equal(1, Server.State.Counters.For("neu/neugets/41/"));
    }

    [Fact]
    public async Task Neugets_without_an_account_ask_every_account_in_turn()
    {
        var neugets = await Client.GetNeugetsAsync(null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(8, neugets.Count);
        Assert.Equal(1, Server.State.Counters.For("neu/accounts/"));
        Assert.Equal(1, Server.State.Counters.For("neu/neugets/42/"));
    }

    [Fact]
    public async Task Neuget_payments_name_the_bill_paid()
    {
        var payments = await Client.GetNeugetPaymentsAsync(42, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(2, payments.Count);
        Assert.All(payments, payment => Assert.Equal(42, payment.AccountId));
        Assert.Equal(NeuData.Bills.Where(bill => bill.AccountId == 42).Take(2).Select(bill => (long?)bill.Id), payments.Select(payment => payment.BillId));
        Assert.Equal(1, Server.State.Counters.For("neu/neugets/bills/42/"));
    }

    [Fact]
    public async Task Frontier_consumption_gives_24_hourly_rows_per_code_and_day()
    {
        var rows = await Client.GetFrontierConsumptionAsync(["Frt00123", "Frt00456"], new DateTime(2024, 1, 1), new DateTime(2024, 1, 1, 23, 0, 0), trace, CancellationToken.None).ToListAsync();

        Assert.Equal(48, rows.Count);
        Assert.Equal(24, rows.Count(row => row.SicCode == "Frt00456"));
        Assert.Equal(new DateTime(2024, 1, 1, 23, 0, 0), rows[23].Date);
        Assert.Equal("{\"Sic_codes\":[\"Frt00123\",\"Frt00456\"],\"From\":\"2024-01-01T00:00:00Z\",\"To\":\"2024-01-01T23:00:00Z\"}", Server.State.Neu.LastBody);
        Assert.Equal(1, Server.State.Counters.For("neu/ddv/consumption"));
    }

    [Fact]
    public async Task Invoke_streams_array_items_with_nested_objects_flattened()
    {
        var items = await Client.InvokeAsync("POST", "/bills/", new Dictionary<string, object?> { ["Id_service"] = 450, ["Page"] = 1 }, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(10, items.Count);
        Assert.Equal(Enumerable.Range(0, 10), items.Select(item => item.ItemIndex));
        // Every item has the platform_payments.* columns (the response's columns); a paid bill has them filled.
        Assert.All(items, item => Assert.Contains(item.GetFields(), field => field.Key == "platform_payments.method"));
        var paid = items.First(item => item.GetFields().Any(field => field.Key == "platform_payments.method" && field.Value is not null));
        Assert.Equal("PSE", paid.GetFields().Single(field => field.Key == "platform_payments.method").Value);
        Assert.Equal(450m, paid.GetFields().Single(field => field.Key == "id_service").Value);
        Assert.StartsWith("{", paid.RawJson, StringComparison.Ordinal);
        Assert.Equal("bills/", paid.RequestPath);
    }

    [Fact]
    public async Task Invoke_writes_numbers_of_every_type_as_numbers_and_dates_as_NEU_clock_time()
    {
        var body = new Dictionary<string, object?>
        {
            ["Id_service"] = (short)450,
            ["Page"] = (byte)1,
            ["Ratio"] = 1.5f,
            ["Big"] = ulong.MaxValue,
            ["Small"] = (sbyte)-3,
            ["When"] = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero),
            ["Map"] = new System.Collections.Hashtable { ["k"] = (uint)7 },
        };

        var items = await Client.InvokeAsync("POST", "bills/", body, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(10, items.Count);
        Assert.Equal(
            "{\"Id_service\":450,\"Page\":1,\"Ratio\":1.5,\"Big\":18446744073709551615,\"Small\":-3,\"When\":\"2024-01-01T05:00:00\",\"Map\":{\"k\":7}}",
            Server.State.Neu.LastBody);
    }

    [Fact]
    public async Task Invoke_with_GET_sends_no_body()
    {
        var overdue = await Client.InvokeAsync("get", "bills/overdue/", null, trace, CancellationToken.None).ToListAsync();

        Assert.Equal(3, overdue.Count);
        Assert.Null(Server.State.Neu.LastBody);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_by_the_shared_resilience_handler()
    {
        Server.State.Faults.Add(new FaultSpec { Kind = FaultKind.ServiceUnavailable, PathContains = "/neu/bills/overdue", Count = 1 });

        var overdue = await Client.GetBillsOverdueAsync(trace, CancellationToken.None).ToListAsync();

        Assert.Equal(3, overdue.Count);
        Assert.Equal(2, Server.State.Counters.For("neu/bills/overdue/"));
    }
}
