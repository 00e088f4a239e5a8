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
    };

    private static KhipuException Khipu(string code) => new("failed", HttpStatusCode.OK, "op-1", code, null, "description");

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
