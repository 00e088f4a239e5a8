using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;
using EnergyData.Validation;

namespace EnergyData.Khipu;

public sealed partial class KhipuClient
{
    /// <summary>Checks a CEN query before anything is sent. Returns the request for page 0.</summary>
    public static KhipuRequest CenRequest(CenQuery query, int page, bool accountCredentialRequired, Uri? callbackUrl = null)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var rut = InputRules.Rut(query.RutDeudor);
        InputRules.DateRange(query.From, query.To);
        InputRules.CenPageSize(query.PageSize);
        if (query.Skip < 0)
        {
            throw new ParameterValidationException("Skip", "must not be negative");
        }

        if (accountCredentialRequired && query.AccountCredential is null)
        {
            throw new ParameterValidationException("AccountCredential", "is required when Khipu is called with an API key (Khipu's rule for CEN and TGR)", "Pass -AccountCredential or Connect-EnergyData -KhipuAccountCredential.");
        }

        var data = new Dictionary<string, object?>
        {
            ["FechaCreacionDelCasoDesde"] = InputRules.ToCenDate(query.From),
            ["FechaCreacionDelCasoHasta"] = InputRules.ToCenDate(query.To),
            ["RutDeudor"] = rut,
            ["Filas"] = query.PageSize.ToString(CultureInfo.InvariantCulture),
            ["Paginas"] = page.ToString(CultureInfo.InvariantCulture),
        };
        if (query.AccountCredential is not null)
        {
            data["AccountCredential"] = query.AccountCredential;
        }

        return new KhipuRequest(KhipuServices.CenNonconformities, data, callbackUrl is null ? null : InputRules.CallbackUrl(callbackUrl));
    }

    /// <summary>
    /// All nonconformities of a query, page after page (Paginas is zero-based), until TotalDisconformidades is
    /// reached, a page comes back short, or <see cref="CenQuery.First"/> rows were returned. Rows are yielded
    /// as each page streams in. Each page is one billed request.
    /// </summary>
    public async IAsyncEnumerable<CenNonconformity> GetCenNonconformitiesAsync(
        CenQuery query,
        bool accountCredentialRequired,
        CenPagingState? state,
        Action<CenPagingState>? onPage,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        state ??= new CenPagingState();
        var pageSize = query.PageSize;
        var page = (int)Math.Min(int.MaxValue, query.Skip / Math.Max(1, pageSize));
        var skipOnFirstPage = (int)(query.Skip % Math.Max(1, pageSize));

        // Validate everything (including page 0's request) before the first request.
        var request = CenRequest(query, page, accountCredentialRequired);
        long emitted = 0;
        while (emitted < query.First)
        {
            var info = new KhipuCallInfo();
            var onThisPage = 0;
            await foreach (var row in CallAsync(request, (reader, callInfo, token) => ReadCenPageAsync(reader, callInfo, query, page, state, token), info, trace, cancellationToken).ConfigureAwait(false))
            {
                onThisPage++;
                if (page == query.Skip / pageSize && onThisPage <= skipOnFirstPage)
                {
                    continue;
                }

                row.OperationId ??= info.OperationId;
                emitted++;
                yield return row;
                if (emitted >= query.First)
                {
                    break;
                }
            }

            state.PagesFetched++;
            if (state.TotalCount is { } total)
            {
                state.TotalPages = (int)Math.Ceiling(total / (double)pageSize);
            }

            onPage?.Invoke(state);
            var reachedTotal = state.TotalCount is { } all && (long)(page + 1) * pageSize >= all;
            if (emitted >= query.First || onThisPage < pageSize || reachedTotal)
            {
                yield break;
            }

            page++;
            request = CenRequest(query, page, accountCredentialRequired);
        }
    }

    private static async IAsyncEnumerable<CenNonconformity> ReadCenPageAsync(
        JsonStreamReader reader,
        KhipuCallInfo info,
        CenQuery query,
        int page,
        CenPagingState state,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Data: { "NonconformitiesList": { "TotalDisconformidades": n, "Disconformidades": [ ... ] } }
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType == JsonTokenType.Null)
        {
            yield break;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new KhipuProtocolException("CEN Data is not an object.");
        }

        var index = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("NonconformitiesList"))
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartObject)
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("TotalDisconformidades"))
                {
                    var total = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
                    state.TotalCount = total.ValueKind switch
                    {
                        JsonValueKind.Number when total.TryGetInt32(out var n) => n,
                        JsonValueKind.String when int.TryParse(total.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                        _ => state.TotalCount,
                    };
                }
                else if (reader.ValueTextEquals("Disconformidades"))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartArray)
                    {
                        await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    await foreach (var element in reader.ReadArrayAsync(ParseElement, cancellationToken).ConfigureAwait(false))
                    {
                        var row = new CenNonconformity
                        {
                            RutDeudor = query.RutDeudor!,
                            From = query.From,
                            To = query.To,
                            Page = page,
                            PageSize = query.PageSize,
                            Index = ((long)page * query.PageSize) + index++,
                            TotalCount = state.TotalCount,
                            OperationId = info.OperationId,
                            RetrievedAt = DateTimeOffset.UtcNow,
                            RawJson = element.GetRawText(),
                        };
                        row.SetFields(JsonFlattener.Flatten(element));
                        yield return row;
                    }
                }
                else
                {
                    await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static JsonElement ParseElement(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }
}
