using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace EnergyData.Pipeline;

/// <summary>The two ways a cmdlet's operation hands results to the pump.</summary>
public static class OperationContextExtensions
{
    /// <summary>Awaits one result and emits it.</summary>
    public static async Task WriteResultAsync<T>(this IOperationContext context, Task<T> work)
        where T : class
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (work is null)
        {
            throw new ArgumentNullException(nameof(work));
        }

        await context.WriteObjectAsync(await work.ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// Emits results that a reader hands out in batches (each batch valid until the next is asked for). The pump's
    /// contexts take a batch at once; any other context gets the results one by one.
    /// </summary>
    public static async Task WriteBatchesAsync<T>(this IOperationContext context, IAsyncEnumerable<ArraySegment<T>> batches)
        where T : class
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (batches is null)
        {
            throw new ArgumentNullException(nameof(batches));
        }

        var batchWriter = context as IBatchWriter;
        await foreach (var batch in batches.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            if (batchWriter is not null)
            {
                await batchWriter.WriteObjectsAsync(batch).ConfigureAwait(false);
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                await context.WriteObjectAsync(batch.Array![batch.Offset + i]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Emits each result as it is parsed; <paramref name="expand"/> may turn one into several rows.</summary>
    public static async Task WriteAllAsync<T>(this IOperationContext context, IAsyncEnumerable<T> results, Func<T, IEnumerable<object>>? expand = null)
        where T : class
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (results is null)
        {
            throw new ArgumentNullException(nameof(results));
        }

        await foreach (var item in results.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            if (expand is null)
            {
                await context.WriteObjectAsync(item).ConfigureAwait(false);
                continue;
            }

            foreach (var row in expand(item))
            {
                await context.WriteObjectAsync(row).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A context that can take a run of results at once (the pump's operations).</summary>
internal interface IBatchWriter
{
    ValueTask WriteObjectsAsync<T>(ArraySegment<T> items)
        where T : class;
}
