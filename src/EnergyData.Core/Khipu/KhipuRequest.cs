using System;
using System.Collections.Generic;

namespace EnergyData.Khipu;

/// <summary>One Khipu call: the service path, its RequestData and, for the asynchronous mode, the CallbackUrl.</summary>
public sealed class KhipuRequest
{
    public KhipuRequest(string servicePath, IReadOnlyDictionary<string, object?> requestData, Uri? callbackUrl = null)
    {
        ServicePath = servicePath ?? throw new ArgumentNullException(nameof(servicePath));
        RequestData = requestData ?? throw new ArgumentNullException(nameof(requestData));
        CallbackUrl = callbackUrl;
    }

    public string ServicePath { get; }

    /// <summary>Values may be strings, numbers, booleans, dates, nested dictionaries or lists, and <see cref="KhipuAccountCredential"/>.</summary>
    public IReadOnlyDictionary<string, object?> RequestData { get; }

    public Uri? CallbackUrl { get; }

    /// <summary>
    /// Sent by Invoke-KhipuRequest: an asynchronous operation is then recorded as <see cref="KhipuServices.GenericDisplayName"/>,
    /// so that its delivered result is the same KhipuResponse the synchronous call writes, not a known service's rows.
    /// </summary>
    public bool IsGeneric { get; init; }
}
