using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EnergyData.Emulator;

/// <summary>
/// The Khipu Open Data services, following the documents in shared/seeds: every service is a POST of
/// <c>{RequestData, CallbackUrl}</c> answered with <c>{OperationId, Status, Data, AdditionalInformation, Error, LifeSpan}</c>.
/// Order of checks: authentication (401 A000), body and fields (400 P00x), then the service (200, with Status ERROR
/// for the data rules in <see cref="KhipuData"/>). With a CallbackUrl the answer is 202 and the 200-shaped body is
/// POSTed to the CallbackUrl later.
/// </summary>
public static class KhipuEndpoints
{
    public const string EnelDebtStatusPath = "v1/cl/services/enel.cl/debt-status-by-client-identifier";
    public const string EnelBillDocumentPath = "v1/cl/services/enel.cl/bill-document-by-client-identifier";
    public const string CenNonconformitiesPath = "v1/cl/services/cenhub.cl/hub/nonconformities-list";
    public const string TgrExpiredAgreementsPath = "v1/cl/services/tgr.cl/expired-agreements-v2";
    public const string TokenPath = "_emulator/oauth/token";
    public const string CallbackSinkPath = "_emulator/khipu/callback-sink";

    private static readonly Regex ClientIdentifierPattern = new(@"^[0-9]+(-[0-9Kk])?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // The documented pattern ^[\w-\.]+@([\w-]+\.)+[\w-]{2,4}$, with the class written so .NET reads '-' literally.
    private static readonly Regex EmailPattern = new(@"^[\w.-]+@([\w-]+\.)+[\w-]{2,4}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex CenDatePattern = new(@"^[0-9]{2}/[0-9]{2}/[0-9]{4}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex RutPattern = new(@"^[0-9]{1,9}[0-9Kk]?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex DigitsPattern = new(@"^[0-9]{1,9}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = false };

    private delegate KhipuResult Service(JsonElement requestData, KhipuCaller caller, EmulatorState state);

    public static void Map(IEndpointRouteBuilder routes, EmulatorState state)
    {
        routes.MapPost("/" + EnelDebtStatusPath, context => HandleAsync(context, state, EnelDebtStatus));
        routes.MapPost("/" + EnelBillDocumentPath, context => HandleAsync(context, state, EnelBillDocument));
        routes.MapPost("/" + CenNonconformitiesPath, context => HandleAsync(context, state, CenNonconformities));
        routes.MapPost("/" + TgrExpiredAgreementsPath, context => HandleAsync(context, state, TgrExpiredAgreements));
        routes.MapPost("/" + TokenPath, context => KhipuAuthentication.IssueTokenAsync(context, state));

        // Any other v1 path does not exist (Khipu's 404), answered in Khipu's error shape.
        routes.MapFallback("/v1/{**path}", context => WriteErrorAsync(
            context,
            state,
            new KhipuRequestException(404, "E000", "DO_NOT_RETRY", $"The path {context.Request.Path} does not exist.")));

        // Test control: a place for CallbackUrl to point at, Khipu switches, token revocation.
        routes.MapPost("/" + CallbackSinkPath, async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            state.AddKhipuCallbackBody(await reader.ReadToEndAsync(context.RequestAborted));
            context.Response.StatusCode = 200;
        });
        routes.MapGet("/_emulator/khipu/callbacks", () => Results.Json(state.KhipuCallbackBodies));
        routes.MapPost("/_emulator/khipu/options", (KhipuEmulatorOptionsUpdate update) =>
        {
            update.ApplyTo(state.KhipuOptions);
            return Results.NoContent();
        });
        routes.MapPost("/_emulator/khipu/revoke-tokens", () =>
        {
            state.RevokeKhipuTokens();
            return Results.NoContent();
        });
    }

    private static async Task HandleAsync(HttpContext context, EmulatorState state, Service service)
    {
        KhipuResult result;
        string? callbackUrl;
        try
        {
            var caller = KhipuAuthentication.Authenticate(context.Request, state);
            using var body = await ReadBodyAsync(context.Request);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("RequestData", out var requestData) || requestData.ValueKind != JsonValueKind.Object)
            {
                throw new KhipuRequestException(400, "P001", "DO_NOT_RETRY", "The body must be a JSON object with a RequestData object.");
            }

            callbackUrl = CallbackUrl(root);
            result = service(requestData, caller, state);
        }
        catch (KhipuRequestException refused)
        {
            await WriteErrorAsync(context, state, refused);
            return;
        }

        var operationId = state.KhipuOptions.FixedOperationId ?? Guid.NewGuid().ToString();
        if (callbackUrl is null || state.KhipuOptions.AnswerCallbackRequestsAtOnce)
        {
            await WriteJsonAsync(context, state, 200, Envelope(state, operationId, result, lifeSpan: null));
            return;
        }

        // Asynchronous mode: accept now, deliver the 200-shaped body (same OperationId) to the CallbackUrl later.
        var lifeSpan = state.KhipuOptions.LifeSpanText ?? DateTimeOffset.UtcNow.AddMinutes(state.KhipuOptions.LifeSpanMinutes).ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);
        var delivering = state.Callbacks.ScheduleAsync(new Uri(callbackUrl), Envelope(state, operationId, result, lifeSpan).ToJsonString(WriteOptions));
        if (state.Callbacks.Options.BeforeAnswer)
        {
            await delivering;
        }

        if (state.KhipuOptions.AcknowledgementBody is { } acknowledgement)
        {
            context.Response.StatusCode = 202;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(acknowledgement);
            return;
        }

        var accepted = new JsonObject
        {
            ["OperationId"] = operationId,
            ["Status"] = "OK",
            ["Data"] = null,
            ["AdditionalInformation"] = "Data will be sent to the callback URL.",
            ["Error"] = null,
            ["LifeSpan"] = lifeSpan,
        };
        await WriteJsonAsync(context, state, 202, accepted);
    }

    private static KhipuResult EnelDebtStatus(JsonElement requestData, KhipuCaller caller, EmulatorState state)
    {
        var clientIdentifier = ClientIdentifier(requestData);
        return KhipuData.EnelError(clientIdentifier) ?? new KhipuResult(KhipuData.DebtStatus(clientIdentifier));
    }

    private static KhipuResult EnelBillDocument(JsonElement requestData, KhipuCaller caller, EmulatorState state)
    {
        var clientIdentifier = ClientIdentifier(requestData);
        var email = RequiredString(requestData, "Email");
        if (!EmailPattern.IsMatch(email))
        {
            throw KhipuRequestException.Invalid("Email", "must match ^[\\w-\\.]+@([\\w-]+\\.)+[\\w-]{2,4}$");
        }

        return KhipuData.EnelError(clientIdentifier) ?? new KhipuResult(KhipuData.BillDocument(clientIdentifier));
    }

    private static KhipuResult CenNonconformities(JsonElement requestData, KhipuCaller caller, EmulatorState state)
    {
        var from = CenDate(requestData, "FechaCreacionDelCasoDesde");
        var to = CenDate(requestData, "FechaCreacionDelCasoHasta");
        var rut = RequiredString(requestData, "RutDeudor");
        if (!RutPattern.IsMatch(rut))
        {
            throw KhipuRequestException.Invalid("RutDeudor", "must be a RUT without dots or hyphen (for example 76999999)");
        }

        var pageSize = Number(requestData, "Filas");
        if (pageSize < 1 || pageSize > state.KhipuOptions.CenMaxPageSize)
        {
            throw KhipuRequestException.Invalid("Filas", $"must be between 1 and {state.KhipuOptions.CenMaxPageSize}");
        }

        var page = state.KhipuOptions.CenIgnorePage ? 0 : Number(requestData, "Paginas");
        AccountCredential(requestData, caller);
        if (from > to)
        {
            // Well-formed but contradictory values: the service runs and reports a caller error (E400-E499).
            return KhipuResult.Error("E401", "DO_NOT_RETRY", "FechaCreacionDelCasoDesde es posterior a FechaCreacionDelCasoHasta.");
        }

        var total = state.KhipuOptions.CenTotal ?? KhipuData.CenTotal(rut);
        var data = KhipuData.Nonconformities(rut, from, to, pageSize, page, total, state.KhipuOptions.CenVaryingFields);
        if (state.KhipuOptions.OmitCenTotal)
        {
            data["NonconformitiesList"]!.AsObject().Remove("TotalDisconformidades");
        }

        return new KhipuResult(data);
    }

    private static KhipuResult TgrExpiredAgreements(JsonElement requestData, KhipuCaller caller, EmulatorState state)
    {
        var credential = AccountCredential(requestData, caller);
        if (credential is { Password: KhipuData.TgrRejectedPassword })
        {
            return KhipuResult.Error("E101", "DO_NOT_RETRY", "Las credenciales de la cuenta no son validas en el sitio de la Tesoreria.");
        }

        // The account is the credential's when given (API-key mode), otherwise the token's subject.
        var account = credential?.Account ?? caller.Subject;
        return new KhipuResult(KhipuData.ExpiredAgreements(account));
    }

    private static string ClientIdentifier(JsonElement requestData)
    {
        var value = RequiredString(requestData, "ClientIdentifier");
        if (value.Length > 20)
        {
            throw KhipuRequestException.Invalid("ClientIdentifier", "must be at most 20 characters");
        }

        if (!ClientIdentifierPattern.IsMatch(value))
        {
            throw KhipuRequestException.Invalid("ClientIdentifier", "must be digits, optionally followed by a hyphen and the check digit (for example 1234567-8)");
        }

        return value;
    }

    private static DateTime CenDate(JsonElement requestData, string field)
    {
        var text = RequiredString(requestData, field);
        if (!CenDatePattern.IsMatch(text) || !DateTime.TryParseExact(text, "MM'/'dd'/'yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw KhipuRequestException.Invalid(field, "must be a date as MM/DD/YYYY");
        }

        return date;
    }

    // The document types Filas and Paginas as strings holding numbers.
    private static int Number(JsonElement requestData, string field)
    {
        var text = RequiredString(requestData, field);
        return DigitsPattern.IsMatch(text)
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : throw KhipuRequestException.Invalid(field, "must be a whole number written as a string");
    }

    private static string RequiredString(JsonElement requestData, string field)
    {
        if (!requestData.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw KhipuRequestException.Missing(field);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw KhipuRequestException.Invalid(field, "must be a string");
        }

        var text = value.GetString()!;
        return text.Length == 0 ? throw KhipuRequestException.Missing(field) : text;
    }

    /// <summary>
    /// RequestData.AccountCredential: required with the API key for CEN and TGR (Khipu's rule); either
    /// <c>{Username, Password}</c> or <c>{AccountLink}</c>. With a Bearer token it is optional.
    /// </summary>
    private static AccountCredentialValue? AccountCredential(JsonElement requestData, KhipuCaller caller)
    {
        if (!requestData.TryGetProperty("AccountCredential", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return caller.WithApiKey
                ? throw new KhipuRequestException(400, "P002", "DO_NOT_RETRY", "RequestData.AccountCredential is required when authenticating with the API key.")
                : null;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (value.TryGetProperty("AccountLink", out var link) && link.ValueKind == JsonValueKind.String && link.GetString()!.Length > 0)
            {
                return new AccountCredentialValue("link:" + link.GetString(), null);
            }

            if (value.TryGetProperty("Username", out var user) && user.ValueKind == JsonValueKind.String && user.GetString()!.Length > 0
                && value.TryGetProperty("Password", out var password) && password.ValueKind == JsonValueKind.String)
            {
                return new AccountCredentialValue(user.GetString()!, password.GetString());
            }
        }

        throw KhipuRequestException.Invalid("AccountCredential", "must be an object with Username and Password, or with AccountLink");
    }

    private static string? CallbackUrl(JsonElement root)
    {
        if (!root.TryGetProperty("CallbackUrl", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
        if (text.Length > 255
            || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new KhipuRequestException(400, "P003", "DO_NOT_RETRY", "CallbackUrl must be an absolute http(s) URL of at most 255 characters.");
        }

        return text;
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpRequest request)
    {
        // Exactly the documents' "Content-Type: application/json": JSON has no charset parameter (RFC 8259), and a
        // server that compares the header exactly refuses one, so the client must not send it.
        if (!System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Parameters.Count != 0)
        {
            throw new KhipuRequestException(400, "P001", "DO_NOT_RETRY", "The body must be sent as Content-Type: application/json, without parameters.");
        }

        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            throw new KhipuRequestException(400, "P001", "DO_NOT_RETRY", "The body is not valid JSON.");
        }
    }

    private static JsonObject Envelope(EmulatorState state, string operationId, KhipuResult result, string? lifeSpan)
    {
        var data = result.Data;
        if (data is JsonObject dataObject && state.KhipuOptions.ExtraFields)
        {
            dataObject["EmulatorNote"] = "a field no document mentions";
        }

        var envelope = new JsonObject { ["OperationId"] = operationId };
        if (result.IsError && state.KhipuOptions.LegacyErrorShape)
        {
            envelope["Status"] = "ERROR";
            envelope["Data"] = null;
            envelope["FailureReason"] = state.KhipuOptions.LegacyFailureReason;
            envelope["Message"] = $"{result.ErrorCode}: {result.ErrorDescription}";
        }
        else
        {
            envelope["Status"] = result.IsError ? "ERROR" : "OK";
            envelope["Data"] = data;
            envelope["AdditionalInformation"] = result.AdditionalInformation ?? (result.IsError ? null : state.KhipuOptions.AdditionalInformation);
            envelope["Error"] = result.IsError
                ? new JsonObject { ["Code"] = result.ErrorCode, ["Type"] = result.ErrorType, ["Description"] = result.ErrorDescription }
                : null;
            envelope["LifeSpan"] = lifeSpan;
        }

        if (state.KhipuOptions.ExtraFields)
        {
            envelope["Trace"] = new JsonObject { ["Region"] = "emulator", ["Elapsed"] = 0 };
        }

        return state.KhipuOptions.SortedKeys ? (JsonObject)WithSortedKeys(envelope)! : envelope;
    }

    /// <summary>A copy of <paramref name="node"/> with the keys of every object in ordinal order.</summary>
    private static JsonNode? WithSortedKeys(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(property => property.Key, StringComparer.Ordinal)
            .Select(property => KeyValuePair.Create(property.Key, WithSortedKeys(property.Value)))),
        JsonArray array => new JsonArray(array.Select(WithSortedKeys).ToArray()),
        _ => node?.DeepClone(),
    };

    private static Task WriteErrorAsync(HttpContext context, EmulatorState state, KhipuRequestException refused) =>
        WriteJsonAsync(
            context,
            state,
            refused.HttpStatus,
            Envelope(state, Guid.NewGuid().ToString(), KhipuResult.Error(refused.Code, refused.Type, refused.Message), lifeSpan: null));

    private static async Task WriteJsonAsync(HttpContext context, EmulatorState state, int status, JsonObject body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, WriteOptions);
        if (state.KhipuOptions.GzipResponses && context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            response.Headers.ContentEncoding = "gzip";
            state.CountKhipuGzipResponse();
            await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync(bytes, context.RequestAborted);
            return;
        }

        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>An AccountCredential as the emulator reads it: the account it names and, for the user form, the password.</summary>
    private sealed record AccountCredentialValue(string Account, string? Password);
}

/// <summary>The Khipu switches the Pester suites may change over HTTP (POST _emulator/khipu/options).</summary>
public sealed class KhipuEmulatorOptionsUpdate
{
    public int? CenTotal { get; set; }

    /// <summary>True removes <see cref="CenTotal"/>, so the total comes from the RUT again.</summary>
    public bool? ClearCenTotal { get; set; }

    public bool? OmitCenTotal { get; set; }

    public bool? CenVaryingFields { get; set; }

    public bool? LegacyErrorShape { get; set; }

    public string? LegacyFailureReason { get; set; }

    public bool? GzipResponses { get; set; }

    public bool? IssueExpiredTokens { get; set; }

    public bool? ExtraFields { get; set; }

    public bool? RejectedTokenAsStatusError { get; set; }

    public string? AcknowledgementBody { get; set; }

    public string? FixedOperationId { get; set; }

    public bool? AnswerCallbackRequestsAtOnce { get; set; }

    public string? LifeSpanText { get; set; }

    /// <summary>True removes <see cref="FixedOperationId"/>, so every request gets its own OperationId again.</summary>
    public bool? ClearFixedOperationId { get; set; }

    /// <summary>True removes <see cref="AcknowledgementBody"/>, so 202 answers carry the envelope again.</summary>
    public bool? ClearAcknowledgementBody { get; set; }

    public void ApplyTo(KhipuEmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ClearCenTotal == true)
        {
            options.CenTotal = null;
        }

        options.CenTotal = CenTotal ?? options.CenTotal;
        options.OmitCenTotal = OmitCenTotal ?? options.OmitCenTotal;
        options.CenVaryingFields = CenVaryingFields ?? options.CenVaryingFields;
        options.LegacyErrorShape = LegacyErrorShape ?? options.LegacyErrorShape;
        options.LegacyFailureReason = LegacyFailureReason ?? options.LegacyFailureReason;
        options.GzipResponses = GzipResponses ?? options.GzipResponses;
        options.IssueExpiredTokens = IssueExpiredTokens ?? options.IssueExpiredTokens;
        options.ExtraFields = ExtraFields ?? options.ExtraFields;
        options.RejectedTokenAsStatusError = RejectedTokenAsStatusError ?? options.RejectedTokenAsStatusError;
        options.AcknowledgementBody = ClearAcknowledgementBody == true ? null : AcknowledgementBody ?? options.AcknowledgementBody;
        options.FixedOperationId = ClearFixedOperationId == true ? null : FixedOperationId ?? options.FixedOperationId;
        options.AnswerCallbackRequestsAtOnce = AnswerCallbackRequestsAtOnce ?? options.AnswerCallbackRequestsAtOnce;
        options.LifeSpanText = LifeSpanText ?? options.LifeSpanText;
    }
}
