using System.Collections.Generic;
using System.Threading;

namespace EnergyData.Pipeline;

/// <summary>
/// The progress bars a command has on screen. PowerShell keeps a bar until it gets a record for it whose type is
/// Completed, and a command can end early (an error that stops it, a failed page): the command writes every record
/// through <see cref="Track"/> and, as it ends, completes whatever <see cref="TakeOpen"/> returns. Used on the
/// pipeline thread only.
/// </summary>
public sealed class ProgressBars
{
    private static int lastActivityId;
    private readonly List<int> open = new();

    /// <summary>
    /// An activity id no other bar of this process uses: inputs run concurrently, and each input's bar must be
    /// completed on its own without removing another's.
    /// </summary>
    public static int NewActivityId() => Interlocked.Increment(ref lastActivityId);

    /// <summary>Records a bar's update or completion; false when a completion is for a bar not on screen (nothing to write).</summary>
    public bool Track(int activityId, bool completed)
    {
        if (completed)
        {
            return open.Remove(activityId);
        }

        if (!open.Contains(activityId))
        {
            open.Add(activityId);
        }

        return true;
    }

    /// <summary>The bars still on screen, in the order they appeared; they count as closed from now on.</summary>
    public IReadOnlyList<int> TakeOpen()
    {
        var bars = open.ToArray();
        open.Clear();
        return bars;
    }
}
