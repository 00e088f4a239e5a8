namespace EnergyData.Pipeline;

/// <summary>A progress update, mapped by the cmdlet layer to a ProgressRecord.</summary>
public sealed class ProgressInfo
{
    public ProgressInfo(int activityId, string activity, string statusDescription)
    {
        ActivityId = activityId;
        Activity = activity;
        StatusDescription = statusDescription;
    }

    public int ActivityId { get; }

    public string Activity { get; }

    public string StatusDescription { get; }

    /// <summary>0 to 100, or -1 when the total is unknown.</summary>
    public int PercentComplete { get; init; } = -1;

    public string? CurrentOperation { get; init; }

    /// <summary>True for the record that removes the bar.</summary>
    public bool Completed { get; init; }
}
