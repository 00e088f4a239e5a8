using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Json;

/// <summary>Turns batches handed out by the streaming readers back into single items.</summary>
internal static class AsyncBatches
{
    /// <summary>
    /// Each item of each batch, in order. Cancellation is checked per item, not per batch: Ctrl+C or
    /// Select-Object -First stops at the item it is at, as it did before items travelled in batches.
    /// </summary>
    public static async IAsyncEnumerable<T> FlattenAsync<T>(IAsyncEnumerable<ArraySegment<T>> batches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return batch.Array![batch.Offset + i];
            }
        }
    }
}
