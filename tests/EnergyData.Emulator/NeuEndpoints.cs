using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EnergyData.Emulator;

/// <summary>
/// The NEU API under neu/, at the client's default routes, with the document's shapes: 401 for a wrong or expired
/// token, 400 for a bad date or interval, paging as documented, and a large-response mode for consumption that
/// writes rows as it generates them. Two extra routes under neu/v2/ serve the same data at other paths, so tests can
/// prove a route override is followed.
/// </summary>
public static partial class NeuEndpoints
{
    private const string Iso = "yyyy-MM-dd'T'HH:mm:ss";

    /// <summary>The user's name and surname, the name field of every notification interaction.</summary>
    private const string InteractionUserName = "Ana Gómez";

    public static void Map(IEndpointRouteBuilder routes, EmulatorState state)
    {
        routes.MapGet("/neu/accounts/", context => Guarded(context, state, () => Accounts(context, AskedId(state, QueryId(context)))));
        routes.MapGet("/neu/v2/accounts", context => Guarded(context, state, () => Accounts(context, null)));
        routes.MapGet("/neu/accounts/{id}/", context => Guarded(context, state, () => Accounts(context, AskedId(state, Id(context)))));
        routes.MapGet("/neu/services/", context => Guarded(context, state, () => Services(context, AskedId(state, QueryId(context)))));
        routes.MapGet("/neu/services/{id}/", context => Guarded(context, state, () => AskedId(state, Id(context)) is { } id ? Service(context, id) : Services(context, null)));
        routes.MapPost("/neu/pqrs/", context => Guarded(context, state, () => Pqrs(context, state)));
        routes.MapPost("/neu/data/consumption/", context => Guarded(context, state, () => Consumption(context, state)));
        routes.MapPost("/neu/v2/data/consumption", context => Guarded(context, state, () => Consumption(context, state)));
        routes.MapPost("/neu/bills/", context => Guarded(context, state, () => Bills(context, state)));
        routes.MapPost("/neu/bills/due-date/", context => Guarded(context, state, () => DueDates(context, state)));
        routes.MapGet("/neu/bills/overdue/", context => Guarded(context, state, () => Overdue(context)));
        routes.MapPost("/neu/notifications/interactions/", context => Guarded(context, state, () => Interactions(context, state)));
        routes.MapPost("/neu/notifications/{page:int}/", context => Guarded(context, state, () => Notifications(context, state)));
        routes.MapPost("/neu/rules/", context => Guarded(context, state, () => Rules(context, state)));
        routes.MapPost("/neu/rules/history/", context => Guarded(context, state, () => RuleHistory(context, state)));
        routes.MapGet("/neu/neugets/bills/{id}/", context => Guarded(context, state, () => NeugetPayments(context, AskedId(state, Id(context)))));
        routes.MapGet("/neu/neugets/{id}/", context => Guarded(context, state, () => Neugets(context, AskedId(state, Id(context)))));
        routes.MapPost("/neu/ddv/consumption", context => Guarded(context, state, () => Frontier(context, state)));

        // For the Pester suites and the benchmark, which drive the emulator over HTTP (not counted: under _emulator/).
        routes.MapPost("/_emulator/neu/options", (NeuOptionsUpdate update) =>
        {
            if (update.LargeConsumptionRows is { } rows)
            {
                state.Neu.LargeConsumptionRows = rows;
            }

            if (update.BillsIgnorePage is { } ignorePage)
            {
                state.Neu.BillsIgnorePage = ignorePage;
            }

            if (update.PagingTotalOnly is { } totalOnly)
            {
                state.Neu.PagingTotalOnly = totalOnly;
            }

            if (update.PlatformPaymentsAsList is { } paymentsAsList)
            {
                state.Neu.PlatformPaymentsAsList = paymentsAsList;
            }

            if (update.InteractionNameAtTop is { } nameAtTop)
            {
                state.Neu.InteractionNameAtTop = nameAtTop;
            }

            if (update.IdRoutesIgnoreId is { } ignoreId)
            {
                state.Neu.IdRoutesIgnoreId = ignoreId;
            }

            return Results.NoContent();
        });
    }

    private static async Task Guarded(HttpContext context, EmulatorState state, Func<Task> handler)
    {
        state.Neu.LastPath = context.Request.Path + context.Request.QueryString;
        state.Neu.LastBody = null;
        if (!Authorized(context, state))
        {
            await Error(context, 401, "Token inválido o expirado.");
            return;
        }

        try
        {
            await handler();
        }
        catch (BadRequestException bad)
        {
            await Error(context, 400, bad.Message);
        }
    }

    private static bool Authorized(HttpContext context, EmulatorState state)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.Ordinal) || header.Substring(prefix.Length) != state.Options.NeuToken)
        {
            return false;
        }

        // The token is the one issued; it must also not have expired (NEU tokens carry exp).
        var parts = state.Options.NeuToken.Split('.');
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
            return !document.RootElement.TryGetProperty("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) > DateTimeOffset.UtcNow;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or IndexOutOfRangeException)
        {
            return true;
        }
    }

    private static async Task<JsonElement> Body(HttpContext context, EmulatorState state)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        state.Neu.LastBody = text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new BadRequestException("El cuerpo no es JSON válido.");
        }
    }

    /// <summary>The id a request asked for, or null (every one) with <see cref="NeuEmulatorState.IdRoutesIgnoreId"/>.</summary>
    private static long? AskedId(EmulatorState state, long? id) => state.Neu.IdRoutesIgnoreId ? null : id;

    private static long Id(HttpContext context) =>
        long.TryParse(context.Request.RouteValues["id"]?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : throw new BadRequestException("id inválido.");

    private static string? Text(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    // The document does not say whether an account's id goes in the path or the query: the emulator takes both.
    private static long? QueryId(HttpContext context) =>
        context.Request.Query.TryGetValue("id", out var values)
            ? long.TryParse(values.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : throw new BadRequestException("id inválido.")
            : null;

    private static long? Number(JsonElement body, string name) =>
        Text(body, name) is { } text ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new BadRequestException($"{name} debe ser numérico.") : null;

    private static DateTime? Date(JsonElement body, string name, bool required = false)
    {
        var text = Text(body, name);
        if (text is null)
        {
            return required ? throw new BadRequestException($"{name} es requerido.") : null;
        }

        if (DateTime.TryParseExact(text.TrimEnd('Z'), Iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        throw new BadRequestException($"{name} no tiene formato ISO (yyyy-MM-ddTHH:mm:ss): '{text}'.");
    }

    private static (DateTime? From, DateTime? To) Range(JsonElement body, bool required = false)
    {
        var from = Date(body, "From", required);
        var to = Date(body, "To", required);
        if (from > to)
        {
            throw new BadRequestException("From es posterior a To.");
        }

        return (from, to);
    }

    private static bool InRange(DateTime date, (DateTime? From, DateTime? To) range) =>
        (range.From is null || date >= range.From) && (range.To is null || date <= range.To);

    private static Task Accounts(HttpContext context, long? id)
    {
        var accounts = id is { } wanted ? NeuData.Accounts.Where(account => account.Id == wanted).ToList() : NeuData.Accounts.ToList();
        if (id is not null && accounts.Count == 0)
        {
            return Error(context, 404, "Cuenta no encontrada.");
        }

        return Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var account in accounts)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id_account", account.Id);
                writer.WriteString("account_category", account.Category);
                writer.WriteString("account_name", account.Name);
                writer.WriteStartArray("services");
                foreach (var service in account.Services)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id_service", service.Id);
                    writer.WriteString("type_service", service.Type);
                    writer.WriteString("name", service.Name);
                    writer.WriteString("address", service.Address);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static Task Service(HttpContext context, long id)
    {
        if (NeuData.Service(id) is not { } service)
        {
            return Error(context, 404, "Servicio no encontrado.");
        }

        return Json(context, writer => WriteService(writer, service));
    }

    /// <summary>
    /// Every service of the user (all accounts' services: the emulator has one user), each in the shape of one service;
    /// with an id in the query, that service, as services/{id}/ answers it (the document does not say where the id goes).
    /// </summary>
    private static Task Services(HttpContext context, long? id)
    {
        if (id is { } wanted)
        {
            return Service(context, wanted);
        }

        return Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var service in NeuData.AllServices)
            {
                WriteService(writer, service);
            }

            writer.WriteEndArray();
        });
    }

    private static void WriteService(Utf8JsonWriter writer, NeuServiceData service)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id_service", service.Id);
        writer.WriteNumber("id_account", service.AccountId);
        writer.WriteString("account_name", service.AccountName);
        writer.WriteString("type_service", service.Type);
        writer.WriteString("name", service.Name);
        writer.WriteString("address", service.Address);
        writer.WriteEndObject();
    }

    private static async Task Pqrs(HttpContext context, EmulatorState state)
    {
        var range = Range(await Body(context, state));
        var all = new[]
        {
            ("Solicito revisión de la lectura del medidor.", "Facturación", "Petición", new DateTime(2021, 5, 1, 9, 30, 0)),
            ("El servicio presentó cortes reiterados.", "Calidad del servicio", "Queja", new DateTime(2021, 7, 15, 14, 0, 0)),
            ("Cobro duplicado en la factura de septiembre.", "Facturación", "Reclamo", new DateTime(2021, 10, 20, 8, 15, 0)),
        };
        await Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var (message, category, type, date) in all.Where(item => InRange(item.Item4, range)))
            {
                writer.WriteStartObject();
                writer.WriteString("message", message);
                writer.WriteString("category", category);
                writer.WriteString("type", type);
                writer.WriteString("date", date.ToString(Iso, CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task Consumption(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var interval = Text(body, "Interval")?.ToUpperInvariant();
        if (interval is not ("HOURLY" or "DAILY" or "MONTHLY"))
        {
            throw new BadRequestException("Interval debe ser HOURLY, DAILY o MONTHLY.");
        }

        var (from, to) = Range(body, required: true);
        List<NeuServiceData> services;
        if (Number(body, "Id_account") is { } accountId)
        {
            services = NeuData.AllServices.Where(service => service.AccountId == accountId).ToList();
        }
        else if (body.TryGetProperty("Id_services", out var ids) && ids.ValueKind == JsonValueKind.Array)
        {
            var wanted = ids.EnumerateArray().Select(id => id.GetInt64()).ToHashSet();
            services = NeuData.AllServices.Where(service => wanted.Contains(service.Id)).ToList();
        }
        else
        {
            // Both ids are optional in the document: without either, every service of the token's user.
            services = NeuData.AllServices.ToList();
        }

        var large = state.Neu.LargeConsumptionRows;
        var groups = services.GroupBy(service => service.AccountId).ToList();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartArray();
        long written = 0;
        foreach (var group in groups)
        {
            writer.WriteStartObject();
            if (!state.Neu.SortedGroupKeys)
            {
                writer.WriteNumber("id_account", group.Key);
            }

            writer.WriteString("account_name", group.First().AccountName);
            writer.WriteStartArray("data");
            if (large > 0)
            {
                // Large mode: rows are generated while they are written, so the emulator holds none of them.
                var service = group.First();
                var template = new NeuReadingWriter.Template(service);
                for (long i = 0; i < large; i++)
                {
                    writer.WriteRawValue(template.Render(from!.Value.AddHours(i), i), skipInputValidation: true);
                    written = await AfterRowAsync(writer, context, state, written);
                }

                large = 0;
            }
            else
            {
                foreach (var service in group)
                {
                    long index = 0;
                    for (var date = from!.Value; date < to!.Value && index < 100_000; date = Step(date, interval), index++)
                    {
                        NeuReadingWriter.Write(writer, service, date, index);
                        written = await AfterRowAsync(writer, context, state, written);
                    }
                }
            }

            writer.WriteEndArray();
            if (state.Neu.SortedGroupKeys)
            {
                writer.WriteNumber("id_account", group.Key);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async ValueTask<long> AfterRowAsync(Utf8JsonWriter writer, HttpContext context, EmulatorState state, long written)
    {
        written++;
        state.Neu.CountRows(1);
        if (state.Neu.ConsumptionGate is { } gate && written == state.Neu.GateAfterRows)
        {
            // Everything so far reaches the client, then the body pauses until the test has seen a row.
            await writer.FlushAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await gate.Task.WaitAsync(context.RequestAborted);
        }
        else if (written % 1000 == 0)
        {
            await writer.FlushAsync(context.RequestAborted);
        }

        return written;
    }

    private static DateTime Step(DateTime date, string interval) => interval switch
    {
        "HOURLY" => date.AddHours(1),
        "DAILY" => date.AddDays(1),
        _ => date.AddMonths(1),
    };

    private static async Task Bills(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var range = Range(body);
        var serviceId = Number(body, "Id_service");
        var page = state.Neu.BillsIgnorePage ? 1 : (int)(Number(body, "Page") ?? 1);
        var bills = NeuData.Bills.Where(bill => (serviceId is null || bill.ServiceId == serviceId) && InRange(bill.Date, range)).ToList();
        var pageItems = bills.Skip((page - 1) * NeuData.BillPageSize).Take(NeuData.BillPageSize).ToList();

        // The document shows no paging fields for bills: a bare array per page, empty past the last.
        await Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var bill in pageItems)
            {
                var service = NeuData.Service(bill.ServiceId)!;
                writer.WriteStartObject();
                writer.WriteNumber("id_service", bill.ServiceId);
                writer.WriteNumber("id_account", bill.AccountId);
                writer.WriteString("account", service.AccountName);
                writer.WriteString("service", service.Name);
                writer.WriteString("date", bill.Date.ToString(Iso, CultureInfo.InvariantCulture));
                writer.WriteString("date_expiration", bill.Date.AddDays(15).ToString(Iso, CultureInfo.InvariantCulture));
                if (bill.Id % 2 == 0)
                {
                    writer.WriteString("date_payment", bill.Date.AddDays(10).ToString(Iso, CultureInfo.InvariantCulture));
                    if (state.Neu.PlatformPaymentsAsList)
                    {
                        // Paid in two parts: 60 % by PSE on the payment date, the rest by Nequi a day later.
                        var first = decimal.Round(bill.Value * 0.6m, 2);
                        writer.WriteStartArray("platform_payments");
                        WritePlatformPayment(writer, bill.Date.AddDays(10), "PSE", first);
                        WritePlatformPayment(writer, bill.Date.AddDays(11), "Nequi", bill.Value - first);
                        writer.WriteEndArray();
                    }
                    else
                    {
                        WritePlatformPayment(writer, bill.Date.AddDays(10), "PSE", bill.Value, "platform_payments");
                    }
                }
                else
                {
                    writer.WriteNull("date_payment");
                    writer.WriteNull("platform_payments");
                }

                writer.WriteStartArray("concepts");
                WriteConcept(writer, "Energía activa", bill.Consumption, 800m, "ASIC-EA");
                WriteConcept(writer, "Alumbrado público", 1, bill.Value - ((decimal)bill.Consumption * 800m), "ASIC-AP");
                writer.WriteEndArray();
                writer.WriteNumber("id_bill", bill.Id);
                writer.WriteString("niu", "NIU" + bill.ServiceId.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("contract", "C-" + bill.AccountId.ToString(CultureInfo.InvariantCulture));
                writer.WriteNumber("consumption", bill.Consumption);
                writer.WriteNumber("payment_value", bill.Value);
                writer.WriteString("description", "Factura de energía");
                writer.WriteString("state", bill.Id % 2 == 0 ? "Pagada" : "Pendiente");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static void WritePlatformPayment(Utf8JsonWriter writer, DateTime date, string method, decimal value, string? propertyName = null)
    {
        if (propertyName is null)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartObject(propertyName);
        }

        writer.WriteString("date", date.ToString(Iso, CultureInfo.InvariantCulture));
        writer.WriteString("method", method);
        writer.WriteNumber("payment_Value", value);
        writer.WriteEndObject();
    }

    private static void WriteConcept(Utf8JsonWriter writer, string concept, double quantity, decimal unitValue, string asic)
    {
        writer.WriteStartObject();
        writer.WriteString("concept", concept);
        writer.WriteNumber("quantity", quantity);
        writer.WriteNumber("unit_value", unitValue);
        writer.WriteNumber("total", (decimal)quantity * unitValue);
        writer.WriteString("asic_code", asic);
        writer.WriteEndObject();
    }

    private static async Task DueDates(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var range = Range(body);
        var serviceId = Number(body, "Id_service");
        var page = (int)(Number(body, "PageNumber") ?? 1);
        var bills = NeuData.Bills.Take(25).Where(bill => (serviceId is null || bill.ServiceId == serviceId) && InRange(bill.Date, range)).ToList();
        var maxPage = Math.Max(1, (bills.Count + NeuData.DueDatePageSize - 1) / NeuData.DueDatePageSize);

        // The document's shape read literally: each item carries nextPage, maxPage and total beside its own fields.
        await Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var bill in bills.Skip((page - 1) * NeuData.DueDatePageSize).Take(NeuData.DueDatePageSize))
            {
                writer.WriteStartObject();
                WritePaging(writer, state, page, maxPage, bills.Count);
                writer.WriteString("service", NeuData.Service(bill.ServiceId)!.Name);
                writer.WriteNumber("id_bill", bill.Id);
                writer.WriteNumber("id_service", bill.ServiceId);
                writer.WriteString("date_expiration", bill.Date.AddDays(15).ToString(Iso, CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static Task Overdue(HttpContext context) =>
        Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var bill in NeuData.Bills.Where(bill => bill.Id % 2 == 1).Take(3))
            {
                writer.WriteStartObject();
                writer.WriteString("id_bill", bill.Id.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("due_date", bill.Date.AddDays(15).ToString(Iso, CultureInfo.InvariantCulture));
                writer.WriteNumber("days", (int)(bill.Id % 40) + 5);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

    private static async Task Notifications(HttpContext context, EmulatorState state)
    {
        var page = int.Parse(context.Request.RouteValues["page"]!.ToString()!, CultureInfo.InvariantCulture);
        var range = Range(await Body(context, state));
        var items = NeuData.Notifications.Where(item => InRange(item.Date, range)).ToList();
        await Paged(context, state, page, items, NeuData.NotificationPageSize, (writer, item) =>
        {
            writer.WriteString("date", item.Date.ToString(Iso, CultureInfo.InvariantCulture));
            writer.WriteString("title", item.Title);
            writer.WriteString("text", item.Text);
            writer.WriteBoolean("read", item.Read);
        });
    }

    private static async Task Interactions(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var page = (int)(Number(body, "PageNumber") ?? 1);
        var range = Range(body);
        var items = NeuData.Notifications.Where(item => item.Read && InRange(item.Date, range)).Take(7).ToList();
        var nameAtTop = state.Neu.InteractionNameAtTop;
        await Paged(context, state, page, items, NeuData.NotificationPageSize, (writer, item) =>
        {
            if (!nameAtTop)
            {
                writer.WriteString("name", InteractionUserName);
            }

            writer.WriteString("interaction_date", item.Date.AddHours(3).ToString(Iso, CultureInfo.InvariantCulture));
            writer.WriteString("date", item.Date.ToString(Iso, CultureInfo.InvariantCulture));
            writer.WriteString("title", item.Title);
            writer.WriteString("text", item.Text);
            writer.WriteBoolean("read", true);
        },
        topLevel: nameAtTop ? writer => writer.WriteString("name", InteractionUserName) : null);
    }

    /// <param name="topLevel">Fields written once beside the paging fields and the data list (null: none).</param>
    private static Task Paged<T>(HttpContext context, EmulatorState state, int page, List<T> items, int pageSize, Action<Utf8JsonWriter, T> writeItem, Action<Utf8JsonWriter>? topLevel = null)
    {
        if (page < 1)
        {
            throw new BadRequestException("page debe ser mayor que cero.");
        }

        var maxPage = Math.Max(1, (items.Count + pageSize - 1) / pageSize);
        return Json(context, writer =>
        {
            writer.WriteStartObject();
            WritePaging(writer, state, page, maxPage, items.Count);
            topLevel?.Invoke(writer);
            writer.WriteStartArray("data");
            foreach (var item in items.Skip((page - 1) * pageSize).Take(pageSize))
            {
                writer.WriteStartObject();
                writeItem(writer, item);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The document's paging fields; only <c>total</c> with <see cref="NeuEmulatorState.PagingTotalOnly"/>.</summary>
    private static void WritePaging(Utf8JsonWriter writer, EmulatorState state, int page, int maxPage, int total)
    {
        if (!state.Neu.PagingTotalOnly)
        {
            if (page < maxPage)
            {
                writer.WriteNumber("nextPage", page + 1);
            }
            else
            {
                writer.WriteNull("nextPage");
            }

            writer.WriteNumber("maxPage", maxPage);
        }

        writer.WriteNumber("total", total);
    }

    private static async Task Rules(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var project = Number(body, "Id_project");
        var range = Range(body);
        var rules = new[]
        {
            (Id: 7L, Project: 41L, Name: "Consumo diario alto", Property: "cons", Interval: "DAILY", Limit: 25.5, Created: new DateTime(2021, 3, 10, 10, 0, 0)),
            (Id: 8L, Project: 41L, Name: "Reactiva en exceso", Property: "reactive_ex", Interval: "HOURLY", Limit: 2.0, Created: new DateTime(2021, 6, 1, 0, 0, 0)),
            (Id: 9L, Project: 42L, Name: "Consumo mensual", Property: "cons", Interval: "MONTHLY", Limit: 900.0, Created: new DateTime(2021, 8, 20, 12, 0, 0)),
        };
        await Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var rule in RulePage(body, rules.Where(rule => (project is null || rule.Project == project) && InRange(rule.Created, range))))
            {
                writer.WriteStartObject();
                writer.WriteNumber("id_alarm", rule.Id);
                writer.WriteString("project", NeuData.Account(rule.Project)!.Name);
                writer.WriteString("creation_date", rule.Created.ToString(Iso, CultureInfo.InvariantCulture));
                writer.WriteString("property_name", rule.Property);
                writer.WriteString("rule_interval", rule.Interval);
                writer.WriteString("rule_name", rule.Name);
                writer.WriteNumber("limit_value", rule.Limit);
                foreach (var day in new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" })
                {
                    writer.WriteBoolean(day, day is not ("saturday" or "sunday") || rule.Id == 8);
                }

                writer.WriteBoolean("active", true);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>The rules of the body's PageNumber (1 when absent), <see cref="NeuData.RulePageSize"/> a page; empty past the end.</summary>
    private static IEnumerable<T> RulePage<T>(JsonElement body, IEnumerable<T> rules)
    {
        var page = Number(body, "PageNumber") ?? 1;
        if (page < 1)
        {
            throw new BadRequestException("PageNumber debe ser mayor que 0.");
        }

        return rules.Skip((int)Math.Min(int.MaxValue, (page - 1) * NeuData.RulePageSize)).Take(NeuData.RulePageSize);
    }

    private static async Task RuleHistory(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var project = Number(body, "Id_project");
        var range = Range(body);
        var history = new[]
        {
            (Id: 7L, Project: 41L, Name: "Consumo diario alto", Property: "cons", Interval: "DAILY", Limit: 25.5, Firings: new[] { (new DateTime(2021, 4, 3), 27.1), (new DateTime(2021, 4, 9), 30.4), (new DateTime(2021, 5, 2), 26.0) }),
            (Id: 9L, Project: 42L, Name: "Consumo mensual", Property: "cons", Interval: "MONTHLY", Limit: 900.0, Firings: new[] { (new DateTime(2021, 9, 1), 950.0), (new DateTime(2021, 10, 1), 1010.5) }),
        };
        await Json(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            foreach (var rule in RulePage(body, history.Where(rule => project is null || rule.Project == project)))
            {
                writer.WriteStartObject();
                writer.WriteNumber("Id_alarm", rule.Id);
                writer.WriteString("project", NeuData.Account(rule.Project)!.Name);
                writer.WriteString("property_name", rule.Property);
                writer.WriteString("rule_interval", rule.Interval);
                writer.WriteString("rule_name", rule.Name);
                writer.WriteNumber("limit_value", rule.Limit);
                writer.WriteStartArray("data");
                foreach (var (date, value) in rule.Firings.Where(firing => InRange(firing.Item1, range)))
                {
                    writer.WriteStartObject();
                    writer.WriteString("date", date.ToString(Iso, CultureInfo.InvariantCulture));
                    writer.WriteNumber("value", value);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The neugets of the account asked for, or of every account when <paramref name="accountId"/> is null.</summary>
    private static Task Neugets(HttpContext context, long? accountId)
    {
        if (accountId is { } asked && NeuData.Account(asked) is null)
        {
            return Error(context, 404, "Cuenta no encontrada.");
        }

        return Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var id in accountId is { } one ? [one] : NeuData.Accounts.Select(account => account.Id))
            {
                for (var i = 0; i < 4; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id_account", id);
                    writer.WriteString("date", NeuData.BaseDate.AddMonths(i).ToString(Iso, CultureInfo.InvariantCulture));
                    writer.WriteNumber("value", (id % 10) * 10 + i);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>The neuget payments of the account asked for, or of every account when <paramref name="accountId"/> is null.</summary>
    private static Task NeugetPayments(HttpContext context, long? accountId)
    {
        if (accountId is { } asked && NeuData.Account(asked) is null)
        {
            return Error(context, 404, "Cuenta no encontrada.");
        }

        return Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var id in accountId is { } one ? [one] : NeuData.Accounts.Select(account => account.Id))
            {
                foreach (var bill in NeuData.Bills.Where(bill => bill.AccountId == id).Take(2))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id_account", id);
                    writer.WriteNumber("id_bill", bill.Id);
                    writer.WriteString("date", bill.Date.AddDays(10).ToString(Iso, CultureInfo.InvariantCulture));
                    writer.WriteNumber("value", 50);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        });
    }

    private static async Task Frontier(HttpContext context, EmulatorState state)
    {
        var body = await Body(context, state);
        var (from, to) = Range(body, required: true);
        if (!body.TryGetProperty("Sic_codes", out var codes) || codes.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("Sic_codes es requerido.");
        }

        await Json(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var code in codes.EnumerateArray().Select(code => code.GetString()!))
            {
                writer.WriteStartObject();
                if (!state.Neu.SortedGroupKeys)
                {
                    writer.WriteString("sic_code", code);
                }

                writer.WriteStartArray("data");
                var hour = 0;
                for (var date = from!.Value; date <= to!.Value && hour < 24 * 400; date = date.AddHours(1), hour++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("date", date.ToString("yyyy-MM-dd'T'HH':00:00'", CultureInfo.InvariantCulture));
                    writer.WriteNumber("cons", Math.Round(40 + (date.Hour * 1.5) + (code.Length % 5), 2));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (state.Neu.SortedGroupKeys)
                {
                    writer.WriteString("sic_code", code);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task Json(HttpContext context, Action<Utf8JsonWriter> write, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task Error(HttpContext context, int status, string message) =>
        Json(
            context,
            writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("detail", message);
                writer.WriteEndObject();
            },
            status);

    /// <summary>The NEU switches the Pester suites and the benchmark may change over HTTP.</summary>
    public sealed class NeuOptionsUpdate
    {
        /// <summary>Rows of the large consumption response; 0 turns the large mode off.</summary>
        public long? LargeConsumptionRows { get; set; }

        /// <summary>True makes bills/ answer page 1 whatever Page is asked for (see NeuEmulatorState.BillsIgnorePage).</summary>
        public bool? BillsIgnorePage { get; set; }

        /// <summary>True leaves total as the only paging field of notifications, interactions and due dates (see NeuEmulatorState.PagingTotalOnly).</summary>
        public bool? PagingTotalOnly { get; set; }

        /// <summary>True makes a paid bill's platform_payments a list of two payments (see NeuEmulatorState.PlatformPaymentsAsList).</summary>
        public bool? PlatformPaymentsAsList { get; set; }

        /// <summary>True writes the interactions' name once beside data (see NeuEmulatorState.InteractionNameAtTop).</summary>
        public bool? InteractionNameAtTop { get; set; }

        /// <summary>True makes the id routes answer every account or service (see NeuEmulatorState.IdRoutesIgnoreId).</summary>
        public bool? IdRoutesIgnoreId { get; set; }
    }

    private sealed class BadRequestException : Exception
    {
        public BadRequestException(string message)
            : base(message)
        {
        }
    }
}
