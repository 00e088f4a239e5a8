using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Http;
using EnergyData.Json;
using EnergyData.Khipu;
using EnergyData.Pipeline;
using EnergyData.Validation;

namespace EnergyData.Errors;

/// <summary>
/// Turns what went wrong into an <see cref="OperationError"/> with a stable ErrorId that scripts can match
/// (FullyQualifiedErrorId), a category, and whether it ends the whole command.
/// </summary>
public static class ErrorMapper
{
    public static OperationError FromException(Exception exception, object? target)
    {
        if (exception is null)
        {
            throw new ArgumentNullException(nameof(exception));
        }

        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        return exception switch
        {
            ParameterValidationException validation => new OperationError(validation, "InvalidParameter", ErrorKind.InvalidArgument, target)
            {
                RecommendedAction = "Correct the value of " + validation.Subject + " and run the command again.",
            },
            NotConnectedException => new OperationError(exception, "NotConnected", ErrorKind.InvalidOperation, target)
            {
                IsTerminating = true,
                RecommendedAction = "Run Connect-EnergyData first.",
            },
            AuthenticationException => new OperationError(exception, "AuthenticationFailed", ErrorKind.AuthenticationError, target)
            {
                IsTerminating = true,
                RecommendedAction = "Check the credential given to Connect-EnergyData.",
            },
            KhipuException khipu => FromKhipu(khipu, target),
            KhipuProtocolException => new OperationError(exception, "InvalidResponse", ErrorKind.InvalidData, target),
            Neu.NeuException neu => FromNeu(neu, target),
            Neu.NeuProtocolException => new OperationError(exception, "InvalidResponse", ErrorKind.InvalidData, target),
            JsonStreamLimitException => new OperationError(exception, "ResponseTooLarge", ErrorKind.LimitsExceeded, target),
            JsonException => new OperationError(exception, "InvalidResponse", ErrorKind.InvalidData, target),
            TimeoutException => new OperationError(exception, "Timeout", ErrorKind.OperationTimeout, target)
            {
                // -TimeoutSec sets the attempt's and the call's limits, not the body's idle limit (nor Wait-KhipuOperation's).
                RecommendedAction = exception is RequestTimeoutException { Kind: RequestTimeoutKind.Attempt or RequestTimeoutKind.Total } timeout
                    ? "No answer came in time" + HowItWasTried(timeout.Attempts) + ": run the command again for this input later, or allow more time with Connect-EnergyData -TimeoutSec."
                    : "Run the command again for this input later.",
            },
            ServiceUnavailableException => new OperationError(exception, "CircuitOpen", ErrorKind.ResourceUnavailable, target)
            {
                RecommendedAction = "The service failed repeatedly; wait and run the command again.",
            },
            OutputFileException => new OperationError(exception, "OutputFileFailed", ErrorKind.WriteError, target)
            {
                RecommendedAction = "Close the file if another program has it open, check the free space, or choose another -OutputPath.",
            },
            Callbacks.InboxFolderException inbox => new OperationError(exception, inbox.IsPermissionDenied ? "AccessDenied" : "InboxFolderFailed", inbox.IsPermissionDenied ? ErrorKind.PermissionDenied : ErrorKind.WriteError, target)
            {
                RecommendedAction = inbox.RecommendedAction ?? (inbox.IsDefault
                    ? "Give a folder you can write to with -InboxPath, or make the default folder's parent writable."
                    : "Give -InboxPath a folder you can write to (not a file, nor a folder under a file)."),
            },
            RedirectRefusedException => new OperationError(exception, "RedirectRefused", ErrorKind.ProtocolError, target)
            {
                RecommendedAction = "Check the base URI given to Connect-EnergyData; if the server has really moved to the address the redirect names, connect with that address.",
            },
            HttpRequestException => new OperationError(exception, "ConnectionFailed", ErrorKind.ConnectionError, target)
            {
                RecommendedAction = "Check the network and the base URI given to Connect-EnergyData, then run the command again for this input.",
            },

            // Most often a connection that broke while a body was read, but also a local file (the inbox): no advice fits both.
            IOException => new OperationError(exception, "ConnectionFailed", ErrorKind.ConnectionError, target),
            OperationCanceledException => new OperationError(exception, "OperationStopped", ErrorKind.OperationStopped, target),
            UnauthorizedAccessException => new OperationError(exception, "AccessDenied", ErrorKind.PermissionDenied, target),
            _ => new OperationError(exception, "UnexpectedError", ErrorKind.NotSpecified, target),
        };
    }

    private static OperationError FromNeu(Neu.NeuException exception, object? target)
    {
        var status = exception.StatusCode is { } code ? (int)code : 0;
        var id = status > 0 ? "Neu.Http" + status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Neu.Error";
        var kind = status switch
        {
            400 => ErrorKind.InvalidArgument,
            403 => ErrorKind.PermissionDenied,
            404 => ErrorKind.ObjectNotFound,
            429 => ErrorKind.QuotaExceeded,
            >= 500 => ErrorKind.ResourceUnavailable,
            _ => ErrorKind.InvalidResult,
        };
        return new OperationError(exception, id, kind, target) { RecommendedAction = ForStatus(kind, new FailedAnswer("NEU", exception.StatusCode, exception.Attempts, exception.RetryAfter, exception.EarliestRetry)) };
    }

    private static OperationError FromKhipu(KhipuException exception, object? target)
    {
        var id = exception.ErrorCode is { Length: > 0 } code
            ? "Khipu." + code
            : exception.StatusCode is { } status && (int)status >= 300 ? "Khipu.Http" + ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "Khipu.Error";

        // A rejected credential fails every further input too: end the command.
        var rejected = exception.StatusCode == HttpStatusCode.Unauthorized || exception.ErrorCode == "A000";
        var kind = rejected ? ErrorKind.AuthenticationError
            : exception.StatusCode == HttpStatusCode.Forbidden ? ErrorKind.PermissionDenied
            : exception.StatusCode == HttpStatusCode.NotFound ? ErrorKind.ObjectNotFound
            : exception.StatusCode == (HttpStatusCode)429 ? ErrorKind.QuotaExceeded
            : IsKhipuCode(exception.ErrorCode, "P") ? ErrorKind.InvalidArgument
            : IsKhipuCode(exception.ErrorCode, "E3") ? ErrorKind.ObjectNotFound
            : IsKhipuCode(exception.ErrorCode, "T") || exception.ErrorCode == "LIFESPAN_EXCEEDED" ? ErrorKind.OperationTimeout

            // The type says the source is down for now, however the answer came (an HTTP 503, or a 200 with Status ERROR).
            : exception.ErrorType is KhipuErrorType.RetryImmediately or KhipuErrorType.Wait4HoursBeforeRetry or KhipuErrorType.RetryAfterNotification ? ErrorKind.ResourceUnavailable
            : exception.StatusCode is { } s && (int)s >= 500 ? ErrorKind.ResourceUnavailable
            : exception.StatusCode == HttpStatusCode.BadRequest ? ErrorKind.InvalidArgument
            : ErrorKind.InvalidResult;
        return new OperationError(exception, id, kind, target)
        {
            IsTerminating = rejected,
            RecommendedAction = rejected
                ? "Check the credential given to Connect-EnergyData (a Khipu API key or token that is wrong or has expired)."
                : exception.ErrorType switch
                {
                    // Khipu's own (the older FailureReason shape, typed DO_NOT_RETRY for the retry layer) and the
                    // module's, when no result came by the LifeSpan: one advice, since the way on is the same.
                    _ when exception.ErrorCode == "LIFESPAN_EXCEEDED" => "Khipu has most likely given up on this request (its LifeSpan passed without a result): submit it again, which is a new, billed request.",
                    KhipuErrorType.DoNotRetry => "Khipu says not to retry this request as it is; check the input.",
                    KhipuErrorType.Wait4HoursBeforeRetry => "Khipu asks to wait four hours before retrying" + (exception.EarliestRetry is { } at ? " (until " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ")." : "."),
                    KhipuErrorType.RetryAfterNotification => "Khipu asks not to retry until it notifies that the source is available again.",

                    // Transient, but a Retry-After beside it says for how long: the advice with the wait (below) then.
                    KhipuErrorType.RetryImmediately when exception.RetryAfter is null => "The error is transient; run the command again for this input.",
                    _ when exception.ErrorCode == "TASK_FINISHED" => "Khipu could not finish the task at the source (for example, the source refused the account credential); check the input and the account credential.",
                    _ => ForStatus(kind, new FailedAnswer("Khipu", exception.StatusCode, exception.Attempts, exception.RetryAfter, exception.EarliestRetry)),
                },
        };
    }

    /// <summary>
    /// What to do about an answer that says nothing more than its HTTP status, and what was done already: a status the
    /// module does not retry (501, say) was sent once, a retried one says how many attempts it had, and a Retry-After
    /// on the last answer says how long the server asked to wait (the module waits only so long, then gives up).
    /// </summary>
    private static string? ForStatus(ErrorKind kind, FailedAnswer answer) => kind switch
    {
        ErrorKind.PermissionDenied => answer.Service + " refused access: check that the credential given to Connect-EnergyData may use this service, and the input." + answer.AskedToWait(),
        ErrorKind.QuotaExceeded => answer.Service + " is limiting requests" + HowItWasTried(answer.Attempts)
            + answer.RunAgain(": wait, then run the command again for this input") + " (a lower -ThrottleLimit sends fewer at once).",
        // 501 and 505 say the server does not implement the request as sent: running it again as it is will not help,
        // unless the server itself asked to wait (below).
        ErrorKind.ResourceUnavailable when answer.Status is HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported && answer.RetryAfter is null =>
            answer.Service + " failed with HTTP " + ((int)answer.Status!.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) + ", a status the module does not retry: the server does not implement the request as it was sent."
            + " Check the route or the service path (Get-NeuRoute and the NeuRoute parameter of Connect-EnergyData; Invoke-KhipuRequest -Path, Invoke-NeuRequest -Path) rather than run it again as it is.",
        ErrorKind.ResourceUnavailable when answer.Status is { } code && !ResilienceHandler.IsTransientStatus(code) =>
            answer.Service + " failed with HTTP " + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) + ", a status the module does not retry"
            + (answer.RetryAfter is null ? string.Empty : ",") + answer.RunAgain(": run the command again for this input later") + ".",
        ErrorKind.ResourceUnavailable => answer.Service + " failed or is unavailable for now" + HowItWasTried(answer.Attempts)
            + answer.RunAgain(": run the command again for this input later") + ".",
        ErrorKind.OperationTimeout => "The source did not answer in time: run the command again for this input later." + answer.AskedToWait(),
        _ => answer.RetryAfter is null ? null : answer.AskedToWait().TrimStart(),
    };

    /// <summary>
    /// Whether a call that may be retried was: " (after 4 attempts)", or " (sent once, not retried)" when the budget
    /// allowed none (-MaxRetryCount 0) or the server asked for a longer wait than the module makes; nothing when the
    /// count is not known.
    /// </summary>
    private static string HowItWasTried(int attempts) =>
        attempts > 1 ? " (after " + MessageText.Count(attempts, "attempt") + ")"
        : attempts == 1 ? " (sent once, not retried)"
        : string.Empty;

    /// <summary>What advice needs of a failed answer: whose it was, its status, how often it was sent, and any wait it asked for.</summary>
    private readonly struct FailedAnswer
    {
        public FailedAnswer(string service, HttpStatusCode? status, int attempts, TimeSpan? retryAfter, DateTimeOffset? earliestRetry)
        {
            Service = service;
            Status = status;
            Attempts = attempts;
            RetryAfter = retryAfter;
            EarliestRetry = earliestRetry;
        }

        public string Service { get; }

        public HttpStatusCode? Status { get; }

        public int Attempts { get; }

        public TimeSpan? RetryAfter { get; }

        public DateTimeOffset? EarliestRetry { get; }

        /// <summary>" NEU asked to wait 15 minutes (until ...) before trying again.", or nothing without a Retry-After.</summary>
        public string AskedToWait() =>
            RetryAfter is { } delay ? " " + Service + " asked to wait " + TimeFormat.Wait(delay, EarliestRetry) + " before trying again." : string.Empty;

        /// <summary>
        /// How the sentence that says what happened goes on, without its end: " and asked to wait 15 minutes (until ...)
        /// before trying again: run the command again for this input after that", or, without a Retry-After,
        /// <paramref name="withoutWait"/>.
        /// </summary>
        public string RunAgain(string withoutWait) =>
            RetryAfter is { } delay
                ? " and asked to wait " + TimeFormat.Wait(delay, EarliestRetry) + " before trying again: run the command again for this input after that"
                : withoutWait;
    }

    /// <summary>
    /// A code of Khipu's error table (a letter and digits, such as T000) in the given family. The older error shape's
    /// FailureReason words (TASK_FINISHED, LIFESPAN_EXCEEDED) are no family: TASK_FINISHED is not a timeout.
    /// </summary>
    private static bool IsKhipuCode(string? code, string family)
    {
        if (code is null || code.Length <= family.Length || !code.StartsWith(family, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = family.Length; i < code.Length; i++)
        {
            if (code[i] is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
