using System.Net;
using System.Text.Json;

namespace EnergyData.Khipu;

/// <summary>The envelope fields of one Khipu response, filled while the body streams past.</summary>
public sealed class KhipuCallInfo
{
    public HttpStatusCode StatusCode { get; internal set; }

    public string? OperationId { get; internal set; }

    public string? Status { get; internal set; }

    public string? AdditionalInformation { get; internal set; }

    public string? LifeSpan { get; internal set; }

    public KhipuError? Error { get; internal set; }

    /// <summary>The whole Data value, for services whose Data is one small object (read whole, then mapped).</summary>
    public JsonElement? Data { get; internal set; }

    /// <summary>Billed attempts made for the call.</summary>
    public int Attempts { get; internal set; }

    public bool IsError => string.Equals(Status, "ERROR", System.StringComparison.OrdinalIgnoreCase) || Error is not null;
}
