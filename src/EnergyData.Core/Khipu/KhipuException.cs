using System;
using System.Globalization;
using System.Net;
using EnergyData.Http;

namespace EnergyData.Khipu;

/// <summary>
/// Khipu answered, but not with a result: an HTTP error status, <c>Status: ERROR</c>, or (without a Status, the older
/// shape) an Error that names an error. Keeps Khipu's
/// code, type and description, the HTTP status, the OperationId (Khipu support asks for it) and how many
/// billed attempts were made.
/// </summary>
public sealed class KhipuException : Exception
{
    public KhipuException()
    {
    }

    public KhipuException(string message)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
    }

    public KhipuException(string message, Exception innerException)
        : base(Diagnostics.KnownSecrets.Redact(message), innerException)
    {
    }

    public KhipuException(string message, HttpStatusCode? statusCode, string? operationId, string? errorCode, string? errorTypeText, string? description)
        : base(Diagnostics.KnownSecrets.Redact(message))
    {
        StatusCode = statusCode;
        OperationId = operationId;
        ErrorCode = errorCode;
        ErrorTypeText = errorTypeText;
        ErrorType = KhipuErrorClassifier.Parse(errorTypeText);
        Description = description is null ? null : Diagnostics.KnownSecrets.Redact(description);
    }

    public HttpStatusCode? StatusCode { get; }

    public string? OperationId { get; }

    /// <summary>Khipu's code, for example E201 or A000; for the older error shape, the FailureReason.</summary>
    public string? ErrorCode { get; }

    public string? ErrorTypeText { get; }

    public KhipuErrorType ErrorType { get; }

    public string? Description { get; }

    /// <summary>
    /// When Khipu asked to wait (WAIT_4_HOURS_BEFORE_RETRY, or a Retry-After header): the earliest time to try again;
    /// the later of the two when both came.
    /// </summary>
    public DateTimeOffset? EarliestRetry { get; init; }

    /// <summary>The wait the last answer's Retry-After header asked for (seconds or a date); null when it asked none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Billed attempts made for this call.</summary>
    public int Attempts { get; init; }

    /// <param name="status">The HTTP status; null for a delivered result (a 200-shaped envelope).</param>
    /// <param name="envelopeStatus">The envelope's Status as sent (null when it had none): a 2xx answer's message says what it was.</param>
    /// <param name="retryAfter">The wait the answer's Retry-After header asked for, from now; null for none.</param>
    /// <param name="input">The input the call was for ("ClientIdentifier 5002", with a CEN page): on screen and in a log of a
    /// bulk run, the message alone must say which input failed.</param>
    internal static KhipuException Create(HttpStatusCode? status, string? envelopeStatus, string? operationId, KhipuError? error, string? servicePath, int attempts, DateTimeOffset? earliestRetry, TimeSpan? retryAfter, string? input)
    {
        var code = error?.Code;
        var type = error?.Type;
        earliestRetry = EarliestRetryFor(type, earliestRetry);
        var description = error?.Description;
        var statusText = status is null || (int)status.Value is >= 200 and < 300
            ? DescribeEnvelopeError(envelopeStatus, error)
            : string.Format(CultureInfo.InvariantCulture, "HTTP {0} {1}", (int)status.Value, status.Value);

        // The Description ends the first sentence as Khipu wrote it ("...?" stays so), with a stop when it has none.
        var message = Errors.MessageText.EndSentence(string.Format(
            CultureInfo.InvariantCulture,
            "Khipu {0}{1} failed: {2}{3}{4}{5}",
            string.IsNullOrEmpty(servicePath) ? "request" : KhipuServices.DisplayName(servicePath!),
            string.IsNullOrEmpty(input) ? string.Empty : " for " + input,
            statusText,
            code is null ? string.Empty : ", code " + code,
            type is null ? string.Empty : " (" + type + ")",
            string.IsNullOrWhiteSpace(description) ? string.Empty : ": " + description!.Trim()));
        DateTimeOffset? retryAfterEnds = retryAfter is { } wait ? DateTimeOffset.UtcNow + wait : null;
        if (retryAfter is { } delay)
        {
            message += " Khipu asked to wait " + TimeFormat.Wait(delay, retryAfterEnds) + " before trying again.";
        }

        if (earliestRetry is { } retryAt)
        {
            message += string.Format(CultureInfo.InvariantCulture, " Do not retry before {0:u}.", retryAt.ToUniversalTime());
        }

        if (operationId is not null)
        {
            message += " OperationId " + operationId + ".";
        }

        if (attempts > 1)
        {
            message += string.Format(CultureInfo.InvariantCulture, " {0} billed attempts were made.", attempts);
        }

        // Both waits hold when both came: the later one ends them.
        var earliest = earliestRetry is { } typeWaitEnds && retryAfterEnds is { } headerWaitEnds
            ? (typeWaitEnds > headerWaitEnds ? typeWaitEnds : headerWaitEnds)
            : earliestRetry ?? retryAfterEnds;
        return new KhipuException(message, status, operationId, code, type, description)
        {
            EarliestRetry = earliest,
            RetryAfter = retryAfter,
            Attempts = attempts,
        };
    }

    /// <summary>
    /// The one rule for WAIT_4_HOURS_BEFORE_RETRY, on every path that turns a Khipu answer into an error (the
    /// synchronous answer, the answer to an asynchronous submission, a delivered callback result): the time the
    /// HTTP layer already set, or else four hours from when the answer is read. For a callback result collected
    /// later than it arrived, that errs on the late side, never the early one.
    /// </summary>
    internal static DateTimeOffset? EarliestRetryFor(string? errorType, DateTimeOffset? earliestRetry) =>
        earliestRetry ?? (KhipuErrorClassifier.Parse(errorType) == KhipuErrorType.Wait4HoursBeforeRetry
            ? DateTimeOffset.UtcNow + KhipuErrorClassifier.Wait4HoursDelay
            : null);

    /// <summary>
    /// What made a 2xx answer an error, as the server sent it: "Status ERROR" only when the Status said so; an Error
    /// that names an error counts without a Status (the older shape) or beside another value, and the message says which.
    /// </summary>
    internal static string DescribeEnvelopeError(string? envelopeStatus, KhipuError? error) =>
        string.Equals(envelopeStatus, "ERROR", StringComparison.OrdinalIgnoreCase) ? "Status ERROR" + DescribeMissingError(error)
        : string.IsNullOrWhiteSpace(envelopeStatus) ? "an error without a Status"
        : string.Format(CultureInfo.InvariantCulture, "Status '{0}' with an error", envelopeStatus);

    private static string DescribeMissingError(KhipuError? error) =>
        error is null ? " without an Error object (no code, type or description)"
        : !error.HasCodeOrType && string.IsNullOrWhiteSpace(error.Description) ? " with an empty Error object (no code, type or description)"
        : string.Empty;
}
