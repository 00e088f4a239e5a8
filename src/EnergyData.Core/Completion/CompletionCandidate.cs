namespace EnergyData.Completion;

/// <summary>One value offered by tab completion, with what the tooltip says about it.</summary>
public sealed class CompletionCandidate
{
    public CompletionCandidate(string value, string? description = null)
    {
        Value = value;
        Description = description;
    }

    public string Value { get; }

    public string? Description { get; }
}

/// <summary>A candidate ready for the host: the text to insert (quoted when needed), the list text and the tooltip.</summary>
public sealed class CompletionMatch
{
    public CompletionMatch(string completionText, string listItemText, string toolTip)
    {
        CompletionText = completionText;
        ListItemText = listItemText;
        ToolTip = toolTip;
    }

    public string CompletionText { get; }

    public string ListItemText { get; }

    public string ToolTip { get; }
}
