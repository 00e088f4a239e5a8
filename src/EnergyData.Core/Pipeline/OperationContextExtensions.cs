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
