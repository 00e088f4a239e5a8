namespace EnergyData.Http;

/// <summary>The media type of the JSON bodies the Khipu and NEU clients send.</summary>
internal static class JsonMedia
{
    /// <summary>
    /// Exactly <c>application/json</c>, with no charset parameter: the Khipu documents' curl examples send it so,
    /// and JSON defines no such parameter (RFC 8259, section 11: JSON text exchanged between systems is UTF-8), so
    /// a server that compares the header exactly would refuse <c>application/json; charset=utf-8</c>.
    /// </summary>
    public const string Type = "application/json";
}
