using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Validation;

namespace EnergyData.Khipu;

/// <summary>The answer of any Khipu service, for services this module has no dedicated cmdlet for.</summary>
public sealed class KhipuResponse
{
    public string ServicePath { get; set; } = string.Empty;

    public string? OperationId { get; set; }

    public string? Status { get; set; }

    public string? AdditionalInformation { get; set; }

    public string? LifeSpan { get; set; }

    /// <summary>The Data value as JSON text (ConvertFrom-Json turns it into objects).</summary>
    public string? DataJson { get; set; }

    public int HttpStatusCode { get; set; }

    /// <summary>
    /// The billed attempts of the synchronous call, retries included. Null for a result Wait-KhipuOperation collected
    /// from a callback: the waiter does not know how many attempts the submission took (a later session may collect
    /// it), and the delivery itself is no attempt of this module's.
    /// </summary>
    public int? Attempts { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }
}

public sealed partial class KhipuClient
{
    /// <summary>
    /// Checks a service path given by a user: relative, under v1/, without a query, and free of "..", written out or
    /// percent-encoded (the API key would go along to wherever it climbs).
    /// </summary>
    public static string ServicePath(string? value)
    {
        var path = InputRules.Required(value, "Path").TrimStart('/');
        if (path.Contains("://") || path.Contains("?") || path.Contains("#") || path.Contains(".."))
        {
            throw new ParameterValidationException("Path", "must be a service path relative to the Khipu base URI, without a query (for example v1/cl/services/enel.cl/debt-status-by-client-identifier)", $"'{value}' is not.");
        }

        if (InputRules.HasEncodedDotOrSeparator(path))
        {
            throw new ParameterValidationException("Path", "must not hold a percent-encoded dot, slash or backslash (%2e, %2f, %5c): write a dot as '.'", $"'{value}' does.");
        }

        if (!path.StartsWith("v1/", StringComparison.OrdinalIgnoreCase))
        {
            throw new ParameterValidationException("Path", "must start with v1/ (Khipu's versioned service paths)", $"'{value}' does not.");
        }

        return path;
    }

    /// <summary>Calls any Khipu service synchronously with the given RequestData.</summary>
    public async Task<KhipuResponse> InvokeAsync(string? servicePath, IReadOnlyDictionary<string, object?>? requestData, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var request = new KhipuRequest(ServicePath(servicePath), requestData ?? new Dictionary<string, object?>());
        var info = await CallForDataAsync(request, trace, cancellationToken).ConfigureAwait(false);
        return new KhipuResponse
        {
            ServicePath = request.ServicePath,
            OperationId = info.OperationId,
            Status = info.Status,
            AdditionalInformation = info.AdditionalInformation,
            LifeSpan = info.LifeSpan,
            DataJson = info.Data?.GetRawText(),
            HttpStatusCode = (int)info.StatusCode,
            Attempts = info.Attempts,
            RetrievedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>Submits any Khipu service asynchronously (with a CallbackUrl).</summary>
    public Task<KhipuOperation> InvokeAsync(string? servicePath, IReadOnlyDictionary<string, object?>? requestData, Uri callbackUrl, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var request = new KhipuRequest(ServicePath(servicePath), requestData ?? new Dictionary<string, object?>(), InputRules.CallbackUrl(callbackUrl));
        return SubmitAsync(request, null, trace, cancellationToken);
    }
}
