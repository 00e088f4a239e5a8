using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Khipu;

public sealed partial class KhipuClient
{
    /// <summary>
    /// Turns a delivered asynchronous result (the 200-shaped envelope Khipu POSTs to the CallbackUrl) into the
    /// rows the synchronous call returns, with the same readers and mappers. <c>Status: ERROR</c> (either error
    /// shape) throws a <see cref="KhipuException"/>; a body that is not an envelope throws a <see cref="KhipuProtocolException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<object>> MapCallbackResultAsync(PendingOperation operation, Stream body, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        var servicePath = ServicePathOf(operation);

        // An Invoke-KhipuRequest operation gives the envelope as a KhipuResponse, as the synchronous call does, even for
        // a path one of the typed cmdlets knows: it is mapped as an unknown service.
        var typedPath = string.Equals(operation.Service, KhipuServices.GenericDisplayName, StringComparison.OrdinalIgnoreCase) ? string.Empty : servicePath;
        var info = new KhipuCallInfo();
        var rows = new List<object>();
        var resolutions = new List<JsonElement>();
        var page = 0;
        var cenQuery = typedPath == KhipuServices.CenNonconformities ? CenQueryOf(operation, out page) : null;
        var cenState = new CenPagingState();
        using var reader = new JsonStreamReader(body);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new KhipuProtocolException($"The result of operation {operation.OperationId} is not a Khipu envelope: it does not start with a JSON object.");
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!IsDataProperty(reader))
            {
                await ReadEnvelopeFieldAsync(reader, info, trace, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await IsDataOfNoResultAsync(reader, info, cancellationToken).ConfigureAwait(false))
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (cenQuery is not null)
            {
                await foreach (var row in ReadCenPageAsync(reader, info, cenQuery, page, cenState, cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(row);
                }
            }
            else if (typedPath == KhipuServices.TgrExpiredAgreements)
            {
                await foreach (var element in ReadResolutionsAsync(reader, info, null, cancellationToken).ConfigureAwait(false))
                {
                    resolutions.Add(element);
                }
            }
            else
            {
                await foreach (var unused in KeepData(reader, info, cancellationToken).ConfigureAwait(false))
                {
                    // KeepData keeps the Data value on info.
                }
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new KhipuProtocolException($"The result of operation {operation.OperationId} ended unexpectedly.");
        }

        info.OperationId ??= operation.OperationId;
        info.StatusCode = System.Net.HttpStatusCode.OK;
        if (info.IsError)
        {
            throw KhipuException.Create(null, info.Status, info.OperationId, info.Error, servicePath, 0, null, retryAfter: null, operation.DescribeInput());
        }

        TraceErrorBesideStatusOk(trace, info);

        if (info.Status is null)
        {
            throw new KhipuProtocolException($"The result of operation {operation.OperationId} is not a Khipu envelope: it has no Status.");
        }

        var clientIdentifier = FirstNonEmpty(operation.Input("ClientIdentifier"), operation.InputIdentifier);
        switch (typedPath)
        {
            case KhipuServices.EnelDebtStatus:
                return new object[] { MapDebtStatus(clientIdentifier, info, trace) };
            case KhipuServices.EnelBillDocument:
                return new object[] { MapBillDocument(clientIdentifier, operation.Input("Email"), info, trace) };
            case KhipuServices.CenNonconformities:
                var cenRows = rows.ConvertAll(row => (CenNonconformity)row);
                foreach (var row in cenRows)
                {
                    row.OperationId ??= info.OperationId;
                    row.AdditionalInformation ??= info.AdditionalInformation;
                    row.TotalCount ??= cenState.TotalCount;
                }

                // As the rows of a query's first page: all under the union of their fields.
                ShareColumns(cenRows);
                if (cenRows.Count == 0)
                {
                    WarnOfNoteWithoutRows(trace, "CEN nonconformities of RUT " + cenQuery!.RutDeudor + " in operation " + info.OperationId, info);
                }

                return rows;
            case KhipuServices.TgrExpiredAgreements:
                var detail = Enum.TryParse<TgrDetail>(operation.Input(RequestInputText.DetailKey), ignoreCase: true, out var parsed) ? parsed : TgrDetail.Resolution;
                foreach (var element in resolutions)
                {
                    rows.AddRange(Expand(MapResolution(element, info.OperationId, info.AdditionalInformation, trace), detail));
                }

                if (resolutions.Count == 0)
                {
                    WarnOfNoteWithoutRows(trace, "TGR expired agreements in operation " + info.OperationId, info);
                }

                return rows;
            default:
                return new object[]
                {
                    new KhipuResponse
                    {
                        ServicePath = servicePath,
                        OperationId = info.OperationId,
                        Status = info.Status,
                        AdditionalInformation = info.AdditionalInformation,
                        LifeSpan = info.LifeSpan,
                        DataJson = info.Data?.GetRawText(),
                        HttpStatusCode = (int)System.Net.HttpStatusCode.OK,

                        // Not known here: the submission's attempts were counted by the session that sent it.
                        Attempts = null,
                        RetrievedAt = DateTimeOffset.UtcNow,
                    },
                };
        }
    }

    /// <summary>
    /// Saves a delivered bill document into <paramref name="outputDirectory"/> as Get-EnelBillDocument -OutputPath
    /// does (atomically, named after the client); the row then names the file instead of carrying the document.
    /// </summary>
    public static Task<EnelBillDocument> SaveBillDocumentAsync(EnelBillDocument document, string outputDirectory, CancellationToken cancellationToken) =>
        SaveBillDocumentAsync(document, outputDirectory, null, cancellationToken);

    /// <summary>As the overload without it; <paramref name="trace"/> hears of an earlier file of the client replaced or left.</summary>
    public static async Task<EnelBillDocument> SaveBillDocumentAsync(EnelBillDocument document, string outputDirectory, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        if (document is null)
        {
            throw new ArgumentNullException(nameof(document));
        }

        if (!Directory.Exists(outputDirectory))
        {
            throw new Validation.ParameterValidationException("OutputPath", "must be an existing folder", $"'{outputDirectory}' does not exist.");
        }

        if (document.Document is not null)
        {
            document.Path = await SaveDocumentAsync(document, outputDirectory, trace, cancellationToken).ConfigureAwait(false);
            document.Document = null;
        }

        return document;
    }

    private static string ServicePathOf(PendingOperation operation)
    {
        if (!string.IsNullOrEmpty(operation.ServicePath))
        {
            return operation.ServicePath!;
        }

        foreach (var path in new[] { KhipuServices.EnelDebtStatus, KhipuServices.EnelBillDocument, KhipuServices.CenNonconformities, KhipuServices.TgrExpiredAgreements })
        {
            if (string.Equals(KhipuServices.DisplayName(path), operation.Service, StringComparison.OrdinalIgnoreCase))
            {
                return path;
            }
        }

        return operation.Service ?? string.Empty;
    }

    private static CenQuery CenQueryOf(PendingOperation operation, out int page)
    {
        page = int.TryParse(operation.Input("Paginas"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;
        return new CenQuery
        {
            RutDeudor = FirstNonEmpty(operation.Input("RutDeudor"), operation.InputIdentifier),
            From = CenDate(operation.Input("FechaCreacionDelCasoDesde")),
            To = CenDate(operation.Input("FechaCreacionDelCasoHasta")),
            PageSize = int.TryParse(operation.Input("Filas"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) && size > 0 ? size : Validation.InputRules.CenDefaultPageSize,
        };
    }

    private static DateTime CenDate(string text) =>
        DateTime.TryParseExact(text, "MM'/'dd'/'yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : default;

    private static string FirstNonEmpty(string? first, string? second) => !string.IsNullOrEmpty(first) ? first! : second ?? string.Empty;
}
