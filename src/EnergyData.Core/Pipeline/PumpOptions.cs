using EnergyData.Validation;

namespace EnergyData.Pipeline;

public sealed class PumpOptions
{
    public const int MaxThrottleLimit = 64;

    /// <summary>How many operations may run at once.</summary>
    public int ThrottleLimit { get; init; } = 1;

    /// <summary>True: results come out in input order (a bounded reorder buffer). False: as they complete.</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>Results one operation may have waiting before its writer is made to wait.</summary>
    public int BufferPerOperation { get; init; } = 256;

    /// <summary>
    /// Operations started but not yet fully emitted, at most. In ordered mode a slow first input holds back
    /// the output of those after it; this bounds how many may pile up behind it.
    /// </summary>
    public int ReorderWindow => ThrottleLimit * 4;

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
