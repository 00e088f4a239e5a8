using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Get-CenNonconformity: nonconformities (disconformidades) from the Coordinador Eléctrico Nacional platform,
/// every page of the result, with -First, -Skip and -IncludeTotalCount.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CenNonconformity", SupportsPaging = true)]
[OutputType(typeof(CenNonconformity), typeof(KhipuOperation))]
public sealed class GetCenNonconformityCommand : KhipuCmdlet
{
    // The item fields of the first row written, given to every later row (see RowFieldProperties).
    private readonly RowFieldProperties fieldProperties = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RutDeudor", "Rut")]
    [AllowEmptyString]
    public string DebtorRut { get; set; } = string.Empty;

    /// <summary>First case-creation date (sent as MM/DD/YYYY).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("FechaCreacionDelCasoDesde", "Desde")]
    [CheckedConversion("From", typeof(DateTime))]
    public DateTime From { get; set; }

    /// <summary>Last case-creation date (sent as MM/DD/YYYY).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("FechaCreacionDelCasoHasta", "Hasta")]
    [CheckedConversion("To", typeof(DateTime))]
    public DateTime To { get; set; }

    /// <summary>Rows per page (Filas): each page is one billed request.</summary>
    [Parameter]
    [Alias("Filas")]
    [ValidateRange(Validation.InputRules.CenPageSizeMin, Validation.InputRules.CenPageSizeMax)]
    public int PageSize { get; set; } = Validation.InputRules.CenDefaultPageSize;

    /// <summary>RequestData.AccountCredential, required by Khipu with API-key authentication; the session's when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AccountCredential]
    public PSCredential? AccountCredential { get; set; }

    /// <summary>Asynchronous mode: submits the page that -Skip points to; its rows are POSTed to this URL.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? CallbackUrl { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryGetAccountCredential(AccountCredential, DebtorRut, out var accountCredential))
        {
            return;
        }

        var query = new CenQuery
        {
            RutDeudor = DebtorRut,
            From = From,
            To = To,
            PageSize = PageSize,
            Skip = (long)Math.Min(PagingParameters.Skip, long.MaxValue),
            First = (long)Math.Min(PagingParameters.First, long.MaxValue),
            AccountCredential = accountCredential,
            PageConcurrency = ThrottleLimit,
        };
        var required = ResolvedConnection.KhipuRequiresAccountCredential;
        if (!TryChooseCallbackUrl(CallbackUrl, DebtorRut, out var callback))
        {
            return;
        }

        var includeTotal = PagingParameters.IncludeTotalCount.IsPresent;
        if (callback is not null)
        {
            var page = (int)Math.Min(int.MaxValue, query.Skip / Math.Max(1, query.PageSize));
            Submit(query.RutDeudor, context =>
            {
                var request = KhipuClient.CenRequest(query, page, required, callback);

                // -First 0 asks for no rows: the input is checked, but no page is submitted (billed), as without -CallbackUrl.
                return query.First == 0 ? Task.CompletedTask : context.WriteResultAsync(SubmitOperationAsync(request, query.RutDeudor, context));
            });
            return;
        }

        Submit(query.RutDeudor, async context =>
        {
            var state = new CenPagingState();
            var activityId = NewProgressActivityId();

            // -IncludeTotalCount writes the total ahead of the rows, as PowerShell's paging convention has it, once a page
            // has reported it (the first, in practice: it is read whole before its rows leave).
            var totalWritten = false;
            IEnumerable<object> TotalFirst(CenNonconformity row)
            {
                if (totalWritten || state.TotalCount is not { } known)
                {
                    return [row];
                }

                totalWritten = true;
                return [new TotalCount(known, 1.0), row];
            }

            try
            {
                await context.WriteAllAsync(Khipu.GetCenNonconformitiesAsync(query, required, state, s => ReportPage(context, activityId, query, s), context, context.CancellationToken), includeTotal ? TotalFirst : null).ConfigureAwait(false);
            }
            finally
            {
                // Closed whether the pages ended or failed; other inputs' bars stay.
                context.Progress(new ProgressInfo(activityId, "Get-CenNonconformity", "Done") { Completed = true });
            }

            // Not written ahead (no row, or a total that came late): now, or "unknown" (0, accuracy 0) when Khipu gave none.
            // -First 0 writes nothing at all, as Select-Object -First 0 does.
            if (includeTotal && !totalWritten && query.First != 0)
            {
                await context.WriteObjectAsync(state.TotalCount is { } total ? new TotalCount(total, 1.0) : new TotalCount(0, 0.0)).ConfigureAwait(false);
            }
        });
    }

    protected override object Shape(object item)
    {
        switch (item)
        {
            case TotalCount total:
                return PagingParameters.NewTotalCount((ulong)total.Value, total.Accuracy);
            case CenNonconformity row:
                // The item's own fields are not public in Khipu's documents: expose whatever came, flat, under the
                // names of the first row this command wrote, so that every row exports under the same columns.
                var shaped = fieldProperties.Add(row, row.GetFields(), out _, out var unwritten);
                if (unwritten.Count > 0)
                {
                    WriteWarning(NewFieldsWarning(row, unwritten, "A larger -PageSize takes the columns from more rows; queries whose rows differ can be sent in separate commands."));
                }

                return shaped;
            default:
                return item;
        }
    }

    /// <summary>
    /// The warning for the first row of a command that holds a value in a field the first row written has not
    /// (Wait-KhipuOperation gives it too, with its own <paramref name="advice"/>).
    /// </summary>
    internal static string NewFieldsWarning(CenNonconformity row, IReadOnlyList<string> names, string advice) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "Row {0} of RUT {1} (Paginas {2}) has fields the first nonconformity this command wrote has not ({3}). Export-Csv takes its columns from the first object, so it will not write them; they are properties of the row and in its RawJson. {4} This warning is given once per command.",
            row.Index,
            row.RutDeudor,
            row.Page,
            RowFieldProperties.NameList(names),
            advice);

    private static void ReportPage(IOperationContext context, int activityId, CenQuery query, CenPagingState state)
    {
        var status = state.TotalPages is { } pages
            ? $"RUT {query.RutDeudor}: page {state.PagesFetched} of {pages}"
            : $"RUT {query.RutDeudor}: page {state.PagesFetched}";
        var percent = state.TotalPages is { } all && all > 0 ? (int)Math.Min(100, state.PagesFetched * 100L / all) : -1;
        context.Progress(new ProgressInfo(activityId, "Get-CenNonconformity", status) { PercentComplete = percent });
    }

    private sealed class TotalCount
    {
        public TotalCount(int value, double accuracy)
        {
            Value = value;
            Accuracy = accuracy;
        }

        public int Value { get; }

        public double Accuracy { get; }
    }
}
