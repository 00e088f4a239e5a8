using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Diagnostics;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Khipu;

/// <summary>Reads the <c>Data</c> value of an envelope; the reader stands on the "Data" property name.</summary>
internal delegate IAsyncEnumerable<T> KhipuDataReader<T>(JsonStreamReader reader, KhipuCallInfo info, CancellationToken cancellationToken);

/// <summary>
/// The Khipu Open Data client. Every call is a billed POST of <c>{RequestData, CallbackUrl}</c>; the answer is
/// the envelope <c>{OperationId, Status, Data, AdditionalInformation, Error, LifeSpan}</c>, read as it streams.
/// </summary>
public sealed partial class KhipuClient
{
    private static readonly JsonSerializerOptions ErrorJsonOptions = new() { PropertyNameCaseInsensitive = true };
    // The envelope fields besides Data, as the documents spell them (FailureReason and Message: the older error shape).
    private static readonly string[] EnvelopeFieldNames = { "OperationId", "Status", "AdditionalInformation", "LifeSpan", "Error", "FailureReason", "Message" };

    // The envelope fields the rows of a streamed Data carry, looked ahead for when they have not come before Data.
    private static readonly string[] FieldsRowsCarry = { "OperationId", "AdditionalInformation" };

    // What a look-ahead past a Data that came before the Status reads: what decides whether the Data is a result
    // (Status; Error and FailureReason beside another value), then what its rows carry (as FieldsRowsCarry).
    private static readonly string[] FieldsAfterData = { "Status", "Error", "FailureReason", "OperationId", "AdditionalInformation" };
    private static readonly string[] InputFields = { "ClientIdentifier", "RutDeudor" };

    // The fields a JSON error body without Khipu's Error commonly explains itself in (frameworks, gateways, RFC 7807).
    private static readonly string[] ErrorTextFields = { "message", "detail", "error_description", "error", "title", "reason" };

    // How much of an error body that is not Khipu's a message quotes.
    private const int ErrorExcerptLength = 200;
    private static readonly MediaTypeHeaderValue JsonMediaType = new(JsonMedia.Type);

    private readonly HttpClient http;
    private readonly KhipuClientOptions options;

    public KhipuClient(HttpClient httpClient, Uri baseUri, KhipuClientOptions? options = null)
    {
        http = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        BaseUri = baseUri ?? throw new ArgumentNullException(nameof(baseUri));
        this.options = options ?? new KhipuClientOptions();
    }

    public Uri BaseUri { get; }

    /// <summary>
    /// Sends a request with a CallbackUrl: Khipu answers 202 and delivers the result to that URL later.
    /// </summary>
    public async Task<KhipuOperation> SubmitAsync(KhipuRequest request, string? inputIdentifier, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (request.CallbackUrl is null)
        {
            throw new ArgumentException("An asynchronous request needs a CallbackUrl.", nameof(request));
        }

        var body = KhipuRequestWriter.Write(request);
        var context = NewContext(request, trace, null);
        trace?.Debug("Request body: " + KhipuRequestWriter.WriteRedacted(request));
        var credentialsRefreshed = false;
        var immediateRetries = 0;
        while (true)
        {
            using var response = await SendAsync(request, body, context, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, request, context, cancellationToken).ConfigureAwait(false);
            }

            var text = await ReadBoundedTextAsync(response, options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            trace?.Debug("Response body: " + Redaction.RedactJson(Truncate(text, options.DebugBodyBytes)));
            var info = ParseWholeEnvelope(text, response.StatusCode, DescribeResponse(request, context, response.StatusCode));
            info.Attempts = context.Attempts;
            if (info.IsError)
            {
                if (IsRejectedToken(info.Error) && !credentialsRefreshed && context.CanRefreshCredentials && context.CanAttemptAgain)
                {
                    // A000: the JWT was rejected inside a 200 answer; a fresh token can fix it, once.
                    credentialsRefreshed = true;
                    context.RequestCredentialRefresh();
                    continue;
                }

                var error = KhipuException.Create(response.StatusCode, info.Status, info.OperationId, info.Error, request.ServicePath, context.Attempts, context.EarliestRetry, retryAfter: null, context.Label);

                // As a synchronous call does: the answer's Error.Type is the instruction, on every path.
                if (error.ErrorType == KhipuErrorType.RetryImmediately && immediateRetries < options.RetryImmediatelyLimit && context.CanAttemptAgain)
                {
                    immediateRetries++;
                    TraceImmediateRetry(trace, info, context);
                    continue;
                }

                throw error;
            }

            TraceErrorBesideStatusOk(trace, info);
            return new KhipuOperation
            {
                OperationId = info.OperationId,
                Service = request.IsGeneric ? KhipuServices.GenericDisplayName : KhipuServices.DisplayName(request.ServicePath),
                ServicePath = request.ServicePath,
                InputIdentifier = inputIdentifier is null ? null : SentInput(request) ?? inputIdentifier,
                CallbackUrl = request.CallbackUrl.AbsoluteUri,
                LifeSpanRaw = info.LifeSpan,
                LifeSpan = KhipuOperation.ParseLifeSpan(info.LifeSpan),
                SubmittedAt = DateTimeOffset.UtcNow,
                Status = info.Status,
                AdditionalInformation = info.AdditionalInformation,

                // The Enel and CEN documents list only a 200 answer, so an acknowledgement may come as a 200 too: only a
                // 2xx that carries Data is a result (a server that answered the callback request synchronously).
                ResultJson = response.StatusCode != HttpStatusCode.Accepted && info.CarriesData ? text : null,
            };
        }
    }

    /// <summary>
    /// One call's shared state: Khipu's Error.Type decides its retries (see <see cref="RequestContext.AppliesKhipuErrorType"/>),
    /// and its label follows its method and URI in trace lines and messages: the input it is for (several run at once,
    /// and every path of a service is the same), then <paramref name="label"/> (a CEN page, say).
    /// </summary>
    private RequestContext NewContext(KhipuRequest request, IRequestTrace? trace, string? label) =>
        new(trace, options.MaxAttempts) { AppliesKhipuErrorType = true, Label = RequestContext.JoinLabel(InputLabel(request), label) };

    /// <summary>
    /// The client identifier or RUT as the request sends it (trimmed by the input rules), for the records that echo the
    /// input: " 7001 " given is "7001" there too, so they join with the rows and the result delivered later.
    /// </summary>
    private static string? SentInput(KhipuRequest request)
    {
        foreach (var name in InputFields)
        {
            if (request.RequestData.TryGetValue(name, out var value) && value is string text && text.Length > 0)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>
    /// The input a request is for, as its trace lines and messages name it: the Enel client identifier, the CEN debtor
    /// RUT, or else the TGR account (its user name, which is no secret; an account link is, so it is only said to be one).
    /// </summary>
    private static string? InputLabel(KhipuRequest request)
    {
        foreach (var name in InputFields)
        {
            if (request.RequestData.TryGetValue(name, out var value) && value is string text && text.Length > 0)
            {
                return name + " " + text;
            }
        }

        return request.RequestData.TryGetValue("AccountCredential", out var credential) && credential is KhipuAccountCredential account
            ? account.IsAccountLink ? "an account link" : "account " + account.UserName
            : null;
    }

    /// <summary>
    /// Sends a synchronous request and streams what <paramref name="dataReader"/> makes of <c>Data</c>.
    /// <c>Status: ERROR</c> ends the enumeration with a <see cref="KhipuException"/>; RETRY_IMMEDIATELY is
    /// retried while nothing has been yielded and the attempt budget allows. <paramref name="label"/> says which part
    /// of a larger read the call is (a CEN page), for trace lines and messages; null for a call on its own.
    /// </summary>
    internal async IAsyncEnumerable<T> CallAsync<T>(
        KhipuRequest request,
        KhipuDataReader<T> dataReader,
        KhipuCallInfo info,
        string? label,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.CallbackUrl is not null)
        {
            throw new ArgumentException("A synchronous request must not carry a CallbackUrl.", nameof(request));
        }

        // Enumerated by hand: a yield cannot sit in a try with a catch, and a body that is not JSON is caught to say which
        // service and input it answered ("Invalid or truncated JSON after stream byte 0" alone names neither).
        var items = ReadCallAsync(request, dataReader, info, label, trace, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is JsonException || DeclaredCharset.IsUndecodableText(exception))
                {
                    throw new KhipuProtocolException(DescribeResponse(request, RequestContext.JoinLabel(InputLabel(request), label), info.StatusCode) + " cannot be read: " + exception.Message, exception);
                }

                if (!more)
                {
                    break;
                }

                yield return items.Current;
            }
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<T> ReadCallAsync<T>(
        KhipuRequest request,
        KhipuDataReader<T> dataReader,
        KhipuCallInfo info,
        string? label,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = KhipuRequestWriter.Write(request);
        var context = NewContext(request, trace, label);
        var immediateRetries = 0;
        var credentialsRefreshed = false;
        trace?.Debug("Request body: " + KhipuRequestWriter.WriteRedacted(request));
        while (true)
        {
            var yielded = 0;
            using (var response = await SendAsync(request, body, context, cancellationToken).ConfigureAwait(false))
            {
                info.StatusCode = response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    throw await ReadErrorAsync(response, request, context, cancellationToken).ConfigureAwait(false);
                }

                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    throw new KhipuProtocolException(DescribeResponse(request, context, response.StatusCode) + ": Khipu accepted it for asynchronous processing (202 Accepted), though the request has no CallbackUrl; no result will arrive.");
                }

                var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                if (DeclaredCharset.OtherThanUtf8(response.Content) is { } encoding)
                {
                    // JSON is UTF-8, but a body declared in another charset is read in it, as Invoke-RestMethod reads it.
                    trace?.Verbose($"{DescribeResponse(request, context, response.StatusCode)} is declared {encoding.WebName}, not UTF-8; it is re-encoded before it is read.");
                    try
                    {
                        stream = await DeclaredCharset.ToUtf8Async(stream, encoding, cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException exception)
                    {
                        throw new KhipuProtocolException(DescribeResponse(request, context, response.StatusCode) + " cannot be read: " + exception.Message, exception);
                    }
                }

                var capture = trace is null ? null : new CaptureStream(stream, options.DebugBodyBytes);
                using var reader = new JsonStreamReader(capture ?? stream, new JsonStreamReaderOptions { MaxTotalBytes = options.MaxResponseBytes });
                try
                {
                    ResetEnvelope(info);
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new KhipuProtocolException(DescribeResponse(request, context, response.StatusCode) + " is not a Khipu envelope: it does not start with a JSON object.");
                    }

                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (IsDataProperty(reader))
                        {
                            if (await IsDataOfNoResultAsync(reader, info, cancellationToken).ConfigureAwait(false))
                            {
                                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                                continue;
                            }

                            await foreach (var item in dataReader(reader, info, cancellationToken).ConfigureAwait(false))
                            {
                                yielded++;
                                yield return item;
                            }
                        }
                        else
                        {
                            await ReadEnvelopeFieldAsync(reader, info, trace, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    if (reader.TokenType != JsonTokenType.EndObject)
                    {
                        throw new KhipuProtocolException(DescribeResponse(request, context, response.StatusCode) + " ended unexpectedly.");
                    }
                }
                finally
                {
                    if (capture is not null)
                    {
                        trace!.Debug("Response body: " + Redaction.RedactJson(capture.CapturedText()));
                    }
                }
            }

            info.Attempts = context.Attempts;
            if (info.Status is null && !info.IsError)
            {
                if (yielded == 0)
                {
                    throw new KhipuProtocolException(DescribeResponse(request, context, info.StatusCode) + " is not a Khipu envelope: it has no Status.");
                }

                // Only a Data too large to look past streams before the Status is known: its rows are out and cannot be
                // taken back, so an error now would give the input rows and an error both. The missing Status is said instead.
                trace.Warn(DescribeResponse(request, context, info.StatusCode) + " has no Status (the documents require OK or ERROR); its rows were written as a result.");
                yield break;
            }

            if (!info.IsError)
            {
                TraceErrorBesideStatusOk(trace, info);
                yield break;
            }

            var error = KhipuException.Create(info.StatusCode, info.Status, info.OperationId, info.Error, request.ServicePath, context.Attempts, context.EarliestRetry, retryAfter: null, context.Label);
            if (IsRejectedToken(info.Error) && yielded == 0 && !credentialsRefreshed && context.CanRefreshCredentials && context.CanAttemptAgain)
            {
                // A000 means the JWT was expired, revoked or invalid: a fresh token can fix it, once.
                credentialsRefreshed = true;
                context.RequestCredentialRefresh();
                continue;
            }

            if (error.ErrorType == KhipuErrorType.RetryImmediately && yielded == 0 && immediateRetries < options.RetryImmediatelyLimit && context.CanAttemptAgain)
            {
                immediateRetries++;
                TraceImmediateRetry(trace, info, context);
                continue;
            }

            throw error;
        }
    }

    private static void TraceImmediateRetry(IRequestTrace? trace, KhipuCallInfo info, RequestContext context) =>
        trace?.Verbose(string.Format(
            CultureInfo.InvariantCulture,
            "Khipu answered {0} {1} (RETRY_IMMEDIATELY){4}; retrying, attempt {2} of at most {3}.",
            KhipuException.DescribeEnvelopeError(info.Status, info.Error),
            info.Error?.Code,
            context.Attempts + 1,
            context.MaxAttempts,
            context.Label is null ? string.Empty : " for " + context.Label));

    /// <summary>
    /// Says, at -Verbose, that an answer with Status OK also carried an Error naming an error: Status decides, so it is
    /// a result (the documents give Error only with Status ERROR), and what the Error held is still shown.
    /// </summary>
    internal static void TraceErrorBesideStatusOk(IRequestTrace? trace, KhipuCallInfo info)
    {
        // The documents give Status OK or ERROR; another value without an error is read as a result, said once a command.
        if (!info.IsError && info.Status is { } status && !string.Equals(status, "OK", StringComparison.OrdinalIgnoreCase))
        {
            trace.WarnOnce(
                "khipu status " + status,
                string.Format(CultureInfo.InvariantCulture, "Khipu answered Status '{0}' (the documents give OK or ERROR) without an error; the answer was read as a result.", status));
        }

        if (trace is not null && !info.IsError && info.Error is { HasCodeOrType: true } error)
        {
            trace.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "Khipu answered Status {0} with an Error object (code {1}, type {2}{3}); the Status decides, so the answer is taken as a result.",
                info.Status,
                error.Code ?? "none",
                error.Type ?? "none",
                string.IsNullOrWhiteSpace(error.Description) ? string.Empty : ": " + error.Description!.Trim()));
        }
    }

    /// <summary>
    /// Gives an answer's AdditionalInformation as a warning when the answer brought no rows: with rows, each row
    /// carries it; without, nothing else would show it ("Sin convenios", or why the source had nothing to give).
    /// </summary>
    internal static void WarnOfNoteWithoutRows(IRequestTrace? trace, string what, KhipuCallInfo info)
    {
        if (!string.IsNullOrWhiteSpace(info.AdditionalInformation))
        {
            trace.Warn(string.Format(CultureInfo.InvariantCulture, "Khipu gave no {0}, with this note (AdditionalInformation): {1}", what, info.AdditionalInformation!.Trim()));
        }
    }

    /// <summary>
    /// Whether the Data the reader stands on is of an answer that gives no rows, so it is skipped rather than streamed:
    /// an error, or an answer without a Status (the documents require one; it ends in an error). Rows streamed before
    /// the end would otherwise give one input rows and an error both. A Status before Data decides; without one, the
    /// rest of the envelope is looked ahead for the Status (and the Error that decides beside another value), and for
    /// the OperationId and AdditionalInformation the rows carry. When the look-ahead cannot tell (a Data larger than
    /// its limit), the Data is read, and the Status decides at the end.
    /// </summary>
    internal static async ValueTask<bool> IsDataOfNoResultAsync(JsonStreamReader reader, KhipuCallInfo info, CancellationToken cancellationToken)
    {
        if (info.Status is not null)
        {
            return info.IsError;
        }

        if (await reader.PeekFollowingPropertiesAsync(FieldsAfterData, cancellationToken).ConfigureAwait(false) is not { } following)
        {
            return false;
        }

        RecordFieldsRowsCarry(info, following[3], following[4]);
        if (following[0] is not { } statusElement || ScalarText(statusElement) is not { } status)
        {
            return true;
        }

        // A copy: the envelope's own Error is read where it stands, and must not be filled twice.
        var error = info.Error is { } before ? new KhipuError { Code = before.Code, Type = before.Type, Description = before.Description } : null;
        if (following[1] is { ValueKind: JsonValueKind.Object } errorAfter)
        {
            error = errorAfter.Deserialize<KhipuError>(ErrorJsonOptions);
        }

        if (following[2] is { } reason && ScalarText(reason) is { } failureReason)
        {
            error = KhipuError.WithFailureReason(error, failureReason, null);
        }

        return KhipuCallInfo.IsErrorAnswer(status, error);
    }

    private static bool IsRejectedToken(KhipuError? error) => string.Equals(error?.Code, "A000", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when the reader stands on the envelope's Data property. Envelope names are matched ignoring case, as
    /// the Error object's are: a server that writes camelCase ("data", "status") still sends a Khipu envelope.
    /// </summary>
    internal static bool IsDataProperty(JsonStreamReader reader) => IsProperty(reader, "Data");

    /// <summary>
    /// True when the reader stands on the property <paramref name="name"/>, in any case: the names inside Data are
    /// matched as the envelope's are, so a camelCase server's rows are not silently left out.
    /// </summary>
    internal static bool IsProperty(JsonStreamReader reader, string name) =>
        reader.ValueTextEquals(name) || string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The documented spelling of an envelope field name given in any case, or null for another name.</summary>
    private static string? EnvelopeFieldName(string? name) =>
        Array.Find(EnvelopeFieldNames, known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Data readers: keep the whole Data value (small objects, mapped after the envelope is read).</summary>
    internal static async IAsyncEnumerable<JsonElement> KeepData(JsonStreamReader reader, KhipuCallInfo info, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var element = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
        info.Data = element.ValueKind == JsonValueKind.Null ? null : element;
        yield break;
    }

    /// <summary>
    /// For a Data reader whose rows carry the OperationId and AdditionalInformation and leave while Data is still being
    /// read, with the reader on the "Data" property name: when the envelope has not given them before Data, they are
    /// looked for after Data, so that the first rows carry them too. The documents write AdditionalInformation after
    /// Data, and a server that sorts its keys writes OperationId after it. A Data larger than the reader's look-ahead
    /// limit streams without them.
    /// </summary>
    internal static async ValueTask LookAheadForEnvelopeFieldsAsync(JsonStreamReader reader, KhipuCallInfo info, CancellationToken cancellationToken)
    {
        if (info.OperationId is not null && info.AdditionalInformationRead)
        {
            return;
        }

        if (info.FollowingFieldsRead || await reader.PeekFollowingPropertiesAsync(FieldsRowsCarry, cancellationToken).ConfigureAwait(false) is not { } following)
        {
            return;
        }

        RecordFieldsRowsCarry(info, following[0], following[1]);
    }

    /// <summary>The OperationId and AdditionalInformation a look-ahead found after Data, for the rows that leave before them.</summary>
    private static void RecordFieldsRowsCarry(KhipuCallInfo info, JsonElement? operationId, JsonElement? additionalInformation)
    {
        info.FollowingFieldsRead = true;
        if (info.OperationId is null && operationId is { } operationIdAfter)
        {
            info.OperationId = ScalarText(operationIdAfter);
        }

        if (!info.AdditionalInformationRead)
        {
            // Absent after Data too: there is none, and the rows carry null.
            info.AdditionalInformation = additionalInformation is { } note ? ScalarText(note) : null;
            info.AdditionalInformationRead = true;
        }
    }

    private static void ResetEnvelope(KhipuCallInfo info)
    {
        info.OperationId = null;
        info.Status = null;
        info.Error = null;
        info.AdditionalInformation = null;
        info.AdditionalInformationRead = false;
        info.FollowingFieldsRead = false;
        info.LifeSpan = null;
        info.Data = null;
    }

    private static async ValueTask ReadEnvelopeFieldAsync(JsonStreamReader reader, KhipuCallInfo info, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var name = reader.GetString();
        switch (EnvelopeFieldName(name))
        {
            case "OperationId":
                info.OperationId = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                break;
            case "Status":
                info.Status = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                break;
            case "AdditionalInformation":
                info.AdditionalInformation = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                info.AdditionalInformationRead = true;
                break;
            case "LifeSpan":
                info.LifeSpan = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                break;
            case "Error":
                var element = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
                info.Error = element.ValueKind == JsonValueKind.Object ? element.Deserialize<KhipuError>(ErrorJsonOptions) : null;
                break;
            case "FailureReason":
                // The older error shape: Status ERROR with FailureReason and Message (TASK_FINISHED, LIFESPAN_EXCEEDED).
                var reason = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                if (reason is not null)
                {
                    info.Error = KhipuError.WithFailureReason(info.Error, reason, null);
                }

                break;
            case "Message":
                var message = await ReadScalarAsync(reader, cancellationToken).ConfigureAwait(false);
                if (message is not null && (info.Error is not null || string.Equals(info.Status, "ERROR", StringComparison.OrdinalIgnoreCase)))
                {
                    info.Error ??= new KhipuError();
                    info.Error.Description ??= message;
                }

                break;
            default:
                trace?.Debug($"Unknown envelope field '{name}' ignored.");
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private static async ValueTask<string?> ReadScalarAsync(JsonStreamReader reader, CancellationToken cancellationToken) =>
        ScalarText(await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false));

    private static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => element.GetString(),
        _ => element.GetRawText(),
    };

    /// <summary>"The Khipu response to EnelDebtStatus for ClientIdentifier 2013 (HTTP 204)": which input an unreadable answer was for.</summary>
    private static string DescribeResponse(KhipuRequest request, RequestContext context, HttpStatusCode status) =>
        DescribeResponse(request, context.Label, status);

    private static string DescribeResponse(KhipuRequest request, string? label, HttpStatusCode status) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "The Khipu response to {0}{1} (HTTP {2})",
            KhipuServices.DisplayName(request.ServicePath),
            string.IsNullOrEmpty(label) ? string.Empty : " for " + label,
            (int)status);

    /// <param name="described">What the messages call the answer (see <see cref="DescribeResponse(KhipuRequest, string, HttpStatusCode)"/>).</param>
    private static KhipuCallInfo ParseWholeEnvelope(string text, HttpStatusCode status, string described)
    {
        var info = new KhipuCallInfo { StatusCode = status };

        // A 202 says "accepted, the result goes to the CallbackUrl"; the documents give it no schema. Its body is read
        // for what it offers (the OperationId, above all), and one that is empty, not JSON or not an object still
        // acknowledges the submission: refusing it would hide a billed, accepted operation whose result is on its way.
        var accepted = status == HttpStatusCode.Accepted;
        if (accepted && string.IsNullOrWhiteSpace(text))
        {
            return info;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            if (accepted)
            {
                return info;
            }

            throw new KhipuProtocolException(described + " is not valid JSON: " + exception.Message, exception);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                if (accepted)
                {
                    return info;
                }

                throw new KhipuProtocolException(described + " is not a Khipu envelope: it is not a JSON object.");
            }

            info.OperationId = StringOf(root, "OperationId");
            info.Status = StringOf(root, "Status");
            info.AdditionalInformation = StringOf(root, "AdditionalInformation");
            info.LifeSpan = StringOf(root, "LifeSpan");
            info.CarriesData = JsonProperties.TryGetIgnoringCase(root, "Data", out var data)
                && data.ValueKind != JsonValueKind.Null
                && !(data.ValueKind == JsonValueKind.Object && !data.EnumerateObject().MoveNext());
            if (JsonProperties.TryGetIgnoringCase(root, "Error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                info.Error = error.Deserialize<KhipuError>(ErrorJsonOptions);
            }

            var reason = StringOf(root, "FailureReason");
            if (reason is not null)
            {
                info.Error = KhipuError.WithFailureReason(info.Error, reason, StringOf(root, "Message"));
            }

            if (info.Status is null && !info.IsError && !accepted)
            {
                throw new KhipuProtocolException(described + " is not a Khipu envelope: it has no Status.");
            }
        }

        return info;
    }

    private static string? StringOf(JsonElement root, string name) =>
        JsonProperties.TryGetIgnoringCase(root, name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null => null,
                _ => value.GetRawText(),
            }
            : null;

    private static string Truncate(string text, int limit) =>
        text.Length <= limit ? text : text.Substring(0, limit) + $" ... ({text.Length} characters in all)";

    private static async Task<string> ReadBoundedTextAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new JsonStreamLimitException($"The response body is larger than the limit of {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var encoding = DeclaredCharset.OtherThanUtf8(response.Content) ?? Encoding.UTF8;
        return ByteOrderMark.Skip(encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private async Task<HttpResponseMessage> SendAsync(KhipuRequest request, byte[] body, RequestContext context, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, KhipuServices.Resolve(BaseUri, request.ServicePath));
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = JsonMediaType;
        message.Headers.Accept.ParseAdd("application/json");
        message.SetRequestContext(context);
        return await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KhipuException> ReadErrorAsync(HttpResponseMessage response, KhipuRequest request, RequestContext context, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await ReadBoundedTextAsync(response, options.MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonStreamLimitException)
        {
            text = string.Empty;
        }

        context.Trace?.Debug("Error response body: " + Redaction.RedactJson(Truncate(text, options.DebugBodyBytes)));
        KhipuError? error = null;
        string? operationId = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                operationId = StringOf(root, "OperationId");
                if (JsonProperties.TryGetIgnoringCase(root, "Error", out var element) && element.ValueKind == JsonValueKind.Object)
                {
                    error = element.Deserialize<KhipuError>(ErrorJsonOptions);
                }

                if (StringOf(root, "FailureReason") is { } reason)
                {
                    error = KhipuError.WithFailureReason(error, reason, StringOf(root, "Message"));
                }
            }

            if (error is null || (!error.HasCodeOrType && string.IsNullOrWhiteSpace(error.Description)))
            {
                // JSON, but not Khipu's Error ({"message": "RequestData.Email: formato invalido"}, from a gateway or a
                // framework): its text is the only explanation there is, so it is quoted as a non-JSON page's is.
                error ??= new KhipuError();
                error.Description = DescribeOtherJson(root, text);
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page from a proxy, for example): describe it instead.
            error = new KhipuError { Description = DescribeNonJson(response, text) };
        }

        return KhipuException.Create(response.StatusCode, null, operationId, error, request.ServicePath, context.Attempts, context.EarliestRetry, RetryAfter.WaitAskedBy(response, DateTimeOffset.UtcNow), context.Label);
    }

    /// <summary>
    /// What an error body that is JSON without Khipu's Error says: the first text among the fields such bodies use for
    /// it (message, detail, error, ...), else the body itself, secrets' values hidden; short, as a page's text is.
    /// </summary>
    private static string? DescribeOtherJson(JsonElement root, string text)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in ErrorTextFields)
            {
                if (JsonProperties.TryGetIgnoringCase(root, name, out var value, out var sentName)
                    && value.ValueKind == JsonValueKind.String
                    && !string.IsNullOrWhiteSpace(value.GetString())
                    && !Redaction.IsSecretName(sentName))
                {
                    return "the body is not a Khipu error: " + sentName + " '" + Truncate(value.GetString()!.Trim(), ErrorExcerptLength) + "'";
                }
            }
        }

        // An empty object or list, or null, says nothing worth quoting.
        var saysNothing = root.ValueKind switch
        {
            JsonValueKind.Object => !root.EnumerateObject().MoveNext(),
            JsonValueKind.Array => root.GetArrayLength() == 0,
            _ => root.ValueKind == JsonValueKind.Null,
        };
        return saysNothing ? null : "the body is not a Khipu error: " + Truncate(Redaction.RedactJson(text).Trim(), ErrorExcerptLength);
    }

    private static string DescribeNonJson(HttpResponseMessage response, string text)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "no content type";
        var plain = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]*>", " ", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        plain = System.Text.RegularExpressions.Regex.Replace(plain, @"\s+", " ", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)).Trim();
        return $"the body is not JSON ({mediaType})" + (plain.Length == 0 ? string.Empty : ": " + Truncate(plain, ErrorExcerptLength));
    }
}
