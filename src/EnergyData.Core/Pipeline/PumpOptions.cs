using System;
using EnergyData.Validation;

namespace EnergyData.Pipeline;

public sealed class PumpOptions
{
    public const int MaxThrottleLimit = 64;

    /// <summary>How many operations may run at once.</summary>
    public int ThrottleLimit { get; init; } = 1;

    /// <summary>True: results come out in input order (a bounded reorder buffer). False: as they complete.</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>What <see cref="BufferPerOperation"/> is unless set.</summary>
    public const int DefaultBufferPerOperation = 256;

    /// <summary>Results a streaming cmdlet may hold ahead of its pipeline across all its operations (see <see cref="Streaming"/>).</summary>
    public const int StreamingBudget = 16_384;

    /// <summary>The most results one streaming operation may hold ahead of its pipeline.</summary>
    public const int MaxStreamingBufferPerOperation = 1_024;

    /// <summary>Results one operation may have waiting before its writer is made to wait.</summary>
    public int BufferPerOperation { get; init; } = DefaultBufferPerOperation;

    /// <summary>
    /// Operations started but not yet fully emitted, at most. In ordered mode a slow first input holds back
    /// the output of those after it; this bounds how many may pile up behind it.
    /// </summary>
    public int ReorderWindow => ThrottleLimit * 4;

    /// <summary>
    /// Options for a cmdlet whose operations each stream many rows (Get-NeuConsumption: millions of readings from
    /// one request). Each operation may run further ahead of the pipeline than the default allows, so the thread that
    /// parses waits for the pipeline thread less often: in alternating benchmark runs, 1,024 rows instead of 256 gave
    /// a few percent more rows per second and less CPU per row. 2,048 gave no clear gain over it, and rows held that
    /// long made the runtime grow its youngest generation, so peak memory rose. Every operation the reorder window may
    /// hold stays, all together, within <see cref="StreamingBudget"/> rows: 1,024 each up to ThrottleLimit 4, fewer
    /// above, never below the default.
    /// </summary>
    public static PumpOptions Streaming(int throttleLimit, bool ordered)
    {
        var window = new PumpOptions { ThrottleLimit = throttleLimit }.ReorderWindow;
        var buffer = Math.Min(MaxStreamingBufferPerOperation, Math.Max(DefaultBufferPerOperation, StreamingBudget / Math.Max(1, window)));
        return new PumpOptions { ThrottleLimit = throttleLimit, Ordered = ordered, BufferPerOperation = buffer };
    }

    public void Validate()
    {
        if (ThrottleLimit is < 1 or > MaxThrottleLimit)
        {
            throw new ParameterValidationException("ThrottleLimit", $"must be between 1 and {MaxThrottleLimit}", $"It was {ThrottleLimit}.");
        }

        if (BufferPerOperation < 1)
        {
            throw new ParameterValidationException(nameof(BufferPerOperation), "must be at least 1");
        }
    }
}
