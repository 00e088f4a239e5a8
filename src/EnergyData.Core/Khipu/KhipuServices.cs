namespace EnergyData.Khipu;

/// <summary>Service paths, relative to the Khipu base URI, as the API documents give them.</summary>
public static class KhipuServices
{
    public const string EnelDebtStatus = "v1/cl/services/enel.cl/debt-status-by-client-identifier";
    public const string EnelBillDocument = "v1/cl/services/enel.cl/bill-document-by-client-identifier";
    public const string CenNonconformities = "v1/cl/services/cenhub.cl/hub/nonconformities-list";
    public const string TgrExpiredAgreements = "v1/cl/services/tgr.cl/expired-agreements-v2";

    /// <summary>
    /// The request URI of a service. The base URI is normally the host (<c>https://api.khipu.com/</c>), but a base
    /// that already ends with the start of the service path (<c>.../v1/</c>, <c>.../v1/cl/services/</c>) is
    /// accepted too: the shared segments are not repeated.
    /// </summary>
    public static System.Uri Resolve(System.Uri baseUri, string servicePath)
    {
        if (baseUri is null)
        {
            throw new System.ArgumentNullException(nameof(baseUri));
        }

        var segments = (servicePath ?? string.Empty).Trim('/').Split('/');
        var basePath = "/" + baseUri.AbsolutePath.Trim('/');
        for (var shared = segments.Length - 1; shared >= 1; shared--)
        {
            var prefix = string.Join("/", segments, 0, shared);
            if (basePath.EndsWith("/" + prefix, System.StringComparison.OrdinalIgnoreCase))
            {
                return new System.Uri(baseUri, string.Join("/", segments, shared, segments.Length - shared));
            }
        }

        return new System.Uri(baseUri, servicePath);
    }

    /// <summary>
    /// The Service of an operation submitted through Invoke-KhipuRequest: its result is a KhipuResponse (the
    /// envelope with Data as JSON text), as the synchronous call gives, whatever service the path names.
    /// </summary>
    public const string GenericDisplayName = "KhipuRequest";

    /// <summary>A short name for display and for asynchronous operation records.</summary>
    public static string DisplayName(string servicePath) => servicePath switch
    {
        EnelDebtStatus => "EnelDebtStatus",
        EnelBillDocument => "EnelBillDocument",
        CenNonconformities => "CenNonconformity",
        TgrExpiredAgreements => "TgrExpiredAgreement",
        _ => servicePath,
    };
}
