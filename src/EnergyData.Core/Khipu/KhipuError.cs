namespace EnergyData.Khipu;

/// <summary>The <c>Error</c> object of a Khipu envelope (or the older FailureReason/Message pair mapped onto it).</summary>
public sealed class KhipuError
{
    public string? Code { get; set; }

    public string? Type { get; set; }

    public string? Description { get; set; }

    /// <summary>True when the object names an error; an empty <c>{}</c> (or one with only a Description) does not.</summary>
    internal bool HasCodeOrType => !string.IsNullOrWhiteSpace(Code) || !string.IsNullOrWhiteSpace(Type);

    /// <summary>
    /// Fills in from the older error shape (FailureReason and Message) what <paramref name="error"/> leaves out, so an
    /// answer with both an empty <c>Error</c> object and a FailureReason keeps its code and retry type on every path.
    /// </summary>
    internal static KhipuError WithFailureReason(KhipuError? error, string failureReason, string? message)
    {
        error ??= new KhipuError();
        error.Code ??= failureReason;
        // LIFESPAN_EXCEEDED: Khipu will not finish the request; sending it again is the only way on.
        error.Type ??= failureReason == "LIFESPAN_EXCEEDED" ? "DO_NOT_RETRY" : null;
        error.Description ??= message;
        return error;
    }
}
