using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Diagnostics;
using EnergyData.Http;
using EnergyData.Json;

namespace EnergyData.Neu;

/// <summary>
/// The NEU API client: every endpoint from <see cref="NeuRouteTable"/>, <c>Authorization: Bearer</c> (applied by the
/// connection's HttpClient), responses read as they stream and handed out as flat rows.
/// </summary>
public sealed partial class NeuClient
{
    // 4 reads of 64 KiB ahead (256 KiB per response being read): 8 and 16 gave no clear gain in the benchmark.
    private const int ReadAheadChunkBytes = 64 * 1024;
    private const int ReadAheadChunks = 4;

    private static readonly MediaTypeHeaderValue JsonMediaType = new(JsonMedia.Type);
    private static readonly JsonValueParser<JsonElement> ElementParser = static (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

    private readonly HttpClient http;
    private readonly NeuClientOptions options;
    private readonly SecureString? token;
    private int tokenChecked;

    /// <param name="token">The token the HttpClient sends, read here only for its exp claim; null skips the check.</param>
    public NeuClient(HttpClient httpClient, Uri baseUri, NeuRouteTable? routes = null, SecureString? token = null, NeuClientOptions? options = null)
    {
        http = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        BaseUri = baseUri ?? throw new ArgumentNullException(nameof(baseUri));
        Routes = routes ?? NeuRouteTable.Default;
        this.token = token?.Copy();
        this.token?.MakeReadOnly();
        this.options = options ?? new NeuClientOptions();
    }

    public Uri BaseUri { get; }

    public NeuRouteTable Routes { get; }

    /// <summary>What the token's exp claim says now (null when the client was made without the token).</summary>
    public NeuTokenStatus? GetTokenStatus() => token is null ? null : NeuTokenInspector.Inspect(token, options.Now());

    /// <summary>
    /// Before each request: the first time, warns when the token expires within a day or its exp has passed (a token
    /// that is not a JWT is said so at Verbose); later requests with a passed exp say so at Verbose. An expired token
    /// is still sent: NEU's document says nothing about expiry, a server may accept a token whose exp has passed (a
    /// static sample JWT, say), and a 401 decides (its error then mentions the exp).
    /// </summary>
    internal void CheckToken(IRequestTrace? trace)
    {
        if (token is null)
        {
            return;
        }

        var now = options.Now();
        var status = NeuTokenInspector.Inspect(token, now);
        var message = status.Describe(now);
        if (Interlocked.Exchange(ref tokenChecked, 1) == 0)
        {
            if (status.State is NeuTokenState.Expired or NeuTokenState.ExpiresSoon)
            {
                trace.Warn(message);
            }
            else
            {
                trace?.Verbose(message);
            }
        }
        else if (status.State == NeuTokenState.Expired)
        {
            trace?.Verbose(message);
        }
    }

    internal async Task<HttpResponseMessage> SendAsync(NeuRoute route, IReadOnlyDictionary<string, string>? pathValues, NeuBody? body, RequestContext context, CancellationToken cancellationToken)
    {
        CheckToken(context.Trace);
        var relative = route.Expand(pathValues);
        var isGet = route.Method == "GET";
        if (isGet && body is { IsEmpty: false })
        {
            // GET carries no body: its fields go in the query string under the same names.
            relative += (relative.Contains("?") ? "&" : "?") + body.ToQueryString();
        }

        using var message = new HttpRequestMessage(new HttpMethod(route.Method), new Uri(BaseUri, relative));
        if (!isGet && body is not null)
        {
            var json = body.ToJson();
            context.Trace?.Debug($"NEU {route.Name} request body: " + Redaction.RedactJson(Encoding.UTF8.GetString(json)));
            message.Content = new ByteArrayContent(json);
            message.Content.Headers.ContentType = JsonMediaType;
        }

        message.Headers.Accept.ParseAdd("application/json");
        message.SetRequestContext(context);
        var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ReadErrorAsync(response, route, context, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>
    /// Sends one request and streams the body to <paramref name="read"/>, logging its start at Debug.
    /// <paramref name="label"/> says which page of a paged read the request is ("page 3 of 6"), for its trace lines
    /// and messages; null for a request on its own.
    /// </summary>
    internal async IAsyncEnumerable<T> StreamAsync<T>(
        NeuRoute route,
        IReadOnlyDictionary<string, string>? pathValues,
        NeuBody? body,
        Func<JsonStreamReader, CancellationToken, IAsyncEnumerable<T>> read,
        string? label,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // No Khipu Error.Type here (AppliesKhipuErrorType stays false): NEU's errors are retried by their HTTP status.
        var context = new RequestContext(trace, options.MaxAttempts) { Label = RequestContext.JoinLabel(body?.InputLabel() ?? PathInputLabel(pathValues), label) };
        using var response = await SendAsync(route, pathValues, body, context, cancellationToken).ConfigureAwait(false);
        // NEU bodies run to hundreds of megabytes: they are read ahead of the parser (see ReadAheadStream), in reads
        // of 64 KiB, a quarter of the calls of the default 16 KiB.
        var content = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (DeclaredCharset.OtherThanUtf8(response.Content) is { } encoding)
        {
            trace?.Verbose($"NEU {route.Name} ({DescribeRequest(route, context.Label)}): the body is declared {encoding.WebName}, not UTF-8; it is re-encoded before it is read.");
            try
            {
                content = await DeclaredCharset.ToUtf8Async(content, encoding, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException exception)
            {
                throw UnreadableBody(route, response, context.Label, exception);
            }
        }

        var stream = new ReadAheadStream(content, ReadAheadChunkBytes, ReadAheadChunks);
        await using var readingAhead = stream.ConfigureAwait(false);
        var capture = trace is null ? null : new CaptureStream(stream, options.DebugBodyBytes);
        var readerOptions = new JsonStreamReaderOptions { InitialBufferSize = ReadAheadChunkBytes, MaxTotalBytes = options.MaxResponseBytes, MaxValueBytes = options.MaxValueBytes };
        using var reader = new JsonStreamReader((Stream?)capture ?? stream, readerOptions);

        // Enumerated by hand: a yield cannot sit in a try with a catch, and the reader's errors are caught to say
        // which answer they are about.
        var items = read(reader, cancellationToken).ConfigureAwait(false).GetAsyncEnumerator();
        try
        {
            // The document gives no status codes; 204 No Content (or a 2xx with an empty body) is how many REST servers
            // answer an empty result or a page past the last. It is no items, as an empty list is, so a paged read
            // ends there as it does on an empty page.
            if (await reader.IsEmptyAsync(cancellationToken).ConfigureAwait(false))
            {
                trace?.Verbose($"NEU {route.Name} ({DescribeRequest(route, context.Label)}): answered {(int)response.StatusCode} {response.ReasonPhrase} without a body; taken as no items.");
                yield break;
            }

            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync();
                }
                catch (Exception exception) when (exception is JsonException or NeuProtocolException || DeclaredCharset.IsUndecodableText(exception))
                {
                    throw UnreadableBody(route, response, context.Label, exception);
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
            await items.DisposeAsync();
            if (capture is not null)
            {
                trace!.Debug($"NEU {route.Name} response body: " + Redaction.RedactJson(capture.CapturedText()));
            }
        }
    }

    /// <summary>
    /// The id a route carries in its path (<c>neugets/{id}/</c>) as trace lines and messages name it, "id 41"; null
    /// when there is none. The route is named as configured, with its placeholder, so without this twelve accounts'
    /// failures read alike.
    /// </summary>
    private static string? PathInputLabel(IReadOnlyDictionary<string, string>? pathValues) =>
        pathValues is not null && pathValues.TryGetValue("id", out var id) ? "id " + id : null;

    /// <summary>The InvalidResponse error for a 2xx body that cannot be read, naming the status, the route and the input.</summary>
    private static NeuProtocolException UnreadableBody(NeuRoute route, HttpResponseMessage response, string? label, Exception exception) =>
        new(
            string.Format(CultureInfo.InvariantCulture, "NEU answered {0} {1} to {2} ({3}) with a body that cannot be read: {4}", (int)response.StatusCode, response.ReasonPhrase, route.Name, DescribeRequest(route, label), exception.Message),
            exception);

    /// <summary>A request as messages name it: "POST bills/", with the page of a paged read ("POST bills/, page 3").</summary>
    private static string DescribeRequest(NeuRoute route, string? label) =>
        string.IsNullOrEmpty(label) ? route.ToString() : route + ", " + label;

    /// <summary>
    /// Reads a list response: a JSON array streams element by element; an object with a <c>data</c> array gives its
    /// elements and its nextPage/maxPage/total; any other object is one item, unless nothing but paging fields and
    /// null values are in it (<c>"data": null</c>, or the flat due-date shape without a bill), which gives none.
    /// Paging fields found on array elements (the due-date shape of the document) are taken too. With
    /// <paramref name="rowsOnly"/> (the typed readers), an element that holds nothing but paging fields and null values
    /// is no row either, in an array (its paging is taken) or in a data list; Invoke-NeuRequest keeps every element.
    /// </summary>
    internal static async IAsyncEnumerable<JsonElement> ReadItemsAsync(JsonStreamReader reader, NeuPageInfo page, bool rowsOnly, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield break;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray:
                await foreach (var element in reader.ReadArrayAsync(ElementParser, cancellationToken).ConfigureAwait(false))
                {
                    if (rowsOnly && IsPagingOnly(element))
                    {
                        // Paging fields and nulls alone (the due-date shape's "no bill due", or a summary after the
                        // rows), as in the flat answer: the page's paging, but no row.
                        page.ReadPaging(element);
                        continue;
                    }

                    if (page.ItemCount == 0)
                    {
                        page.ReadPaging(element);
                        page.FirstItemText = element.GetRawText();
                    }

                    page.ItemCount++;
                    page.LastItem = element;
                    yield return element;
                }

                break;
            case JsonTokenType.StartObject:
                var root = await reader.ReadElementAsync(cancellationToken).ConfigureAwait(false);
                page.ReadPaging(root);
                var fields = new NeuFields(root);
                if (fields.Get("data") is { ValueKind: JsonValueKind.Array } data)
                {
                    page.Envelope = root;
                    foreach (var element in data.EnumerateArray())
                    {
                        if (rowsOnly && IsPagingOnly(element))
                        {
                            continue;
                        }

                        page.FirstItemText ??= element.GetRawText();
                        page.ItemCount++;
                        page.LastItem = element;
                        yield return element;
                    }
                }
                else if (!IsPagingOnly(root))
                {
                    page.FirstItemText = root.GetRawText();
                    page.ItemCount = 1;
                    page.LastItem = root;
                    yield return root;
                }

                break;
            case JsonTokenType.Null:
                break;
            default:
                throw new NeuProtocolException($"The NEU response is neither a JSON array nor an object (it starts with {reader.TokenType}).");
        }
    }

    /// <summary>
    /// Pages <paramref name="afterPage"/>+1 .. <paramref name="lastPage"/> fetched <see cref="NeuPaging.PageConcurrency"/>
    /// at a time (each page is one request, none is fetched twice, none beyond what -First needs), yielded in order;
    /// the caller writes their rows through <paramref name="rows"/>, and no item is yielded once it is full.
    /// The server counted every one of them (lastPage is at most its maxPage), so a page that repeats the one before
    /// it is written, as on the sequential path, and only said at Verbose; <paramref name="previous"/> is the
    /// signature of page <paramref name="afterPage"/>.
    /// </summary>
    private async IAsyncEnumerable<NeuPagedItem> ReadRemainingPagesAsync(
        NeuRoute route,
        Func<int, (IReadOnlyDictionary<string, string>? PathValues, NeuBody? Body)> requestForPage,
        int afterPage,
        int lastPage,
        NeuPageSignature previous,
        int pageSize,
        NeuRowWindow rows,
        NeuPaging paging,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        trace?.Verbose($"NEU {route.Name}: pages {afterPage + 1}..{lastPage} follow; fetching {paging.PageConcurrency} at a time.");
        using var stopFetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var window = new Queue<Task<(int Page, NeuPageInfo Info, List<JsonElement> Items)>>();
        var nextPage = afterPage + 1;

        // Another page is fetched only while the pages fetched and not yet written, at pageSize rows each (the first
        // page's), fall short of the rows -Skip and -First still want. Rows are counted as the caller writes them (an
        // item can give no row, or several), so this is asked again after each page is written, not worked out once.
        // In doubles: without -First, the rows remaining are long.MaxValue less the rows written, past long's range
        // once multiplied.
        void FetchWhileRowsAreWanted(int dequeuedPages)
        {
            while (window.Count < paging.PageConcurrency && nextPage <= lastPage
                && (double)rows.ToSkip + rows.Remaining > (double)(window.Count + dequeuedPages) * pageSize)
            {
                window.Enqueue(FetchPageAsync(route, requestForPage, nextPage++, lastPage, trace, stopFetching.Token));
            }
        }

        try
        {
            FetchWhileRowsAreWanted(0);

            // Once -First is met the pages still in the window are abandoned unread (the finally below), not awaited here.
            while (window.Count > 0 && !rows.IsFull)
            {
                var (page, info, items) = await window.Dequeue().ConfigureAwait(false);
                FetchWhileRowsAreWanted(1);

                paging.Report(page, info.MaxPage, info.Total);
                if (RepeatsPreviousPage(info, previous))
                {
                    // Pages come out in order, so the page compared with is the one just written, as when sequential.
                    if (AnswersAnEarlierPage(info, page))
                    {
                        ReportRepeatedPage(route, page, page - 1, trace);
                        yield break;
                    }

                    ReportCountedRepeatedPage(route, page, page - 1, trace);
                }

                previous = info.Signature();
                foreach (var item in items)
                {
                    if (rows.IsFull)
                    {
                        yield break;
                    }

                    yield return new NeuPagedItem(item, page, info.Envelope);
                }

                if (items.Count == 0)
                {
                    yield break;
                }

                FetchWhileRowsAreWanted(0);
            }
        }
        finally
        {
            // Stop the pages fetched ahead that nobody will read, and wait for them so no request outlives the call.
            stopFetching.Cancel();
            foreach (var pending in window)
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Whatever an abandoned page failed with (see below) is not the call's failure.
                catch (Exception exception) when (exception is not (OutOfMemoryException or StackOverflowException or AccessViolationException))
#pragma warning restore CA1031
                {
                    // A page nobody will read failed: the caller already has its answer (all its rows were written, or
                    // an empty page ended the pages), or is leaving with its own error. Any failure of such a page is
                    // swallowed, not a chosen list of types: a timeout (RequestTimeoutException), a 503
                    // (ServiceUnavailableException), a refused redirect, a body over the size limits... would
                    // otherwise turn a call that ended cleanly into an error. Only failures of the process itself pass.
                }
            }
        }
    }

    private async Task<(int Page, NeuPageInfo Info, List<JsonElement> Items)> FetchPageAsync(
        NeuRoute route,
        Func<int, (IReadOnlyDictionary<string, string>? PathValues, NeuBody? Body)> requestForPage,
        int page,
        int pageCount,
        IRequestTrace? trace,
        CancellationToken cancellationToken)
    {
        var info = new NeuPageInfo();
        var (pathValues, body) = requestForPage(page);
        var items = new List<JsonElement>();
        await foreach (var item in StreamAsync(route, pathValues, body, (reader, token) => ReadItemsAsync(reader, info, rowsOnly: true, token), PageLabel(page, pageCount), trace, cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return (page, info, items);
    }

    /// <summary>
    /// The items of one page of <see cref="ReadPagesAsync"/>. In <see cref="NeuPagingMode.UntilEmpty"/>, a 404 or 400
    /// for a page after the first ends the pages instead of failing (it is left in <see cref="NeuPageInfo.PastLastPage"/>):
    /// those endpoints send no page count, so the page after the last is always asked for, and common server frameworks
    /// (Django REST Framework, Flask-SQLAlchemy) answer it with 404 or 400 rather than an empty list. The first page's
    /// errors stay errors: a wrong route or body fails there.
    /// </summary>
    private async IAsyncEnumerable<JsonElement> ReadPageAsync(
        NeuRoute route,
        IReadOnlyDictionary<string, string>? pathValues,
        NeuBody? body,
        int page,
        int? pageCount,
        NeuPagingMode mode,
        NeuPageInfo info,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Enumerated by hand: a yield cannot sit in a try with a catch, and only the request (the first move) is caught.
        var label = mode == NeuPagingMode.Single ? null : PageLabel(page, pageCount);
        var items = StreamAsync(route, pathValues, body, (reader, token) => ReadItemsAsync(reader, info, rowsOnly: true, token), label, trace, cancellationToken).ConfigureAwait(false).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync();
                }
                catch (NeuException exception) when (mode == NeuPagingMode.UntilEmpty && page > 1 && info.ItemCount == 0
                    && exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
                {
                    info.PastLastPage = exception;
                    more = false;
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
            await items.DisposeAsync();
        }
    }

    /// <summary>
    /// Which page of a paged read a request is, for its trace lines and messages: "page 3", or "page 3 of 6" once a
    /// page before it has told how many there are (its maxPage, when that counts this page).
    /// </summary>
    internal static string PageLabel(int page, int? pageCount) =>
        pageCount is { } count && count >= page
            ? string.Format(CultureInfo.InvariantCulture, "page {0} of {1}", page, count)
            : string.Format(CultureInfo.InvariantCulture, "page {0}", page);

    /// <summary>
    /// Whether the page being read starts with the row the previous page started with, the first condition of
    /// <see cref="RepeatsPreviousPage"/>: a page that does not can be written as it is read.
    /// </summary>
    private static bool StartsLikePreviousPage(NeuPageInfo info, NeuPageSignature? previous) =>
        previous?.FirstItemText is { } previousFirstItem
        && string.Equals(info.FirstItemText, previousFirstItem, StringComparison.Ordinal);

    /// <summary>
    /// Whether the page just read (all of it) repeats the previous page: the same number of rows, the same first row
    /// and the same last row. A server that ignores the page number answers every page with the first; one that
    /// counts no pages would be asked for page after page. The first row alone is not enough: notifications and
    /// interactions have no id, so two different pages can start with the same row (a notification sent in bulk).
    /// </summary>
    private static bool RepeatsPreviousPage(NeuPageInfo info, NeuPageSignature? previous) =>
        previous is not null
        && StartsLikePreviousPage(info, previous)
        && info.ItemCount == previous.ItemCount
        && string.Equals(info.LastItem?.GetRawText(), previous.LastItemText, StringComparison.Ordinal);

    /// <summary>
    /// Whether the page's own nextPage does not point past it: the server answered as it would for an earlier page, so
    /// it ignored the page number it was sent (it is not told where NEU expects it). This is what tells such a server
    /// from one that fills every counted page with the same rows (whose nextPage moves on), so only the first server's
    /// repeated pages are dropped. Only known when nextPage comes before the rows, as the document writes it.
    /// </summary>
    private static bool AnswersAnEarlierPage(NeuPageInfo info, int page) => info.HasNextPage && info.NextPage is { } next && next <= page;

    private static void ReportRepeatedPage(NeuRoute route, int page, int previousPage, IRequestTrace? trace) =>
        trace?.Verbose($"NEU {route.Name}: page {page} repeats page {previousPage} (the same number of rows, first row and last row), and no paging field shows the server read the page number (none counts that page, or its own nextPage does not move past it); the server seems to ignore the page number, so paging stops here and the repeated rows are not written.");

    private static void ReportCountedRepeatedPage(NeuRoute route, int page, int previousPage, IRequestTrace? trace) =>
        trace?.Verbose($"NEU {route.Name}: page {page} has the same rows as page {previousPage} (the same number of rows, first row and last row); its rows are written because the server's maxPage, nextPage or total counts that page. A server that ignores the page number would answer the same way.");

    /// <summary>
    /// Follows every page of a paged endpoint. Pages are followed by the nextPage/maxPage the server sends (with nextPage
    /// but no maxPage, until a page without items); without them, <see cref="NeuPagingMode.UntilEmpty"/> asks for the
    /// next page until one comes back empty, and <see cref="NeuPagingMode.Envelope"/> while fewer rows than the total
    /// have come (with no total either, it makes one request). A page the server's
    /// paging fields count (<see cref="NeuPageInfo.Counts"/>) is written whatever its rows: the document's own example
    /// is 60 notifications in 3 pages, and a server may fill every page with the same rows; the count already bounds
    /// the requests. A page that no count covers and that repeats the previous one (<see cref="RepeatsPreviousPage"/>)
    /// ends the pages: without it, a server that ignores the page number would be asked for pages until MaxPages.
    /// The caller writes the rows through <paramref name="rows"/> (-Skip and -First count rows written, which are not
    /// always the items: a bill can give several concept rows); once it is full no further item is yielded and no
    /// further page asked for.
    /// </summary>
    internal async IAsyncEnumerable<NeuPagedItem> ReadPagesAsync(
        NeuRoute route,
        Func<int, (IReadOnlyDictionary<string, string>? PathValues, NeuBody? Body)> requestForPage,
        NeuPagingMode mode,
        NeuPaging? paging,
        NeuRowWindow rows,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // -First 0 asks for no rows: no page is requested (and no total known), as Select-Object -First 0 writes nothing.
        if (rows.IsFull)
        {
            yield break;
        }

        NeuPageSignature? previous = null;
        NeuPageInfo? previousInfo = null;
        long itemsRead = 0;
        var previousPage = 0;
        var page = 1;
        while (true)
        {
            var info = new NeuPageInfo();
            var (pathValues, body) = requestForPage(page);
            var repeatsPreviousPage = false;
            var counted = previousInfo is not null && previousInfo.Counts(page, itemsRead);

            // A page no count covers that starts with the previous page's first row may repeat it: its rows are held
            // back until the page is complete and can be compared (otherwise every row of page 1 would be written
            // twice). Any other page streams as it is read.
            List<JsonElement>? held = null;
            await foreach (var item in ReadPageAsync(route, pathValues, body, page, previousInfo?.MaxPage, mode, info, trace, cancellationToken).ConfigureAwait(false))
            {
                if ((!counted || AnswersAnEarlierPage(info, page)) && info.ItemCount == 1 && StartsLikePreviousPage(info, previous))
                {
                    held = [];
                }

                if (held is not null)
                {
                    held.Add(item);
                    continue;
                }

                if (rows.IsFull)
                {
                    break;
                }

                yield return new NeuPagedItem(item, page, info.Envelope);
            }

            if (held is not null && RepeatsPreviousPage(info, previous))
            {
                repeatsPreviousPage = true;
            }
            else if (held is not null)
            {
                foreach (var item in held)
                {
                    if (rows.IsFull)
                    {
                        break;
                    }

                    yield return new NeuPagedItem(item, page, info.Envelope);
                }
            }

            if (info.PastLastPage is { } pastLastPage)
            {
                trace?.Verbose($"NEU {route.Name}: page {page} was answered {(int)pastLastPage.StatusCode!.Value}, which is how common server frameworks (Django REST Framework, Flask-SQLAlchemy) answer a page past the last; taken as the end of the pages, not as an error. ({pastLastPage.Message})");
                yield break;
            }

            paging?.Report(page, info.MaxPage, info.Total);
            if (paging is not null && info.Total is { } total)
            {
                paging.TotalCount = total;
            }

            if (mode == NeuPagingMode.Single || rows.IsFull)
            {
                yield break;
            }

            if (repeatsPreviousPage)
            {
                ReportRepeatedPage(route, page, previousPage, trace);
                yield break;
            }

            if (counted && RepeatsPreviousPage(info, previous))
            {
                ReportCountedRepeatedPage(route, page, previousPage, trace);
            }

            itemsRead += info.ItemCount;

            if (mode == NeuPagingMode.Envelope && info.MaxPage is { } lastKnownPage && lastKnownPage > page && paging is { PageConcurrency: > 1 } && info.ItemCount > 0)
            {
                // The first page told how many there are: fetch the rest a few at a time, yield them in page order. The
                // server's count is bounded by MaxPages as the sequential path is: a count of a million pages from a
                // server that ignores the page number would otherwise be a million requests.
                if (lastKnownPage > options.MaxPages)
                {
                    trace?.Verbose($"NEU {route.Name}: the server counts {lastKnownPage} pages; only the first {options.MaxPages} are read (MaxPages).");
                    lastKnownPage = options.MaxPages;
                }

                await foreach (var item in ReadRemainingPagesAsync(route, requestForPage, page, lastKnownPage, info.Signature(), info.ItemCount, rows, paging, trace, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }

                yield break;
            }

            int? next;
            if (info.MaxPage is { } maxPage)
            {
                next = page >= maxPage ? null : info.NextPage is { } n && n > page ? n : page + 1;
            }
            else if (info.HasNextPage)
            {
                // Without maxPage, nextPage alone does not bound the pages: a server that answers every page past its
                // last rows with an empty list and nextPage n+1 would be asked for pages until MaxPages. A page without
                // items ends them, as it does on the UntilEmpty path (maxPage, when sent, is trusted instead: above).
                next = info.ItemCount > 0 && info.NextPage is { } n && n > page ? n : null;
            }
            else if (mode == NeuPagingMode.UntilEmpty && info.ItemCount > 0)
            {
                next = page + 1;
            }
            else if (info.Total is { } rowsCounted && itemsRead < rowsCounted && info.ItemCount > 0)
            {
                // total alone (neither nextPage nor maxPage) still counts the rows still to come, and the documents
                // promise that a page is asked for while fewer rows than total have come. The pages stay bounded: an
                // empty page ends them, pages of rows reach the total, and MaxPages caps a total that is never reached.
                next = page + 1;
            }
            else
            {
                next = null;
            }

            if (next is null)
            {
                yield break;
            }

            if (next.Value > options.MaxPages)
            {
                trace?.Verbose($"NEU {route.Name}: stopped after {options.MaxPages} pages (MaxPages).");
                yield break;
            }

            previous = info.Signature();
            previousInfo = info;
            previousPage = page;
            page = next.Value;
        }
    }

    /// <summary>
    /// Whether an element is an object with nothing but paging fields and null values: paging, not an item. A null
    /// field says nothing, so <c>"data": null</c> beside paging fields is an empty list envelope, and the due-date
    /// answer in the document's flat shape with no bills (<c>{"nextPage":null,"maxPage":0,"total":0,"service":null,...}</c>)
    /// is an empty page, not one row with every field null.
    /// </summary>
    private static bool IsPagingOnly(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null && !NeuPageInfo.IsPagingField(property.Name))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<Exception> ReadErrorAsync(HttpResponseMessage response, NeuRoute route, RequestContext context, CancellationToken cancellationToken)
    {
        var text = string.Empty;
        if (response.Content is not null)
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[options.MaxErrorBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var encoding = DeclaredCharset.OtherThanUtf8(response.Content) ?? Encoding.UTF8;
            text = Redaction.RedactJson(ByteOrderMark.Skip(encoding.GetString(buffer, 0, length)));
        }

        // The server's text is a sentence of its own, ended here so that what follows does not run on from it.
        var detail = DescribeErrorBody(text) is { Length: > 0 } said ? " " + Errors.MessageText.EndSentence(said) : string.Empty;
        var status = (int)response.StatusCode;
        var request = DescribeRequest(route, context.Label);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var expiry = GetTokenStatus() is { State: NeuTokenState.Expired } expired ? " " + expired.DescribeRefusal(options.Now()) : string.Empty;
            return new AuthenticationException(
                $"NEU refused the token (401 Unauthorized) for {route.Name} ({request}).{expiry}{detail} Check -NeuToken of Connect-EnergyData.",
                status,
                null);
        }

        // The resilience handler waits for a Retry-After up to MaxRetryAfter; a longer one, or one on the last attempt,
        // ends here, and the user is told how long NEU asked to wait rather than only -Verbose.
        var now = options.Now();
        var retryAfter = RetryAfter.WaitAskedBy(response, now);
        DateTimeOffset? earliestRetry = retryAfter is { } wait ? now + wait : null;
        var asked = retryAfter is { } delay ? " NEU asked to wait " + TimeFormat.Wait(delay, earliestRetry) + " before trying again." : string.Empty;
        return new NeuException(
            string.Format(CultureInfo.InvariantCulture, "NEU answered {0} {1} to {2} ({3}).{4}{5}", status, response.ReasonPhrase, route.Name, request, detail, asked),
            response.StatusCode,
            route.Name + " " + route,
            text.Length > options.DebugBodyBytes ? text.Substring(0, options.DebugBodyBytes) : text)
        {
            Attempts = context.Attempts,
            RetryAfter = retryAfter,
            EarliestRetry = earliestRetry,
        };
    }

    /// <summary>What the error body says (its message, detail or error field, or else the body), shortened; null for none.</summary>
    private static string? DescribeErrorBody(string text) =>
        string.IsNullOrWhiteSpace(text) ? null : Excerpt(text);

    /// <summary>
    /// What a body says, short: its message, detail or error text when it is a JSON object with one (how REST
    /// frameworks write errors), otherwise the text itself; cut to 300 characters. <paramref name="redactedText"/> is
    /// already redacted.
    /// </summary>
    private static string Excerpt(string redactedText)
    {
        try
        {
            using var document = JsonDocument.Parse(redactedText);
            var fields = new NeuFields(document.RootElement);
            var message = fields.String("message") ?? fields.String("detail") ?? fields.String("error");
            return Shorten(message ?? redactedText);
        }
        catch (JsonException)
        {
            return Shorten(redactedText);
        }
    }

    /// <summary>
    /// The error for an item of a 2xx answer that has none of the fields of the rows its route gives (see
    /// ExpandPagedAsync): it names the route and the page, and quotes the item (redacted, short) so that an error sent
    /// with a success status shows what it said.
    /// </summary>
    private static NeuProtocolException NotARow(NeuRoute route, string? label, JsonElement item) =>
        new(string.Format(
            CultureInfo.InvariantCulture,
            "NEU answered {0} ({1}) with an object that has none of the fields of its rows: '{2}'. The answer is not in a shape this module reads (an error sent with a success status, say), so it is not written as a row of empty fields.",
            route.Name,
            DescribeRequest(route, label),
            Excerpt(Redaction.RedactJson(item.GetRawText()))));

    /// <summary>A text on one line, cut to 300 characters: what an error message quotes of an answer.</summary>
    internal static string Shorten(string text)
    {
        var flat = text.Replace('\r', ' ').Replace('\n', ' ').Trim();
        return flat.Length <= 300 ? flat : flat.Substring(0, 300) + "...";
    }
}

/// <summary>How a paged endpoint is followed.</summary>
internal enum NeuPagingMode
{
    /// <summary>One request.</summary>
    Single,

    /// <summary>Follow nextPage/maxPage when the server sends them, or total alone; with none of them, one request.</summary>
    Envelope,

    /// <summary>Follow nextPage/maxPage when sent; otherwise ask for the next page until an empty one.</summary>
    UntilEmpty,
}

internal readonly struct NeuPagedItem
{
    public NeuPagedItem(JsonElement item, int page, JsonElement? envelope)
    {
        Item = item;
        Page = page;
        Envelope = envelope;
    }

    public JsonElement Item { get; }

    public int Page { get; }

    /// <summary>The object whose <c>data</c> list holds the item (see <see cref="NeuPageInfo.Envelope"/>); null otherwise.</summary>
    public JsonElement? Envelope { get; }
}

/// <summary>What one page said about paging.</summary>
internal sealed class NeuPageInfo
{
    public int? NextPage { get; private set; }

    public bool HasNextPage { get; private set; }

    public int? MaxPage { get; private set; }

    public long? Total { get; private set; }

    public int ItemCount { get; set; }

    /// <summary>
    /// The answer object around the page's items when they came from its <c>data</c> list (null for an array answer or
    /// one bare object): the fields written once beside the list are read there (see <see cref="NeuFields.Envelope"/>).
    /// </summary>
    public JsonElement? Envelope { get; set; }

    public string? FirstItemText { get; set; }

    /// <summary>The last row read so far: the page's last row once it is read.</summary>
    public JsonElement? LastItem { get; set; }

    /// <summary>The 404 or 400 that ended the pages of an UntilEmpty endpoint (see NeuClient.ReadPageAsync); null otherwise.</summary>
    public NeuException? PastLastPage { get; set; }

    public static bool IsPagingField(string name) =>
        string.Equals(name, "nextPage", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "maxPage", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "total", StringComparison.OrdinalIgnoreCase);

    public void ReadPaging(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var fields = new NeuFields(element);
        if (element.TryGetProperty("nextPage", out _) || fields.Get("nextPage") is not null)
        {
            HasNextPage = true;
            NextPage = fields.Int("nextPage");
        }

        MaxPage = fields.Int("maxPage") ?? MaxPage;
        Total = fields.Long("total") ?? Total;
    }

    /// <summary>
    /// Whether this page's paging fields count <paramref name="page"/> among the server's pages: it is within maxPage,
    /// it is the nextPage, or fewer rows than total have been read (<paramref name="itemsRead"/>, on every page so far).
    /// </summary>
    public bool Counts(int page, long itemsRead) =>
        (MaxPage is { } maxPage && page <= maxPage)
        || (HasNextPage && NextPage == page)
        || (Total is { } total && itemsRead < total);

    /// <summary>What the next page is compared with (see NeuClient.RepeatsPreviousPage); taken once the page is read.</summary>
    public NeuPageSignature Signature() => new(ItemCount, FirstItemText, LastItem?.GetRawText());
}

/// <summary>
/// -Skip and -First over the rows written from all the pages, whichever path reads them (one page after another, or
/// several at a time): rows are dropped while some are still to skip, then written until -First is met. The rows are
/// those written after mapping (a bill's concepts, a rule's firings), which the paging paths stop on.
/// </summary>
internal sealed class NeuRowWindow
{
    private readonly long first;

    public NeuRowWindow(long skip, long first)
    {
        ToSkip = skip;
        this.first = first;
    }

    /// <summary>Rows still to drop.</summary>
    public long ToSkip { get; private set; }

    /// <summary>Rows written so far.</summary>
    public long Emitted { get; private set; }

    /// <summary>Rows still to write before -First is met.</summary>
    public long Remaining => first - Emitted;

    /// <summary>-First is met: no more rows are written.</summary>
    public bool IsFull => Emitted >= first;

    /// <summary>Whether the next row is written (and counted); false when -Skip drops it. Check <see cref="IsFull"/> first.</summary>
    public bool Take()
    {
        if (ToSkip > 0)
        {
            ToSkip--;
            return false;
        }

        Emitted++;
        return true;
    }
}

/// <summary>A page as the next one is compared with it: its row count, and its first and last rows as JSON text.</summary>
internal sealed class NeuPageSignature(int itemCount, string? firstItemText, string? lastItemText)
{
    public int ItemCount { get; } = itemCount;

    public string? FirstItemText { get; } = firstItemText;

    public string? LastItemText { get; } = lastItemText;
}

/// <summary>-First/-Skip and progress for a paged call. Progress is called once per page, on a worker thread.</summary>
public sealed class NeuPaging
{
    public long Skip { get; set; }

    public long First { get; set; } = long.MaxValue;

    /// <summary>Pages fetched at the same time once the first page has told how many there are (1 = one after another).</summary>
    public int PageConcurrency { get; set; } = 1;

    /// <summary>Called after each page with (page, maxPage or null, total or null).</summary>
    public Action<int, int?, long?>? PageRead { get; set; }

    /// <summary>The total the server reported, when it did.</summary>
    public long? TotalCount { get; internal set; }

    /// <summary>Pages read so far.</summary>
    public int PagesRead { get; private set; }

    internal void Report(int page, int? maxPage, long? total)
    {
        PagesRead++;
        PageRead?.Invoke(page, maxPage, total);
    }
}
