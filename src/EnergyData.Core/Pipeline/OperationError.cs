using System;

namespace EnergyData.Pipeline;

/// <summary>
/// One failed input, as the cmdlet layer turns it into an ErrorRecord: a stable id scripts can match,
/// a category, the input that failed, and whether every further input is pointless (terminating).
/// </summary>
public sealed class OperationError
{
    public OperationError(Exception exception, string errorId, ErrorKind kind, object? target)
    {
        Exception = exception ?? throw new ArgumentNullException(nameof(exception));
        ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
        Kind = kind;
        Target = target;
    }

    public Exception Exception { get; }

    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    public object? Target { get; }

    /// <summary>A friendlier message than the exception's, when there is one.</summary>
    public string? Message { get; init; }

    public string? RecommendedAction { get; init; }

    /// <summary>True when no further input can succeed (no connection, credentials rejected).</summary>
    public bool IsTerminating { get; init; }

    public override string ToString() => $"{ErrorId}: {Message ?? Exception.Message}";
}
