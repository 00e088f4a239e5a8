using System;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EnergyData.Emulator;

/// <summary>
/// Counts every API request, adds the configured latency, and applies the first matching injected fault
/// before the endpoint runs. Control endpoints (<c>_emulator/</c>) pass straight through.
/// </summary>
public sealed class FaultMiddleware
{
    private readonly RequestDelegate next;
    private readonly EmulatorState state;

    public FaultMiddleware(RequestDelegate next, EmulatorState state)
    {
        this.next = next;
        this.state = state;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_emulator/", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/callbacks/", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        state.Counters.Count(path);
        var aborted = context.RequestAborted;
        if (state.Options.LatencyMilliseconds > 0)
        {
            await Task.Delay(state.Options.LatencyMilliseconds, aborted);
        }

        string? body = null;
        if (state.Faults.MatchesBodies || state.Options.RecordRequestBodies)
        {
            body = await ReadBodyAsync(context.Request);
            if (state.Options.RecordRequestBodies)
            {
                state.Counters.RecordBody(path, body);
            }
        }

        var fault = state.Faults.Take(path, body);
        if (fault is null)
        {
            await next(context);
            return;
        }

        state.Counters.CountFault(fault.Kind);
        var response = context.Response;
        switch (fault.Kind)
        {
            case FaultKind.HttpStatus:
                await WriteJsonAsync(response, fault.HttpStatus ?? 500, ErrorEnvelope("E500", "RETRY_IMMEDIATELY", "Injected server error"));
                break;
            case FaultKind.ServiceUnavailable:
                await WriteJsonAsync(response, 503, ErrorEnvelope("E503", "RETRY_IMMEDIATELY", "Injected service unavailable"));
                break;
            case FaultKind.TooManyRequests:
                response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await WriteJsonAsync(response, 429, ErrorEnvelope("E429", "RETRY_IMMEDIATELY", "Injected rate limit"));
                break;
            case FaultKind.DropConnection:
                context.Abort();
                break;
            case FaultKind.Delay:
                await Task.Delay(fault.DelayMilliseconds, aborted);
                await next(context);
                break;
            case FaultKind.TruncatedJson:
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync("{\"OperationId\":\"truncated\",\"Status\":\"OK\",\"Data\":{\"Items\":[{\"Name\":\"abc", aborted);
                await response.Body.FlushAsync(aborted);
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                context.Abort();
                break;
            case FaultKind.KhipuError:
                await WriteJsonAsync(response, 200, ErrorEnvelope(fault.ErrorCode, fault.ErrorType, fault.ErrorDescription));
                break;
            case FaultKind.KhipuErrorWithoutError:
                await WriteJsonAsync(response, 200, "{\"OperationId\":\"" + Guid.NewGuid().ToString("N") + "\",\"Status\":\"ERROR\",\"Data\":null,\"Error\":null}");
                break;
            case FaultKind.HtmlPage:
                response.StatusCode = fault.HttpStatus ?? 502;
                response.ContentType = "text/html";
                await response.WriteAsync("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", aborted);
                break;
            case FaultKind.InvalidJson:
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync("{\"OperationId\": \"x\", \"Status\": DONE, }", aborted);
                break;
            case FaultKind.WrongShape:
                await WriteJsonAsync(response, 200, "[1, 2, 3]");
                break;
            case FaultKind.Oversized:
                await WriteOversizedAsync(context, fault.SizeBytes);
                break;
            case FaultKind.SlowBody:
                await WriteSlowlyAsync(context, fault.DelayMilliseconds > 0 ? fault.DelayMilliseconds : 1000);
                break;
            case FaultKind.NoContent:
                response.StatusCode = 204;
                break;
            case FaultKind.EchoCredentials:
                var credentials = (context.Request.Headers.Authorization.ToString() + " " + context.Request.Headers["x-api-key"].ToString()).Trim();
                var echoed = "rejected " + credentials + " for " + (body ?? await ReadBodyAsync(context.Request));
                response.Headers["X-Debug-Authorization"] = credentials;
                await WriteJsonAsync(response, fault.HttpStatus ?? 400, EchoEnvelope(echoed));
                break;
            case FaultKind.DetailWithSuccess:
                await WriteJsonAsync(response, 200, System.Text.Json.JsonSerializer.Serialize(new { detail = fault.ErrorDescription }));
                break;
            default:
                throw new InvalidOperationException($"Unknown fault kind {fault.Kind}.");
        }
    }

    /// <summary>Reads the request body (capped at 1 MiB) and rewinds it for the endpoint.</summary>
    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var reader = new System.IO.StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var buffer = new char[1024 * 1024];
        var read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return new string(buffer, 0, read);
    }

    private static string ErrorEnvelope(string code, string type, string description) =>
        "{\"OperationId\":\"" + Guid.NewGuid().ToString("N") + "\",\"Status\":\"ERROR\",\"Data\":null,\"AdditionalInformation\":null," +
        "\"Error\":{\"Code\":\"" + code + "\",\"Type\":\"" + type + "\",\"Description\":\"" + description + "\"}}";

    /// <summary>A Khipu error envelope and a NEU <c>detail</c> at once, both carrying <paramref name="text"/>.</summary>
    private static string EchoEnvelope(string text)
    {
        var quoted = System.Text.Json.JsonSerializer.Serialize(text);
        return "{\"detail\":" + quoted + ",\"OperationId\":\"" + Guid.NewGuid().ToString("N") + "\",\"Status\":\"ERROR\",\"Data\":null," +
            "\"Error\":{\"Code\":\"P001\",\"Type\":\"DO_NOT_RETRY\",\"Description\":" + quoted + "}}";
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, string body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(body, Encoding.UTF8, response.HttpContext.RequestAborted);
    }

    private static async Task WriteOversizedAsync(HttpContext context, long sizeBytes)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var aborted = context.RequestAborted;
        const string Head = "{\"OperationId\":\"oversized\",\"Status\":\"OK\",\"Data\":{\"Padding\":\"";
        const string Tail = "\"}}";
        await response.WriteAsync(Head, aborted);
        var chunk = new string('x', 64 * 1024);
        var remaining = Math.Max(0, sizeBytes - Head.Length - Tail.Length);
        while (remaining > 0)
        {
            var part = (int)Math.Min(chunk.Length, remaining);
            await response.WriteAsync(part == chunk.Length ? chunk : chunk[..part], aborted);
            remaining -= part;
        }

        await response.WriteAsync(Tail, aborted);
    }

    private static async Task WriteSlowlyAsync(HttpContext context, int delayMilliseconds)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var aborted = context.RequestAborted;
        var body = Encoding.UTF8.GetBytes("{\"OperationId\":\"slow\",\"Status\":\"OK\",\"Data\":{}}");
        await response.StartAsync(aborted);
        foreach (var value in body)
        {
            await response.Body.WriteAsync(new[] { value }, aborted);
            await response.Body.FlushAsync(aborted);
            await Task.Delay(delayMilliseconds, aborted);
        }
    }
}
