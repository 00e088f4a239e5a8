using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Base of the NEU cmdlets: the connection, the NEU client, concurrency, and paging with progress.</summary>
public abstract class NeuCmdlet : EnergyDataCmdlet
{
    // The progress bar of each paged call in flight (calls of concurrent inputs run on pool threads).
    private readonly ConcurrentDictionary<NeuPaging, int> pagingProgressIds = new();
    private NeuClient? client;

    /// <summary>A connection from Connect-EnergyData -PassThru; the session's when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public EnergyDataConnection? Connection { get; set; }

    /// <summary>Requests in flight at once when many inputs arrive from the pipeline.</summary>
    [Parameter]
    [ValidateRange(1, PumpOptions.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Emit results as they complete instead of in input order.</summary>
    [Parameter]
    public SwitchParameter Unordered { get; set; }

    protected override PumpOptions PumpOptions => new() { ThrottleLimit = ThrottleLimit, Ordered = !Unordered.IsPresent };

    protected EnergyDataConnection ResolvedConnection { get; private set; } = null!;

    protected NeuClient Neu => client!;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            ResolvedConnection = AcquireConnection(Connection);
            client = ResolvedConnection.GetNeuClient();
        }
        catch (Validation.ParameterValidationException exception)
        {
            // A bad ENERGYDATA_* variable, met when the connection is made from the environment: a setting to correct,
            // named in the message, not a missing Connect-EnergyData.
            ThrowTerminatingError(new ErrorRecord(exception, "InvalidParameter", ErrorCategory.InvalidArgument, exception.ParamName));
        }
        catch (Exception exception) when (exception is NotConnectedException or ObjectDisposedException)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "NotConnected", ErrorCategory.InvalidOperation, Connection)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "Run Connect-EnergyData -NeuToken first." },
            });
        }
    }

    protected override object Shape(object item)
    {
        // Accounts and services seen here feed tab completion of -AccountId / -ServiceId / -Id.
        EnergyData.Completion.NeuRecentIds.Remember(item);
        return item is NeuTotalCount total && PagingParametersOrNull() is { } paging
            ? paging.NewTotalCount((ulong)Math.Max(0, total.Value), 1.0)
            : item;
    }

    /// <summary>
    /// True, with that input's error written, when an optional id parameter was given an empty value: a piped object
    /// whose id property is null (an account listed without id_account, say). Left out, such an id means "every
    /// one"; given empty, it must not, or one input would fetch everything again.
    /// </summary>
    protected bool IsBoundToNull(string parameterName)
    {
        if (!MyInvocation.BoundParameters.TryGetValue(parameterName, out var value) || value is not null)
        {
            return false;
        }

        WriteFailure(new Validation.ParameterValidationException(parameterName, Commands.EmptyIdRule.Rule, Commands.EmptyIdRule.Detail), null);

        // BoundParameters keeps what earlier piped objects bound (PowerShell issues #5202, #20137): without this, the
        // next object, if it has no such property at all (it asks for every one), would be refused for this one's
        // empty value. The binder adds the key again whenever a later object binds the parameter.
        MyInvocation.BoundParameters.Remove(parameterName);
        return true;
    }

    /// <summary>Paging state for one call: -First/-Skip from SupportsPaging, and progress "page x of y".</summary>
    protected NeuPaging CreatePaging(IOperationContext context, string description)
    {
        var paging = new NeuPaging { PageConcurrency = ThrottleLimit };
        if (PagingParametersOrNull() is { } parameters)
        {
            paging.Skip = (long)Math.Min(parameters.Skip, long.MaxValue);
            paging.First = (long)Math.Min(parameters.First, long.MaxValue);
        }

        var activity = MyInvocation.MyCommand.Name;
        var activityId = NewProgressActivityId();
        pagingProgressIds[paging] = activityId;
        paging.PageRead = (page, maxPage, total) =>
        {
            var status = maxPage is { } max
                ? $"{description}: page {page} of {max}"
                : $"{description}: page {page}";
            var percent = maxPage is { } all && all > 0 ? (int)Math.Min(100, page * 100L / all) : -1;
            context.Progress(new ProgressInfo(activityId, activity, status) { PercentComplete = percent });
        };
        return paging;
    }

    /// <summary>Writes every row, then closes the progress bar and, with -IncludeTotalCount, the server's total.</summary>
    protected async Task WritePagedAsync<T>(IOperationContext context, NeuPaging paging, IAsyncEnumerable<T> rows, Func<T, IEnumerable<object>>? expand = null)
        where T : class
    {
        try
        {
            await context.WriteAllAsync(rows, expand).ConfigureAwait(false);
        }
        finally
        {
            // Closed whether the pages ended or failed; other inputs' bars stay.
            if (pagingProgressIds.TryRemove(paging, out var activityId))
            {
                context.Progress(new ProgressInfo(activityId, MyInvocation.MyCommand.Name, "Done") { Completed = true });
            }
        }

        if (PagingParametersOrNull() is { IncludeTotalCount.IsPresent: true } && paging.TotalCount is { } total)
        {
            await context.WriteObjectAsync(new NeuTotalCount(total)).ConfigureAwait(false);
        }
    }

    private PagingParameters? PagingParametersOrNull()
    {
        // PowerShell returns null here for cmdlets not declared with SupportsPaging.
        return PagingParameters;
    }

    private sealed class NeuTotalCount
    {
        public NeuTotalCount(long value) => Value = value;

        public long Value { get; }
    }
}
