using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>An account with the services listed under it.</summary>
public sealed class NeuAccountEntry
{
    public NeuAccountEntry(NeuAccount account, IReadOnlyList<NeuService> services)
    {
        Account = account;
        Services = services;
    }

    public NeuAccount Account { get; }

    public IReadOnlyList<NeuService> Services { get; }
}

/// <summary>A bill with its concept lines.</summary>
public sealed class NeuBillEntry
{
    public NeuBillEntry(NeuBill bill, IReadOnlyList<NeuBillConcept> concepts)
    {
        Bill = bill;
        Concepts = concepts;
    }

    public NeuBill Bill { get; }

    public IReadOnlyList<NeuBillConcept> Concepts { get; }
}

/// <summary>What Get-NeuConsumption asks for: one account, or a list of services.</summary>
public sealed class NeuConsumptionQuery
{
    public long? AccountId { get; set; }

    public IReadOnlyList<long>? ServiceIds { get; set; }

    public NeuInterval Interval { get; set; } = NeuInterval.Daily;

    public DateTime? From { get; set; }

    public DateTime? To { get; set; }

    /// <summary>
    /// Neither id, on purpose: every service of the token's user, which the document allows (both ids are
    /// "(Opcional)"). Without it a query with neither id is refused: Get-NeuConsumption sets it only when it has no
    /// pipeline input, so a piped row that lacks its ids (a misspelt column) is that row's error, not a download of
    /// everything. An id given wins over it.
    /// </summary>
    public bool EveryService { get; set; }

    /// <summary>
    /// The query of one Get-NeuConsumption input, from its -AccountId and -ServiceId as that input bound them (see
    /// <see cref="Validation.ArgumentSource"/>). Nothing is checked here: <see cref="NeuClient.GetConsumptionBatchesAsync"/>
    /// refuses neither and both before any request, as for every caller of the core.
    /// </summary>
    /// <remarks>
    /// The one choice made here: an object piped with both ids names a service of that account (a NeuService, a
    /// Get-NeuAccount -ExpandService row, a CSV row with both columns), so its services are read and its account is
    /// only context. Both ids given otherwise (one of them on the command line) stay both, and are refused. A service
    /// id given but empty (a piped service whose id property is $null) stays given, as an empty list, and is refused
    /// rather than replaced by the whole account.
    /// </remarks>
    public static NeuConsumptionQuery ForInput(
        long? accountId,
        Validation.ArgumentSource accountSource,
        IReadOnlyList<long>? serviceIds,
        Validation.ArgumentSource servicesSource,
        NeuInterval interval,
        DateTime? from,
        DateTime? to,
        bool everyServiceWhenNeither = false)
    {
        // Import-Csv gives "" for an empty cell, and the binder turns that into the id 0: a file with both an Id_account
        // and an Id_services column, one of them filled on each row, must read the filled one. No NEU id is 0, so a
        // piped 0 counts as not given (typed on the command line, it is refused as not positive).
        if (accountSource == Validation.ArgumentSource.Pipeline && accountId == 0)
        {
            accountSource = Validation.ArgumentSource.NotGiven;
        }

        if (servicesSource == Validation.ArgumentSource.Pipeline && serviceIds is { Count: 1 } && serviceIds[0] == 0)
        {
            servicesSource = Validation.ArgumentSource.NotGiven;
        }

        var account = accountSource == Validation.ArgumentSource.NotGiven ? null : accountId;
        IReadOnlyList<long>? services = servicesSource == Validation.ArgumentSource.NotGiven ? null : serviceIds ?? Array.Empty<long>();
        if (account is not null && services is not null && accountSource == Validation.ArgumentSource.Pipeline && servicesSource == Validation.ArgumentSource.Pipeline)
        {
            account = null;
        }

        return new NeuConsumptionQuery { AccountId = account, ServiceIds = services, Interval = interval, From = from, To = to, EveryService = everyServiceWhenNeither && account is null && services is null };
    }
}

/// <summary>The endpoints. Each public method checks its input before returning, so bad input never sends a request.</summary>
public sealed partial class NeuClient
{
    public IAsyncEnumerable<NeuAccountEntry> GetAccountsAsync(long? accountId, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (accountId is { } id)
        {
            NeuInput.Id(id, "Id");
        }

        return GetAccountsCoreAsync(accountId, trace, cancellationToken);
    }

    public IAsyncEnumerable<NeuService> GetServiceAsync(long serviceId, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        NeuInput.Id(serviceId, "Id");
        return MapByIdAsync(Routes[NeuRouteNames.Service], serviceId, trace, (fields, _) => MapService(fields, null, null), service => service.ServiceId, "service", cancellationToken);
    }

    /// <summary>
    /// Every service of the token's user: the document's service id is optional, and its section offers "cada uno de
    /// los servicios que pertenecen al usuario". One request of the Services route; the answer is read as the
    /// accounts list is (a JSON array, an object with a <c>data</c> array, or one service object), each item in the
    /// shape of one service.
    /// </summary>
    public IAsyncEnumerable<NeuService> GetServicesAsync(IRequestTrace? trace, CancellationToken cancellationToken) =>
        MapAsync(Routes[NeuRouteNames.Services], null, null, NeuPagingMode.Single, null, trace, (fields, _) => MapService(fields, null, null), cancellationToken);

    public IAsyncEnumerable<NeuPqrs> GetPqrsAsync(DateTime? from, DateTime? to, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        NeuInput.OptionalRange(from, to);
        var body = new NeuBody().AddDate("From", from).AddDate("To", to);
        return MapAsync(Routes[NeuRouteNames.Pqrs], null, _ => body, NeuPagingMode.Single, null, trace, (f, _) =>
            new NeuPqrs { Message = f.String("message"), Category = f.String("category"), Type = f.String("type"), Date = f.Date("date") }, cancellationToken);
    }

    /// <summary>Consumption rows, streamed: one row per service per timestamp.</summary>
    public IAsyncEnumerable<NeuConsumption> GetConsumptionAsync(NeuConsumptionQuery query, IRequestTrace? trace, CancellationToken cancellationToken) =>
        AsyncBatches.FlattenAsync(GetConsumptionBatchesAsync(query, trace, cancellationToken), cancellationToken);

    /// <summary>
    /// The rows of <see cref="GetConsumptionAsync"/> in the batches the reader parses them in (whatever was buffered;
    /// a batch is never held back to fill up). Each batch is valid until the next is asked for. For bulk consumers
    /// such as the pump: a million-row response then pays the asynchronous machinery per batch, not per row.
    /// </summary>
    public IAsyncEnumerable<ArraySegment<NeuConsumption>> GetConsumptionBatchesAsync(NeuConsumptionQuery query, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        if (query.AccountId is null && query.ServiceIds is null && !query.EveryService)
        {
            // Each piped Get-NeuConsumption input must name its account or its services; the cmdlet has one parameter
            // set (two sets made the binder lock piped rows onto the default one), so the rule is checked here, per input.
            throw new Validation.ParameterValidationException(
                "AccountId",
                "or 'ServiceId' is required: give one account or a list of services",
                "Neither was given for this input. Give -AccountId or -ServiceId, or pipe objects with an AccountId (Id_account) or ServiceId (Id_services, id_service) property. Without pipeline input, giving neither reads every service.");
        }

        var body = new NeuBody();
        if (query.AccountId is { } accountId)
        {
            // An empty list is given too (a piped service whose id is $null beside -AccountId): refused like any other,
            // not read as "the account alone", which would fetch every service of it for that input.
            if (query.ServiceIds is not null)
            {
                throw new Validation.ParameterValidationException("AccountId", "cannot be combined with ServiceId: give one account or a list of services");
            }

            body.Add("Id_account", NeuInput.Id(accountId, "AccountId"));
        }
        else if (query.ServiceIds is not null)
        {
            body.Add("Id_services", NeuInput.Ids(query.ServiceIds, "ServiceId", NeuInput.MaxServiceIds));
        }

        if (!Enum.IsDefined(typeof(NeuInterval), query.Interval))
        {
            throw new Validation.ParameterValidationException("Interval", "must be Hourly, Daily or Monthly");
        }

        NeuInput.RequiredRange(query.From, query.To);
        var interval = query.Interval.ToString();
        body.Add("Interval", interval.ToUpperInvariant()).AddDate("From", query.From).AddDate("To", query.To);
        return StreamAsync(Routes[NeuRouteNames.Consumption], null, body, (reader, token) => NeuConsumptionReader.ReadBatchesAsync(reader, interval, trace, token), null, trace, cancellationToken);
    }

    /// <summary>Every page of bills (Page 1, 2, ... until the server has no more).</summary>
    public IAsyncEnumerable<NeuBillEntry> GetBillsAsync(long? serviceId, DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(serviceId, "ServiceId");
        NeuInput.OptionalRange(from, to);
        return MapPagedAsync(Routes[NeuRouteNames.Bills], PageValue, BillsPage(serviceId, from, to), NeuPagingMode.UntilEmpty, paging, trace, (fields, page) => MapBill(fields, page, trace), cancellationToken);
    }

    /// <summary>
    /// The concept lines of every bill, as <see cref="GetBillsAsync"/> pages them: -Skip and -First count concepts,
    /// the rows written, not bills (a bill has several concepts, or none).
    /// </summary>
    public IAsyncEnumerable<NeuBillConcept> GetBillConceptsAsync(long? serviceId, DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(serviceId, "ServiceId");
        NeuInput.OptionalRange(from, to);
        return ExpandPagedAsync(
            Routes[NeuRouteNames.Bills],
            PageValue,
            BillsPage(serviceId, from, to),
            NeuPagingMode.UntilEmpty,
            paging,
            trace,
            // Concept rows carry no payment, so a list of payments is nothing to warn of here: no trace.
            (fields, page) => MapBill(fields, page, null).Concepts,
            cancellationToken);
    }

    public IAsyncEnumerable<NeuBillDueDate> GetBillDueDatesAsync(long? serviceId, DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(serviceId, "ServiceId");
        NeuInput.OptionalRange(from, to);
        return MapPagedAsync(
            Routes[NeuRouteNames.BillDueDates],
            PageValue,
            page => new NeuBody().Add("Id_service", serviceId).AddDate("From", from).AddDate("To", to).Add("PageNumber", page),
            NeuPagingMode.Envelope,
            paging,
            trace,
            (f, page) =>
                new NeuBillDueDate { BillId = f.Long("id_bill"), ServiceId = f.Long("id_service"), Service = f.String("service"), ExpirationDate = f.Date("date_expiration"), Page = page },
            cancellationToken);
    }

    public IAsyncEnumerable<NeuBillOverdue> GetBillsOverdueAsync(IRequestTrace? trace, CancellationToken cancellationToken) =>
        MapAsync(Routes[NeuRouteNames.BillsOverdue], null, null, NeuPagingMode.Single, null, trace, (f, _) =>
            new NeuBillOverdue { BillId = f.String("id_bill"), DueDate = f.Date("due_date"), Days = f.Double("days") }, cancellationToken);

    /// <summary>
    /// Every page of notifications (20 per page). The document puts the page number in the URL and also lists
    /// PageNumber among the body's fields, so both carry it, with the same value, beside the dates.
    /// </summary>
    public IAsyncEnumerable<NeuNotification> GetNotificationsAsync(DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        NeuInput.OptionalRange(from, to);
        return MapPagedAsync(
            Routes[NeuRouteNames.Notifications],
            PageValue,
            page => new NeuBody().AddDate("From", from).AddDate("To", to).Add("PageNumber", page),
            NeuPagingMode.Envelope,
            paging,
            trace,
            (f, page) =>
                new NeuNotification { Date = f.Date("date"), Title = f.String("title"), Text = f.String("text"), Read = f.Bool("read"), Page = page },
            cancellationToken);
    }

    public IAsyncEnumerable<NeuNotificationInteraction> GetNotificationInteractionsAsync(DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        NeuInput.OptionalRange(from, to);
        return MapPagedAsync(
            Routes[NeuRouteNames.NotificationInteractions],
            PageValue,
            page => new NeuBody().AddDate("From", from).AddDate("To", to).Add("PageNumber", page),
            NeuPagingMode.Envelope,
            paging,
            trace,
            (f, page) =>
                new NeuNotificationInteraction
                {
                    // The document lists name (the user's) among the fields but leaves it out of its example: a
                    // server may write it once beside the list, which then names every row without one of its own.
                    Name = f.String("name") ?? f.Envelope?.String("name"),
                    InteractionDate = f.Date("interaction_date"),
                    Date = f.Date("date"),
                    Title = f.String("title"),
                    Text = f.String("text"),
                    Read = f.Bool("read"),
                    Page = page,
                },
            cancellationToken);
    }

    public IAsyncEnumerable<NeuRule> GetRulesAsync(long? projectId, DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(projectId, "ProjectId");
        NeuInput.OptionalRange(from, to);
        return MapPagedAsync(
            Routes[NeuRouteNames.Rules],
            PageValue,
            page => new NeuBody().Add("Id_project", projectId).AddDate("From", from).AddDate("To", to).Add("PageNumber", page),
            // PageNumber is documented but the answer shows no paging fields: pages run until an empty one.
            NeuPagingMode.UntilEmpty,
            paging,
            trace,
            (f, _) =>
                new NeuRule
                {
                    RuleId = f.Long("id_alarm"),
                    Project = f.String("project"),
                    CreationDate = f.Date("creation_date"),
                    PropertyName = f.String("property_name"),
                    RuleInterval = f.String("rule_interval"),
                    RuleName = f.String("rule_name"),
                    LimitValue = f.Double("limit_value"),
                    Monday = f.Bool("monday"),
                    Tuesday = f.Bool("tuesday"),
                    Wednesday = f.Bool("wednesday"),
                    Thursday = f.Bool("thursday"),
                    Friday = f.Bool("friday"),
                    Saturday = f.Bool("saturday"),
                    Sunday = f.Bool("sunday"),
                    Active = f.Bool("active"),
                },
            cancellationToken);
    }

    /// <summary>
    /// One row per rule firing: the rule's fields with the date and value of each entry of its data list (see
    /// <see cref="MapRuleFirings"/>). -Skip and -First count these rows, not rules.
    /// </summary>
    public IAsyncEnumerable<NeuRuleFiring> GetRuleHistoryAsync(long? projectId, DateTime? from, DateTime? to, NeuPaging? paging, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(projectId, "ProjectId");
        NeuInput.OptionalRange(from, to);
        return ExpandPagedAsync(
            Routes[NeuRouteNames.RuleHistory],
            PageValue,
            page => new NeuBody().Add("Id_project", projectId).AddDate("From", from).AddDate("To", to).Add("PageNumber", page),
            // PageNumber is documented but the answer shows no paging fields: pages run until an empty one.
            NeuPagingMode.UntilEmpty,
            paging,
            trace,
            (fields, _) => MapRuleFirings(fields),
            cancellationToken);
    }

    /// <summary>Neuget transactions of one account, or of every account when <paramref name="accountId"/> is null.</summary>
    public IAsyncEnumerable<NeuNeuget> GetNeugetsAsync(long? accountId, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(accountId, "AccountId");
        return PerAccountAsync(
            accountId,
            NeuRouteNames.Neugets,
            (f, account) => new NeuNeuget { AccountId = f.Long("id_account") ?? account, Date = f.Date("date"), Value = f.Double("value") },
            neuget => neuget.AccountId,
            trace,
            cancellationToken);
    }

    public IAsyncEnumerable<NeuNeugetPayment> GetNeugetPaymentsAsync(long? accountId, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        OptionalId(accountId, "AccountId");
        return PerAccountAsync(
            accountId,
            NeuRouteNames.NeugetPayments,
            (f, account) => new NeuNeugetPayment { AccountId = f.Long("id_account") ?? account, BillId = f.Long("id_bill"), Date = f.Date("date"), Value = f.Double("value") },
            payment => payment.AccountId,
            trace,
            cancellationToken);
    }

    /// <summary>Hourly frontier (DDV) consumption by SIC code, streamed.</summary>
    public IAsyncEnumerable<NeuFrontierConsumption> GetFrontierConsumptionAsync(IEnumerable<string?>? sicCodes, DateTime? from, DateTime? to, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var codes = NeuInput.SicCodes(sicCodes);
        NeuInput.RequiredRange(from, to);
        var body = new NeuBody().Add("Sic_codes", codes).Add("From", NeuDates.FormatFrontier(from!.Value)).Add("To", NeuDates.FormatFrontier(to!.Value));
        return StreamAsync(Routes[NeuRouteNames.FrontierConsumption], null, body, (reader, token) => NeuConsumptionReader.ReadFrontierAsync(reader, trace, token), null, trace, cancellationToken);
    }

    /// <summary>
    /// The page for a <c>{page}</c> placeholder. Every paged route may have one (see NeuRouteTable), beside the body's
    /// Page or PageNumber field; a route without it ignores the value.
    /// </summary>
    private static Dictionary<string, string> PageValue(int page) => new Dictionary<string, string> { ["page"] = page.ToString(CultureInfo.InvariantCulture) };

    private static Func<int, NeuBody?> BillsPage(long? serviceId, DateTime? from, DateTime? to) =>
        page => new NeuBody().Add("Id_service", serviceId).AddDate("From", from).AddDate("To", to).Add("Page", page);

    private static Dictionary<string, string> IdValue(long id) => new Dictionary<string, string> { ["id"] = id.ToString(CultureInfo.InvariantCulture) };

    /// <summary>
    /// One request of a route that takes an id: in its URL where the route has <c>{id}</c>; otherwise as the field
    /// <c>id</c>, the document's name for it, which goes where every body field goes (the JSON body, or the query of a
    /// GET, see SendAsync). Only the rows of that id are written (see <see cref="OnlyTheIdAskedAsync"/>).
    /// </summary>
    /// <param name="idOf">The id a row carries (its account's for an account or a neuget, its own for a service), or null.</param>
    /// <param name="idName">What the id names in messages: "account", "service".</param>
    private IAsyncEnumerable<T> MapByIdAsync<T>(NeuRoute route, long id, IRequestTrace? trace, Func<NeuFields, int, T> map, Func<T, long?> idOf, string idName, CancellationToken cancellationToken)
    {
        var rows = route.HasPlaceholder("id")
            ? MapAsync(route, IdValue(id), null, NeuPagingMode.Single, null, trace, map, cancellationToken)
            : MapAsync(route, null, _ => new NeuBody().Add("id", id), NeuPagingMode.Single, null, trace, map, cancellationToken);
        return OnlyTheIdAskedAsync(rows, route, id, idOf, idName, trace, cancellationToken);
    }

    /// <summary>
    /// The rows of the id asked for. A server that does not read the id where it is sent (the document does not say
    /// where it goes) answers with every account or service: written as they came, Get-NeuAccount -Id 41 gave every
    /// account, Get-NeuService -AccountId 41 the services of other accounts, and Get-NeuNeuget, asking each account in
    /// turn, every account's neugets once per account. So a row that names another id is left out, and a warning names
    /// the ids left out, once per command and route (the later answers at Verbose, as a bulk run meets the same server
    /// every time). A row without an id cannot be told to be another's, and is kept.
    /// </summary>
    private static async IAsyncEnumerable<T> OnlyTheIdAskedAsync<T>(
        IAsyncEnumerable<T> rows,
        NeuRoute route,
        long id,
        Func<T, long?> idOf,
        string idName,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SortedSet<long>? otherIds = null;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (idOf(row) is { } rowId && rowId != id)
            {
                (otherIds ??= []).Add(rowId);
                continue;
            }

            yield return row;
        }

        if (otherIds is not null)
        {
            // A server that answers every id lists all of them; the first few are enough to recognise it.
            const int IdsNamed = 10;
            var named = string.Join(", ", otherIds.Take(IdsNamed).Select(other => other.ToString(CultureInfo.InvariantCulture))) + (otherIds.Count > IdsNamed ? ", ..." : string.Empty);
            var asked = id.ToString(CultureInfo.InvariantCulture);
            trace.WarnOnce(
                "rows of other ids " + route.Name,
                $"NEU answered {route.Name} ({route}) for {idName} {asked} with rows of other {idName}s too ({named}); only the rows of {idName} {asked} are written. The server may not read the id where this route sends it: see Get-NeuRoute and the NeuRoute parameter of Connect-EnergyData.");
        }
    }

    private static void OptionalId(long? value, string parameterName)
    {
        if (value is { } id)
        {
            NeuInput.Id(id, parameterName);
        }
    }

    private static NeuService MapService(NeuFields f, long? accountId, string? accountName)
    {
        return new NeuService
        {
            ServiceId = f.Long("id_service"),
            AccountId = f.Long("id_account") ?? accountId,
            AccountName = f.String("account_name") ?? accountName,
            ServiceType = f.String("type_service"),
            Name = f.String("name"),
            Address = f.String("address"),
        };
    }

    private static NeuAccountEntry MapAccount(NeuFields f)
    {
        var account = new NeuAccount
        {
            AccountId = f.Long("id_account") ?? f.Long("id"),
            AccountCategory = f.String("account_category"),
            AccountName = f.String("account_name"),
        };
        var services = new List<NeuService>();
        if (f.Get("services") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var service in list.EnumerateArray())
            {
                services.Add(MapService(f.Nested(service, "services"), account.AccountId, account.AccountName));
            }
        }

        account.ServiceCount = services.Count;
        account.ServiceIds = string.Join(";", services.Where(service => service.ServiceId is not null).Select(service => service.ServiceId!.Value.ToString(CultureInfo.InvariantCulture)));
        return new NeuAccountEntry(account, services);
    }

    /// <param name="trace">Where a bill with several platform payments is reported (see <see cref="FirstPlatformPayment"/>); null reports nothing.</param>
    private static NeuBillEntry MapBill(NeuFields f, int page, IRequestTrace? trace)
    {
        var bill = new NeuBill
        {
            BillId = f.Long("id_bill"),
            ServiceId = f.Long("id_service"),
            AccountId = f.Long("id_account"),
            Account = f.String("account"),
            Service = f.String("service"),
            Niu = f.String("niu"),
            Contract = f.String("contract"),
            Date = f.Date("date"),
            ExpirationDate = f.Date("date_expiration"),
            PaymentDate = f.Date("date_payment"),
            Consumption = f.Double("consumption"),
            PaymentValue = f.Decimal("payment_value"),
            Description = f.String("description"),
            State = f.String("state"),
            Page = page,
        };

        if (FirstPlatformPayment(f.Get("platform_payments"), bill.BillId, trace) is { } paid)
        {
            var p = f.Nested(paid, "platform_payments");
            bill.PlatformPaymentDate = p.Date("date");
            bill.PlatformPaymentMethod = p.String("method");
            bill.PlatformPaymentValue = p.Decimal("payment_Value");
        }

        var concepts = new List<NeuBillConcept>();
        if (f.Get("concepts") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var concept in list.EnumerateArray())
            {
                var c = f.Nested(concept, "concepts");
                concepts.Add(new NeuBillConcept
                {
                    BillId = bill.BillId,
                    ServiceId = bill.ServiceId,
                    Concept = c.String("concept"),
                    Quantity = c.Double("quantity"),
                    UnitValue = c.Decimal("unit_value"),
                    Total = c.Decimal("total"),
                    AsicCode = c.String("asic_code"),
                });
            }
        }

        bill.ConceptCount = concepts.Count;
        return new NeuBillEntry(bill, concepts);
    }

    /// <summary>
    /// The payment a bill row shows: platform_payments is one object in the document. A server may send a list (a
    /// bill paid in parts); the row stays flat, one bill a row as Export-Csv wants it, with the first payment, and a
    /// warning names the field and the count, once per command (the later ones at Verbose), so the payments left out
    /// are not lost without a word. The first, not the last: a list's order is the server's, and nothing in the document
    /// says which payment matters more. Entries that are not objects are no payments.
    /// </summary>
    private static JsonElement? FirstPlatformPayment(JsonElement? platformPayments, long? billId, IRequestTrace? trace)
    {
        if (platformPayments is not { ValueKind: JsonValueKind.Array } list)
        {
            return platformPayments is { ValueKind: JsonValueKind.Object } ? platformPayments : null;
        }

        var payments = list.EnumerateArray().Where(entry => entry.ValueKind == JsonValueKind.Object).ToList();
        if (payments.Count > 1)
        {
            var bill = billId is { } id ? "Bill " + id.ToString(CultureInfo.InvariantCulture) : "A bill without an id_bill";
            trace.WarnOnce(
                "platform_payments list",
                $"{bill} has {payments.Count.ToString(CultureInfo.InvariantCulture)} payments in platform_payments (the document shows one object); PlatformPaymentDate, PlatformPaymentMethod and PlatformPaymentValue show the first, and the others are not written (Invoke-NeuRequest shows them all).");
        }

        return payments.Count > 0 ? payments[0] : null;
    }

    /// <summary>
    /// The rows of one rule of the history: one per entry of its data list, each with the rule's fields. A rule whose
    /// data is empty, null or missing is one row with Date and Value empty: NEU listed it, so it shows (a rule with
    /// no firing in the range is still a rule of the answer), rather than vanishing from the output and from what
    /// -First and -Skip count. A data object instead of a list is taken as the rule's one firing.
    /// </summary>
    private static List<NeuRuleFiring> MapRuleFirings(NeuFields rule)
    {
        var firings = new List<NeuRuleFiring>();
        switch (rule.Get("data"))
        {
            case { ValueKind: JsonValueKind.Array } entries:
                foreach (var entry in entries.EnumerateArray())
                {
                    firings.Add(MapRuleFiring(rule, entry));
                }

                break;
            case { ValueKind: JsonValueKind.Object } entry:
                firings.Add(MapRuleFiring(rule, entry));
                break;
        }

        if (firings.Count == 0)
        {
            firings.Add(MapRuleFiring(rule, null));
        }

        return firings;
    }

    private static NeuRuleFiring MapRuleFiring(NeuFields rule, JsonElement? entry)
    {
        var firing = new NeuRuleFiring
        {
            RuleId = rule.Long("id_alarm"),
            Project = rule.String("project"),
            PropertyName = rule.String("property_name"),
            RuleInterval = rule.String("rule_interval"),
            RuleName = rule.String("rule_name"),
            LimitValue = rule.Double("limit_value"),
        };
        if (entry is { } value)
        {
            var e = rule.Nested(value, "data");
            firing.Date = e.Date("date");
            firing.Value = e.Double("value");
        }

        return firing;
    }

    private async IAsyncEnumerable<NeuAccountEntry> GetAccountsCoreAsync(long? accountId, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entries = accountId is { } id
            ? MapByIdAsync(Routes[NeuRouteNames.Account], id, trace, (fields, _) => MapAccount(fields), entry => entry.Account.AccountId, "account", cancellationToken)
            : MapAsync(Routes[NeuRouteNames.Accounts], null, null, NeuPagingMode.Single, null, trace, (fields, _) => MapAccount(fields), cancellationToken);
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <param name="accountOf">The account a row names (a row without id_account is the account asked for).</param>
    private async IAsyncEnumerable<T> PerAccountAsync<T>(long? accountId, string routeName, Func<NeuFields, long, T> map, Func<T, long?> accountOf, IRequestTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (accountId is { } id)
        {
            // One account asked for: its failure is the input's failure, as for any other cmdlet.
            await foreach (var item in MapByIdAsync(Routes[routeName], id, trace, (fields, _) => map(fields, id), accountOf, "account", cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        // The endpoint takes one account id: without one, every account of the token is asked in turn.
        var accounts = new List<long>();
        await foreach (var entry in GetAccountsCoreAsync(null, trace, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Account.AccountId is { } listedId)
            {
                accounts.Add(listedId);
            }
            else
            {
                ReportAccountWithoutId(routeName, entry.Account, trace);
            }
        }

        trace?.Verbose($"NEU {routeName}: no account given, asking for each of the {accounts.Count} accounts.");

        foreach (var account in accounts)
        {
            // Enumerated by hand because C# allows no yield inside a try with a catch: each account's failure is
            // caught around the step that reads it, and its rows already written stay written.
            var items = MapByIdAsync(Routes[routeName], account, trace, (fields, _) => map(fields, account), accountOf, "account", cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var disposeItems = items.ConfigureAwait(false);
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception exception) when (trace is Pipeline.IOperationContext context && IsAccountFailure(exception, cancellationToken))
                {
                    ReportAccountFailure(routeName, account, exception, context);
                    break;
                }

                yield return items.Current;
            }
        }
    }

    /// <summary>
    /// Whether a failure concerns only the account being asked (an HTTP error such as 404, a 5xx or a dropped
    /// connection after the retries, an unreadable answer), so the other accounts are still asked. Cancellation and a
    /// refused token (401, already past the refresh) concern every account: they stop the whole operation.
    /// </summary>
    private static bool IsAccountFailure(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is NeuException or NeuProtocolException or JsonStreamLimitException or System.Text.Json.JsonException
            or System.Net.Http.HttpRequestException or System.IO.IOException or TimeoutException
            or ServiceUnavailableException or RedirectRefusedException;

    /// <summary>
    /// One account's failure, as a non-terminating error whose target is that account's id (the input itself, "every
    /// account", names none). Only a pipeline context can carry such an error; without one the failure is thrown, as
    /// it was before every account was asked in turn.
    /// </summary>
    private static void ReportAccountFailure(string routeName, long account, Exception exception, Pipeline.IOperationContext context)
    {
        var mapped = Errors.ErrorMapper.FromException(exception, account);
        context.Verbose($"NEU {routeName}: account {account.ToString(CultureInfo.InvariantCulture)} failed ({mapped.ErrorId}); the other accounts are still asked.");
        context.WriteError(new Pipeline.OperationError(mapped.Exception, mapped.ErrorId, mapped.Kind, account)
        {
            Message = $"Account {account.ToString(CultureInfo.InvariantCulture)}: {exception.Message}",
            RecommendedAction = mapped.RecommendedAction,
            IsTerminating = mapped.IsTerminating,
        });
    }

    /// <summary>
    /// An account listed without a usable id cannot be asked for: it is skipped with a non-terminating error (the
    /// others are still asked), rather than asked for as account 0.
    /// </summary>
    private static void ReportAccountWithoutId(string routeName, NeuAccount account, IRequestTrace? trace)
    {
        var message = $"NEU listed an account without a usable id_account ('{account.AccountName}'), so its {routeName} cannot be asked for; it was skipped.";
        if (trace is Pipeline.IOperationContext context)
        {
            context.WriteError(Errors.ErrorMapper.FromException(new NeuProtocolException(message), context.Target));
        }
        else
        {
            trace?.Verbose(message);
        }
    }

    private IAsyncEnumerable<T> MapAsync<T>(
        NeuRoute route,
        IReadOnlyDictionary<string, string>? pathValues,
        Func<int, NeuBody?>? bodyForPage,
        NeuPagingMode mode,
        NeuPaging? paging,
        IRequestTrace? trace,
        Func<NeuFields, int, T> map,
        CancellationToken cancellationToken) =>
        MapPagedAsync(route, pathValues is null ? null : _ => pathValues, bodyForPage, mode, paging, trace, map, cancellationToken);

    private IAsyncEnumerable<T> MapPagedAsync<T>(
        NeuRoute route,
        Func<int, IReadOnlyDictionary<string, string>?>? pathValuesForPage,
        Func<int, NeuBody?>? bodyForPage,
        NeuPagingMode mode,
        NeuPaging? paging,
        IRequestTrace? trace,
        Func<NeuFields, int, T> map,
        CancellationToken cancellationToken) =>
        ExpandPagedAsync<T>(route, pathValuesForPage, bodyForPage, mode, paging, trace, (fields, page) => [map(fields, page)], cancellationToken);

    /// <summary>
    /// The rows <paramref name="rowsOf"/> makes of each item of every page. -Skip and -First count these rows, the
    /// ones written, so an item that gives several rows (a bill's concepts, a rule's firings) or none is counted as
    /// such; the pages stop as soon as -First is met. An item that is not an object gives no row.
    /// </summary>
    /// <remarks>
    /// Every typed NEU reader but consumption's maps its rows here, so this is where an item that is no row is
    /// refused: one in which <paramref name="rowsOf"/> found none of the fields it asked for (<see cref="NeuFieldNotes"/>),
    /// such as <c>{"detail": "Token invalido"}</c> sent with a 200. It is an InvalidResponse error after the rows
    /// before it, not a row with every field empty (which looks like data in an export), and no further page is asked
    /// for. A sparse row, with at least one of its fields, is a row. <paramref name="rowsOf"/> maps an item when it is
    /// called (the rows are a list), so what it found is known before any of the item's rows is written.
    /// </remarks>
    private async IAsyncEnumerable<T> ExpandPagedAsync<T>(
        NeuRoute route,
        Func<int, IReadOnlyDictionary<string, string>?>? pathValuesForPage,
        Func<int, NeuBody?>? bodyForPage,
        NeuPagingMode mode,
        NeuPaging? paging,
        IRequestTrace? trace,
        Func<NeuFields, int, IEnumerable<T>> rowsOf,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new NeuRowWindow(paging?.Skip ?? 0, paging?.First ?? long.MaxValue);
        var notes = new NeuFieldNotes();
        var items = ReadPagesAsync(route, page => (pathValuesForPage?.Invoke(page), bodyForPage?.Invoke(page)), mode, paging, rows, trace, cancellationToken);
        await foreach (var item in items.ConfigureAwait(false))
        {
            if (item.Item.ValueKind != JsonValueKind.Object)
            {
                trace?.Debug($"NEU {route.Name}: an item that is not an object ({item.Item.ValueKind}) was skipped.");
                continue;
            }

            // When -First is met mid-item the rest of its rows are dropped, and the next item asked for ends the
            // pages (ReadPagesAsync sees the window full), so the page is still reported and its total kept.
            notes.Reset();
            var itemRows = rowsOf(new NeuFields(item.Item, notes, item.Envelope), item.Page);
            if (!notes.Any)
            {
                throw NotARow(route, mode == NeuPagingMode.Single ? null : PageLabel(item.Page, null), item.Item);
            }

            foreach (var (field, problem) in notes.Unreadable)
            {
                trace.WarnOnce(
                    "unreadable NEU field " + route.Name + " " + field,
                    $"NEU {route.Name}: field {field} {problem} (Invoke-NeuRequest shows the answer as sent).");
            }

            foreach (var row in itemRows)
            {
                if (rows.IsFull)
                {
                    break;
                }

                if (rows.Take())
                {
                    yield return row;
                }
            }
        }
    }
}
