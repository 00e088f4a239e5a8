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

    /// <summary>
    /// This error with the session's secrets masked in what it shows (<see cref="Diagnostics.KnownSecrets"/>): its message,
    /// or, without one, its exception's message (an exception that quotes a server's text, such as a redirect's target,
    /// is not masked when it is made), and its advice. Itself when nothing needed masking.
    /// </summary>
    public OperationError WithoutKnownSecrets()
    {
        var shown = Message ?? Exception.Message;
        var message = shown is null ? null : Diagnostics.KnownSecrets.Redact(shown);
        var action = RecommendedAction is null ? null : Diagnostics.KnownSecrets.Redact(RecommendedAction);
        return ReferenceEquals(message, shown) && ReferenceEquals(action, RecommendedAction)
            ? this
            : new OperationError(Exception, ErrorId, Kind, Target)
            {
                Message = message,
                RecommendedAction = action,
                IsTerminating = IsTerminating,
            };
    }

    public override string ToString() => $"{ErrorId}: {Message ?? Exception.Message}";
}
