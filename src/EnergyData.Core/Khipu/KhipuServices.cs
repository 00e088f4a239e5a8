namespace EnergyData.Khipu;

/// <summary>Service paths, relative to the Khipu base URI, as the API documents give them.</summary>
public static class KhipuServices
{
    public const string EnelDebtStatus = "v1/cl/services/enel.cl/debt-status-by-client-identifier";
    public const string EnelBillDocument = "v1/cl/services/enel.cl/bill-document-by-client-identifier";
    public const string CenNonconformities = "v1/cl/services/cenhub.cl/hub/nonconformities-list";
    public const string TgrExpiredAgreements = "v1/cl/services/tgr.cl/expired-agreements-v2";

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
