using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
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
    private static readonly string[] TotalField = { "TotalDisconformidades" };

    /// <summary>Checks a CEN query before anything is sent. Returns the request for page 0.</summary>
    public static KhipuRequest CenRequest(CenQuery query, int page, bool accountCredentialRequired, Uri? callbackUrl = null)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var rut = InputRules.Rut(query.RutDeudor, "DebtorRut");
        InputRules.DateRange(query.From, query.To);
        InputRules.CenPageSize(query.PageSize);
        if (query.Skip < 0)
        {
            throw new ParameterValidationException("Skip", "must not be negative");
        }

        if (query.First < 0)
        {
            throw new ParameterValidationException("First", "must not be negative");
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
    /// All nonconformities of a query (Paginas is zero-based), until TotalDisconformidades is reached, a page
    /// comes back short, or <see cref="CenQuery.First"/> rows were returned. The first page's rows are held until the
    /// page is read (at most <see cref="CenQuery.PageSize"/> rows), so that they all get the same columns: the union
    /// of their fields (<see cref="CenNonconformity.GetFields"/>), which the rows of every later page get too, each
    /// with any field of its own that is no column after them. Once the first page has given the total, the remaining
    /// pages are fetched <see cref="CenQuery.PageConcurrency"/> at a time and yielded in page order. Without a total, the
    /// following pages are fetched one at a time while they come back full, up to
    /// <see cref="CenQuery.MaxPagesWithoutTotal"/> pages. Each page is one billed request, no page is fetched
    /// twice and none beyond <see cref="CenQuery.First"/> is requested: with First 0 (PowerShell's <c>-First 0</c>)
    /// the query is checked and nothing is requested or returned.
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

        // The rows, messages and warnings carry the RUT as it was sent (" 76999999 " is sent as "76999999"), so that
        // they join and group with it; the check is the one the request makes, with the same error.
        query = query.WithRutDeudor(InputRules.Rut(query.RutDeudor, "DebtorRut"));
        state ??= new CenPagingState();
        long written = 0;
        await foreach (var row in ReadCenQueryAsync(query, accountCredentialRequired, state, onPage, trace, cancellationToken).ConfigureAwait(false))
        {
            written++;
            yield return row;
        }

        // The pages ended before the rows the total promises (a page came back short: the total moved while paging, or
        // a page asked for after Skip was capped): say so, since nothing else would.
        if (state.TotalCount is { } reportedTotal && written > Math.Max(0, reportedTotal - query.Skip))
        {
            // Rows shifted between pages while paging (cases created meanwhile): some came twice.
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "CEN reported {0} for RUT {1}, but {2} came after -Skip {3}: rows moved between pages while paging, so some may be repeated (compare their RawJson). Run the query again for a consistent result.",
                Errors.MessageText.Count(reportedTotal, "nonconformity", "nonconformities"),
                query.RutDeudor,
                Errors.MessageText.Count(written, "row"),
                query.Skip));
        }

        if (!state.CappedPageWarned && state.TotalCount is { } total && written < Math.Min(Math.Max(0, total - query.Skip), query.First))
        {
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "CEN reported {0} for RUT {1}, but the pages ended after {2} of the {3} asked for: a page came back with fewer rows than its Filas. The total may have changed while paging, or Khipu gives fewer rows per page than -PageSize {4}; run the query again, with a smaller -PageSize, or continue with -Skip {5}.",
                Errors.MessageText.Count(total, "nonconformity", "nonconformities"),
                query.RutDeudor,
                written,
                Errors.MessageText.Count(Math.Min(total - query.Skip, query.First), "row"),
                query.PageSize,
                query.Skip + written));
        }
    }

    private async IAsyncEnumerable<CenNonconformity> ReadCenQueryAsync(
        CenQuery query,
        bool accountCredentialRequired,
        CenPagingState state,
        Action<CenPagingState>? onPage,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Validate everything (including the first page's request) before the first request.
        var request = CenRequest(query, 0, accountCredentialRequired);
        if (query.First == 0)
        {
            // No row is wanted, so no page is: the first one would be billed for nothing (it was, and gave one row).
            yield break;
        }

        var pageSize = query.PageSize;
        var page = (int)Math.Min(int.MaxValue, query.Skip / pageSize);
        var skipOnFirstPage = (int)(query.Skip % pageSize);
        request = CenRequest(query, page, accountCredentialRequired);

        // The first page's rows are held until it is read, and handed out under the union of their fields: the
        // columns of the whole query. Rows read before a failure are still handed out before it.
        var firstPage = new FirstPageRead();
        var info = new KhipuCallInfo();
        FlatColumns? columns = null;
        long emitted = 0;
        var firstPageRows = ReadFirstCenPageAsync(request, query, page, skipOnFirstPage, state, info, firstPage, trace, cancellationToken);
        await foreach (var (row, fields) in FlatColumns.ShareAsync(firstPageRows, row => row.ItemFields, null, built => columns = built).ConfigureAwait(false))
        {
            // The page is read (up to the rows wanted) before its rows leave: they carry what its answer gave after
            // them, whatever its size.
            row.SetArrangedFields(fields);
            row.OperationId ??= info.OperationId;
            row.AdditionalInformation ??= info.AdditionalInformation;
            row.TotalCount ??= state.TotalCount;
            emitted++;
            yield return row;
        }

        CountPage(state, pageSize, onPage);
        if (firstPage.Rows == 0)
        {
            WarnOfNoteWithoutRows(trace, "CEN nonconformities of RUT " + query.RutDeudor, info);
        }

        if (emitted >= query.First)
        {
            yield break;
        }

        if (firstPage.Rows < pageSize)
        {
            // A short page is the last one, unless the total says rows remain after it. Then, for the first page (the
            // same rows whatever the page size), the server gives fewer rows per page than Filas asked for: the rest
            // is read in pages of the size it gave, which every server answers alike. Further on, which rows a capped
            // page held is not known, so the count against the total warns instead.
            if (firstPage.Rows == 0 || state.TotalCount is not { } reported || (long)page * pageSize + firstPage.Rows >= reported)
            {
                yield break;
            }

            var cappedSize = firstPage.Rows;
            var pagesAtCappedSize = (reported - 1) / cappedSize;
            if (page != 0 || pagesAtCappedSize > query.MaxPagesWithoutTotal)
            {
                // Past the first page, a capped server's page holds rows other than those -Skip points to; and a cap far
                // below the total would bill a page per handful of rows. Neither is guessed at: the user chooses.
                trace.Warn(string.Format(
                    CultureInfo.InvariantCulture,
                    "CEN answered Paginas {0} for RUT {1} with {2} of the {3} Filas asked for, though it reports {4}: Khipu seems to give at most {2} per page. {5}Run the query with -PageSize {2} to page at that size.",
                    page,
                    query.RutDeudor,
                    cappedSize,
                    Errors.MessageText.Count(pageSize, "row"),
                    Errors.MessageText.Count(reported, "nonconformity", "nonconformities"),
                    page != 0
                        ? "The rows written may not be those at -Skip (a server that pages at its own size counts its pages in that size). "
                        : string.Format(CultureInfo.InvariantCulture, "Reading the rest at that size would take {0}, more than {1}; the rest was not read. ", Errors.MessageText.Count(pagesAtCappedSize, "more billed request", "more billed requests"), query.MaxPagesWithoutTotal)));
                state.CappedPageWarned = true;
                yield break;
            }

            query = query.WithPageSize(cappedSize);
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "CEN answered Paginas 0 for RUT {0} with {1} of the {2} Filas asked for, though it reports {3}: Khipu seems to give at most {1} per page. The rest is read in pages of {1} (each a billed request); -PageSize {1} plans for that from the start.",
                query.RutDeudor,
                cappedSize,
                Errors.MessageText.Count(pageSize, "row"),
                Errors.MessageText.Count(reported, "nonconformity", "nonconformities")));
            pageSize = cappedSize;
        }

        if (state.TotalCount is not { } total)
        {
            await foreach (var row in FollowPagesWithoutTotalAsync(query, page, firstPage.FirstRow, emitted, columns, accountCredentialRequired, state, onPage, trace, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }

            yield break;
        }

        // Pages still wanted, by row position: from the next row wanted (the page after the first, or after a capped
        // first page the page of the new size that holds it) up to the total, and no further than First needs (those
        // would be billed for nothing).
        var nextWanted = query.Skip + emitted;
        var endWanted = Math.Min(total, query.First > long.MaxValue - query.Skip ? long.MaxValue : query.Skip + query.First);
        if (nextWanted >= endWanted)
        {
            yield break;
        }

        var lastPageOfTotal = (int)((total - 1) / pageSize);
        var nextPage = (int)(nextWanted / pageSize);
        var lastPage = (int)((endWanted - 1) / pageSize);
        var concurrency = Math.Max(1, query.PageConcurrency);
        trace?.Verbose(string.Format(CultureInfo.InvariantCulture, "CEN: {0} in {1} of {2}; fetching Paginas {3}..{4}, {5} at a time.", Errors.MessageText.Count(total, "nonconformity", "nonconformities"), Errors.MessageText.Count(lastPageOfTotal + 1, "page"), pageSize, nextPage, lastPage, concurrency));

        using var stopFetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var window = new Queue<Task<List<CenNonconformity>>>();
        try
        {
            while (window.Count < concurrency && nextPage <= lastPage)
            {
                window.Enqueue(FetchCenPageAsync(query, nextPage++, lastPageOfTotal + 1, columns, accountCredentialRequired, trace, stopFetching.Token));
            }

            while (window.Count > 0)
            {
                var rows = await window.Dequeue().ConfigureAwait(false);
                if (nextPage <= lastPage)
                {
                    window.Enqueue(FetchCenPageAsync(query, nextPage++, lastPageOfTotal + 1, columns, accountCredentialRequired, trace, stopFetching.Token));
                }

                CountPage(state, pageSize, onPage);
                foreach (var row in rows)
                {
                    if (row.Index < query.Skip)
                    {
                        // Before Skip: only on the page of the capped size that holds the first row wanted.
                        continue;
                    }

                    emitted++;
                    yield return row;
                    if (emitted >= query.First)
                    {
                        yield break;
                    }
                }

                if (rows.Count < pageSize)
                {
                    // A short page ends the result early (the total moved while paging).
                    yield break;
                }
            }
        }
        finally
        {
            // Stop the pages fetched ahead that nobody will read, and wait for them so no request outlives the call.
            stopFetching.Cancel();
            await ObserveAsync(window).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The pages after a full first page that gave no total (TotalDisconformidades missing or not a whole number).
    /// No later page can be planned, so pages are fetched one at a time (fetching ahead would bill pages past the
    /// end) while they come back full: a short or empty page is the last. A server that keeps answering full pages
    /// is stopped after <see cref="CenQuery.MaxPagesWithoutTotal"/> pages with an error that says where to go on.
    /// </summary>
    private async IAsyncEnumerable<CenNonconformity> FollowPagesWithoutTotalAsync(
        CenQuery query,
        int firstPage,
        string? firstPageFirstRow,
        long emitted,
        FlatColumns? columns,
        bool accountCredentialRequired,
        CenPagingState state,
        Action<CenPagingState>? onPage,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pageSize = query.PageSize;
        var maxPages = Math.Max(1, query.MaxPagesWithoutTotal);
        trace?.Verbose(string.Format(
            CultureInfo.InvariantCulture,
            "CEN: the answer for Paginas {0} has no TotalDisconformidades (or not a whole number), so the pages cannot be planned; fetching the next pages one at a time while they come back full with {1}, at most {2} in all.",
            firstPage,
            Errors.MessageText.Count(pageSize, "row"),
            Errors.MessageText.Count(maxPages, "page")));
        var pagesFetched = 1;
        var previousFirstRow = firstPageFirstRow;
        for (var nextPage = firstPage + 1; ; nextPage++)
        {
            if (pagesFetched >= maxPages || nextPage == int.MaxValue)
            {
                throw new KhipuProtocolException(string.Format(
                    CultureInfo.InvariantCulture,
                    "CEN: Khipu sent no TotalDisconformidades and {0} of {1} came back; stopped at the limit of {2} without a total, so more rows may exist. Continue with -Skip {3}, or use a larger -PageSize.",
                    Errors.MessageText.Count(pagesFetched, "full page"),
                    Errors.MessageText.Count(pageSize, "row"),
                    Errors.MessageText.Count(pagesFetched, "page"),
                    query.Skip + emitted));
            }

            var rows = await FetchCenPageAsync(query, nextPage, null, columns, accountCredentialRequired, trace, cancellationToken).ConfigureAwait(false);
            pagesFetched++;
            CountPage(state, pageSize, onPage);
            if (rows.Count > 0 && previousFirstRow is not null && string.Equals(rows[0].RawJson, previousFirstRow, StringComparison.Ordinal))
            {
                // A server that ignores Paginas answers every page with the same rows: each further page would be
                // billed for nothing, and its rows written twice.
                trace?.Verbose(string.Format(CultureInfo.InvariantCulture, "CEN: Paginas {0} starts with the first row of the page before; Khipu seems to ignore Paginas, so paging stops here and the repeated rows are not written.", nextPage));
                yield break;
            }

            previousFirstRow = rows.Count > 0 ? rows[0].RawJson : null;
            foreach (var row in rows)
            {
                emitted++;
                yield return row;
                if (emitted >= query.First)
                {
                    yield break;
                }
            }

            if (rows.Count < pageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The rows of a query's first page that are written: after those <paramref name="skip"/> leaves out on it, and no
    /// more than <see cref="CenQuery.First"/>. <paramref name="read"/> counts every row of the page read and keeps its
    /// first row's JSON text.
    /// </summary>
    private async IAsyncEnumerable<CenNonconformity> ReadFirstCenPageAsync(
        KhipuRequest request,
        CenQuery query,
        int page,
        int skip,
        CenPagingState state,
        KhipuCallInfo info,
        FirstPageRead read,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long written = 0;
        await foreach (var row in CallAsync(request, (reader, callInfo, token) => ReadCenPageAsync(reader, callInfo, query, page, state, token), info, CenPageLabel(page, null), trace, cancellationToken).ConfigureAwait(false))
        {
            read.Rows++;
            read.FirstRow ??= row.RawJson;
            if (read.Rows <= skip)
            {
                continue;
            }

            yield return row;
            if (++written >= query.First)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// One later page, read whole: its rows carry what its answer gave after them, and have the query's
    /// <paramref name="columns"/> (those of the first page's rows), each with any field of its own that is no column
    /// after them.
    /// </summary>
    private async Task<List<CenNonconformity>> FetchCenPageAsync(CenQuery query, int page, int? pageCount, FlatColumns? columns, bool accountCredentialRequired, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var request = CenRequest(query, page, accountCredentialRequired);
        var pageState = new CenPagingState();
        var info = new KhipuCallInfo();
        var rows = new List<CenNonconformity>(query.PageSize);
        await foreach (var row in CallAsync(request, (reader, callInfo, token) => ReadCenPageAsync(reader, callInfo, query, page, pageState, token), info, CenPageLabel(page, pageCount), trace, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        // The page is read whole before its rows leave: they carry the envelope's OperationId and AdditionalInformation
        // and the page's total whatever its size.
        foreach (var row in rows)
        {
            row.OperationId ??= info.OperationId;
            row.AdditionalInformation ??= info.AdditionalInformation;
            row.TotalCount ??= pageState.TotalCount;
            if (columns is not null)
            {
                row.SetArrangedFields(columns.Arrange(row.ItemFields, out _));
            }
        }

        return rows;
    }

    /// <summary>
    /// The rows of one page (a delivered result) under the same columns: the union of their fields, as the rows of a
    /// query's first page have.
    /// </summary>
    internal static void ShareColumns(IReadOnlyList<CenNonconformity> rows)
    {
        var builder = new FlatColumns.Builder();
        foreach (var row in rows)
        {
            builder.Add(row.ItemFields);
        }

        var columns = builder.Build();
        foreach (var row in rows)
        {
            row.SetArrangedFields(columns.Arrange(row.ItemFields, out _));
        }
    }

    /// <summary>
    /// Which page a CEN request is, for its trace lines and messages: counted from 1 as a reader counts, of the pages
    /// the total gives once the first page has told it, and with Khipu's zero-based Paginas the rows carry as Page.
    /// </summary>
    internal static string CenPageLabel(int page, int? pageCount) =>
        pageCount is { } count
            ? string.Format(CultureInfo.InvariantCulture, "page {0} of {1}, Paginas {2}", page + 1, count, page)
            : string.Format(CultureInfo.InvariantCulture, "page {0}, Paginas {1}", page + 1, page);

    private static void CountPage(CenPagingState state, int pageSize, Action<CenPagingState>? onPage)
    {
        state.PagesFetched++;
        if (state.TotalCount is { } total)
        {
            state.TotalPages = (int)Math.Ceiling(total / (double)pageSize);
        }

        onPage?.Invoke(state);
    }

    private static async Task ObserveAsync(IEnumerable<Task> tasks)
    {
        foreach (var task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception exception) when (exception is KhipuException or HttpRequestException or KhipuProtocolException or JsonException or IOException)
            {
                // A page nobody will read failed: the caller already has its answer (or its own error).
            }
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
        await LookAheadForEnvelopeFieldsAsync(reader, info, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType == JsonTokenType.Null)
        {
            yield break;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new KhipuProtocolException(string.Format(
                CultureInfo.InvariantCulture,
                "The CenNonconformity answer for RutDeudor {0}, Paginas {1} has a Data that is {2}, not an object holding NonconformitiesList; OperationId {3}.",
                query.RutDeudor,
                page,
                DescribeKind(reader.TokenType),
                info.OperationId ?? "none"));
        }

        var index = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!IsProperty(reader, "NonconformitiesList"))
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartObject)
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var totalRead = false;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (IsProperty(reader, "TotalDisconformidades"))
                {
                    var total = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
                    state.TotalCount = TotalOf(total, state.TotalCount);
                    totalRead = true;
                }
                else if (IsProperty(reader, "Disconformidades"))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartArray)
                    {
                        await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    // Sorted keys put Disconformidades first: each row carries the total, so it is looked for ahead.
                    if (!totalRead
                        && await reader.PeekFollowingPropertiesAsync(TotalField, cancellationToken).ConfigureAwait(false) is { } following
                        && following[0] is { } totalAfterList)
                    {
                        state.TotalCount = TotalOf(totalAfterList, state.TotalCount);
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
                            AdditionalInformation = info.AdditionalInformation,
                            OperationId = info.OperationId,
                            RetrievedAt = DateTimeOffset.UtcNow,
                            RawJson = element.GetRawText(),
                        };
                        row.SetItemFields(JsonFlattener.Flatten(element));
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

    /// <summary>TotalDisconformidades as a count; anything but a whole number that is not negative leaves <paramref name="current"/>.</summary>
    private static int? TotalOf(JsonElement total, int? current) => total.ValueKind switch
    {
        JsonValueKind.Number when total.TryGetInt32(out var n) && n >= 0 => n,
        JsonValueKind.String when int.TryParse(total.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 => n,
        _ => current,
    };

    /// <summary>What was read of a query's first page: how many rows (skipped ones too), and the first row's JSON text.</summary>
    private sealed class FirstPageRead
    {
        public int Rows { get; set; }

        public string? FirstRow { get; set; }
    }

    private static JsonElement ParseElement(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }
}
