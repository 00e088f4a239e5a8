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
                RecommendedAction = exception is RequestTimeoutException { Kind: RequestTimeoutKind.Attempt or RequestTimeoutKind.Total }
                    ? "No answer came in time (the retries are spent): run the command again for this input later, or allow more time with Connect-EnergyData -TimeoutSec."
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
        return new OperationError(exception, id, kind, target) { RecommendedAction = ForStatus(kind, "NEU") };
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
                    KhipuErrorType.DoNotRetry => "Khipu says not to retry this request as it is; check the input.",
                    KhipuErrorType.Wait4HoursBeforeRetry => "Khipu asks to wait four hours before retrying" + (exception.EarliestRetry is { } at ? " (until " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ")." : "."),
                    KhipuErrorType.RetryAfterNotification => "Khipu asks not to retry until it notifies that the source is available again.",
                    KhipuErrorType.RetryImmediately => "The error is transient; run the command again for this input.",
                    _ when exception.ErrorCode == "TASK_FINISHED" => "Khipu could not finish the task at the source (for example, the source refused the account credential); check the input and the account credential.",
                    _ => ForStatus(kind, "Khipu"),
                },
        };
    }

    /// <summary>What to do about an answer that says nothing more than its HTTP status (or a timeout): retries are spent.</summary>
    private static string? ForStatus(ErrorKind kind, string service) => kind switch
    {
        ErrorKind.PermissionDenied => service + " refused access: check that the credential given to Connect-EnergyData may use this service, and the input.",
        ErrorKind.QuotaExceeded => service + " is limiting requests: wait, then run the command again for this input (a lower -ThrottleLimit sends fewer at once).",
        ErrorKind.ResourceUnavailable => service + " failed or is unavailable for now (the retries are spent): run the command again for this input later.",
        ErrorKind.OperationTimeout => "The source did not answer in time: run the command again for this input later.",
        _ => null,
    };

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
