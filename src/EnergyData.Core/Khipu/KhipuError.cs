namespace EnergyData.Khipu;

/// <summary>The <c>Error</c> object of a Khipu envelope (or the older FailureReason/Message pair mapped onto it).</summary>
public sealed class KhipuError
{
    public string? Code { get; set; }

    public string? Type { get; set; }

    public string? Description { get; set; }

    /// <summary>True when the object names an error; an empty <c>{}</c> (or one with only a Description) does not.</summary>
    internal bool HasCodeOrType => !string.IsNullOrWhiteSpace(Code) || !string.IsNullOrWhiteSpace(Type);
}
