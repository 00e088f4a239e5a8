using System;
using System.IO;
using System.Net;
using System.Net.Http;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Errors;
using EnergyData.Khipu;
using EnergyData.Neu;
using EnergyData.Pipeline;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Errors;

/// <summary>Each failure becomes the error record a PowerShell user can act on: a stable id, a category, and whether it ends the command.</summary>
public sealed class ErrorMapperTests
{
    public static TheoryData<Exception, string, ErrorKind, bool> Cases() => new()
    {
        { new ParameterValidationException("ClientIdentifier", "must be at most 20 characters"), "InvalidParameter", ErrorKind.InvalidArgument, false },
        { new NotConnectedException("not connected"), "NotConnected", ErrorKind.InvalidOperation, true },
        { new NeuException("gone", HttpStatusCode.NotFound, "Service", null), "Neu.Http404", ErrorKind.ObjectNotFound, false },
        { new NeuException("bad", HttpStatusCode.BadRequest, "Pqrs", null), "Neu.Http400", ErrorKind.InvalidArgument, false },
        { new NeuException("down", HttpStatusCode.BadGateway, "Bills", null), "Neu.Http502", ErrorKind.ResourceUnavailable, false },
        { new NeuException("odd", HttpStatusCode.Conflict, "Bills", null), "Neu.Http409", ErrorKind.InvalidResult, false },
        { new NeuProtocolException("not JSON"), "InvalidResponse", ErrorKind.InvalidData, false },
        { new KhipuProtocolException("not an envelope"), "InvalidResponse", ErrorKind.InvalidData, false },
        { new HttpRequestException("refused"), "ConnectionFailed", ErrorKind.ConnectionError, false },
        { new IOException("reset"), "ConnectionFailed", ErrorKind.ConnectionError, false },
        { new TimeoutException("slow"), "Timeout", ErrorKind.OperationTimeout, false },
        { new UnauthorizedAccessException("denied"), "AccessDenied", ErrorKind.PermissionDenied, false },
        { new OutputFileException("/out/enel-bill-1.pdf", new IOException("locked")), "OutputFileFailed", ErrorKind.WriteError, false },
        { new EnergyData.Http.RedirectRefusedException("redirected elsewhere", "https://other.example/x"), "RedirectRefused", ErrorKind.ProtocolError, false },
        { Khipu("T000"), "Khipu.T000", ErrorKind.OperationTimeout, false },
        { Khipu("LIFESPAN_EXCEEDED"), "Khipu.LIFESPAN_EXCEEDED", ErrorKind.OperationTimeout, false },

        // The older shape's word for a controlled error at the source (a bad credential there): not a timeout, though it starts with T.
        { Khipu("TASK_FINISHED"), "Khipu.TASK_FINISHED", ErrorKind.InvalidResult, false },
        { Khipu("P001"), "Khipu.P001", ErrorKind.InvalidArgument, false },
        { Khipu("PENDING"), "Khipu.PENDING", ErrorKind.InvalidResult, false },
        { Khipu("E301"), "Khipu.E301", ErrorKind.ObjectNotFound, false },
        { Khipu("E201"), "Khipu.E201", ErrorKind.InvalidResult, false },
        { Khipu("A000"), "Khipu.A000", ErrorKind.AuthenticationError, true },

        // Error.Type says the source is down for now, whether the answer was an HTTP 503 or a 200 with Status ERROR.
        { Khipu("E201", "RETRY_IMMEDIATELY"), "Khipu.E201", ErrorKind.ResourceUnavailable, false },
        { Khipu("E202", "WAIT_4_HOURS_BEFORE_RETRY"), "Khipu.E202", ErrorKind.ResourceUnavailable, false },
        { Khipu("E203", "RETRY_AFTER_NOTIFICATION"), "Khipu.E203", ErrorKind.ResourceUnavailable, false },
        { Khipu("E400", "DO_NOT_RETRY"), "Khipu.E400", ErrorKind.InvalidResult, false },
        { new KhipuException("forbidden", HttpStatusCode.Forbidden, null, null, null, null), "Khipu.Http403", ErrorKind.PermissionDenied, false },
    };

    private static KhipuException Khipu(string code, string? type = null) => new("failed", HttpStatusCode.OK, "op-1", code, type, "description");

    /// <summary>Every error worth acting on says what to do; a refused credential points at the credential, whatever its Error.Type.</summary>
    public static TheoryData<Exception, string> Advice() => new()
    {
        { Khipu("A000", "DO_NOT_RETRY"), "Check the credential given to Connect-EnergyData" },
        { new KhipuException("unauthorized", HttpStatusCode.Unauthorized, null, null, "DO_NOT_RETRY", null), "Check the credential given to Connect-EnergyData" },
        { Khipu("E301", "DO_NOT_RETRY"), "not to retry this request as it is" },
        { Khipu("TASK_FINISHED"), "could not finish the task at the source" },
        { new KhipuException("forbidden", HttpStatusCode.Forbidden, null, null, null, null), "Khipu refused access" },

        // LIFESPAN_EXCEEDED delivered in the older shape (typed DO_NOT_RETRY by the module) and the module's own gave
        // opposite advice ("not to retry ... check the input" against "run again later"): one advice now.
        { new KhipuException("late", null, "op", "LIFESPAN_EXCEEDED", "DO_NOT_RETRY", null), "Khipu has most likely given up on this request (its LifeSpan passed without a result): submit it again" },
        { new KhipuException("late", null, "op", "LIFESPAN_EXCEEDED", null, null), "Khipu has most likely given up on this request (its LifeSpan passed without a result): submit it again" },
        { new KhipuException("busy", (HttpStatusCode)429, null, null, null, null), "Khipu is limiting requests" },
        { new KhipuException("bad gateway", HttpStatusCode.BadGateway, null, null, null, null), "Khipu failed or is unavailable for now" },
        { Khipu("T000"), "did not answer in time" },
        { new NeuException("down", HttpStatusCode.ServiceUnavailable, "Bills", null), "NEU failed or is unavailable for now" },
        { new NeuException("busy", (HttpStatusCode)429, "Bills", null), "NEU is limiting requests" },
        { new NeuException("forbidden", HttpStatusCode.Forbidden, "Bills", null), "NEU refused access" },
        { new EnergyData.Http.RequestTimeoutException("slow", EnergyData.Http.RequestTimeoutKind.Attempt, TimeSpan.FromSeconds(100), null), "Connect-EnergyData -TimeoutSec" },
        { new EnergyData.Http.RequestTimeoutException("stalled", EnergyData.Http.RequestTimeoutKind.BodyIdle, TimeSpan.FromSeconds(60), null), "Run the command again for this input later." },
        { new HttpRequestException("refused"), "Check the network and the base URI" },
    };

    /// <summary>
    /// The advice tells what was done already: a status the module does not retry (501) was sent once, so "the retries
    /// are spent" would be false; a retried one says how many attempts it had, or that it was not retried at all.
    /// </summary>
    public static TheoryData<Exception, string> AdviceOnRetries() => new()
    {
        { new NeuException("not implemented", HttpStatusCode.NotImplemented, "Pqrs", null) { Attempts = 1 }, "NEU failed with HTTP 501, a status the module does not retry: the server does not implement the request as it was sent. Check the route or the service path" },
        { new NeuException("version", HttpStatusCode.HttpVersionNotSupported, "Pqrs", null), "NEU failed with HTTP 505, a status the module does not retry" },
        { new KhipuException("not implemented", HttpStatusCode.NotImplemented, null, null, null, null) { Attempts = 1 }, "Khipu failed with HTTP 501, a status the module does not retry" },
        { new NeuException("down", HttpStatusCode.ServiceUnavailable, "Pqrs", null) { Attempts = 4 }, "NEU failed or is unavailable for now (after 4 attempts): run the command again for this input later." },
        { new KhipuException("down", HttpStatusCode.BadGateway, null, null, null, null) { Attempts = 3 }, "Khipu failed or is unavailable for now (after 3 attempts)" },
        { new NeuException("down", HttpStatusCode.ServiceUnavailable, "Pqrs", null) { Attempts = 1 }, "NEU failed or is unavailable for now (sent once, not retried)" },
        { new NeuException("busy", (HttpStatusCode)429, "Pqrs", null) { Attempts = 2 }, "NEU is limiting requests (after 2 attempts): wait" },
        { new EnergyData.Http.RequestTimeoutException("slow", EnergyData.Http.RequestTimeoutKind.Attempt, TimeSpan.FromSeconds(100), null) { Attempts = 1 }, "No answer came in time (sent once, not retried): " },
        { new EnergyData.Http.RequestTimeoutException("slow", EnergyData.Http.RequestTimeoutKind.Total, TimeSpan.FromSeconds(100), null) { Attempts = 3 }, "No answer came in time (after 3 attempts): " },
    };

    private static readonly DateTimeOffset WaitEnds = new(2026, 1, 15, 12, 15, 0, TimeSpan.Zero);

    /// <summary>A Retry-After on the last answer says in the advice how long the server asked to wait, NEU and Khipu alike.</summary>
    public static TheoryData<Exception, string> AdviceOnRetryAfter() => new()
    {
        { new NeuException("down", HttpStatusCode.ServiceUnavailable, "Pqrs", null) { Attempts = 4, RetryAfter = TimeSpan.FromMinutes(15), EarliestRetry = WaitEnds }, "NEU failed or is unavailable for now (after 4 attempts) and asked to wait 15 minutes (until 2026-01-15 12:15:00Z) before trying again: run the command again for this input after that." },
        { new NeuException("not implemented", HttpStatusCode.NotImplemented, "Pqrs", null) { Attempts = 1, RetryAfter = TimeSpan.FromHours(2), EarliestRetry = WaitEnds }, "NEU failed with HTTP 501, a status the module does not retry, and asked to wait 2 hours (until 2026-01-15 12:15:00Z) before trying again: run the command again for this input after that." },
        { new NeuException("conflict", HttpStatusCode.Conflict, "Pqrs", null) { RetryAfter = TimeSpan.FromSeconds(30), EarliestRetry = WaitEnds }, "NEU asked to wait 30 seconds (until 2026-01-15 12:15:00Z) before trying again." },
        { new NeuException("forbidden", HttpStatusCode.Forbidden, "Pqrs", null) { RetryAfter = TimeSpan.FromDays(1) }, "and the input. NEU asked to wait 1 day before trying again." },
        { new KhipuException("busy", (HttpStatusCode)429, null, null, null, null) { Attempts = 1, RetryAfter = TimeSpan.FromSeconds(30), EarliestRetry = WaitEnds }, "Khipu is limiting requests (sent once, not retried) and asked to wait 30 seconds (until 2026-01-15 12:15:00Z) before trying again: run the command again for this input after that (a lower -ThrottleLimit sends fewer at once)." },
        { new KhipuException("down", HttpStatusCode.ServiceUnavailable, null, "E201", "RETRY_IMMEDIATELY", null) { Attempts = 2, RetryAfter = TimeSpan.FromMinutes(1), EarliestRetry = WaitEnds }, "Khipu failed or is unavailable for now (after 2 attempts) and asked to wait 1 minute (until 2026-01-15 12:15:00Z) before trying again" },
    };

    [Theory]
    [MemberData(nameof(AdviceOnRetryAfter))]
    public void Says_how_long_the_server_asked_to_wait(Exception exception, string advice)
    {
        Assert.Contains(advice, ErrorMapper.FromException(exception, "input-1").RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AdviceOnRetries))]
    public void Says_whether_the_request_was_retried(Exception exception, string advice)
    {
        var action = ErrorMapper.FromException(exception, "input-1").RecommendedAction;

        Assert.Contains(advice, action, StringComparison.Ordinal);
        Assert.DoesNotContain("retries are spent", action, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Advice))]
    public void Says_what_to_do(Exception exception, string advice)
    {
        Assert.Contains(advice, ErrorMapper.FromException(exception, "input-1").RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Maps_each_failure_to_an_id_a_category_and_whether_it_ends_the_command(Exception exception, string errorId, ErrorKind kind, bool terminating)
    {
        var error = ErrorMapper.FromException(exception, "input-1");

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(terminating, error.IsTerminating);
        Assert.Equal("input-1", error.Target);
        Assert.Same(exception, error.Exception);
    }
}
