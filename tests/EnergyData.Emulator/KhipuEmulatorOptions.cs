namespace EnergyData.Emulator;

/// <summary>
/// Switches of the Khipu services only (the shared switches and credentials are on <see cref="EmulatorOptions"/>).
/// Tests change them on <see cref="EmulatorState.KhipuOptions"/>; Reset restores these start values.
/// </summary>
public sealed class KhipuEmulatorOptions
{
    /// <summary>When set, every CEN query reports this TotalDisconformidades instead of the one derived from the RUT.</summary>
    public int? CenTotal { get; set; }

    /// <summary>
    /// Leaves TotalDisconformidades out of every CEN answer (the rows are unchanged): the item schema was never
    /// published, and a client must still return every page when the total is missing.
    /// </summary>
    public bool OmitCenTotal { get; set; }

    /// <summary>
    /// CEN items whose fields differ from row to row, as a server's may (the item schema was never published), by the
    /// row's position in the whole result (so every page of every RUT is still the same on each request): <c>Acreedor</c>
    /// is <c>null</c> on every third row (index 0, 3, 6, ...), <c>FechaCierre</c> is only on the odd rows, and
    /// <c>Observaciones</c> only on rows 4, 9, 14, ... (index % 5 == 4), so a first page of fewer than five rows lacks it.
    /// </summary>
    public bool CenVaryingFields { get; set; }

    /// <summary>CEN answers every request with the first page, whatever Paginas says (a server that ignores it).</summary>
    public bool CenIgnorePage { get; set; }

    /// <summary>Largest Filas the CEN service accepts (the client's documented range ends at 1000).</summary>
    public int CenMaxPageSize { get; set; } = 1000;

    /// <summary>Answer errors in the older shape: <c>FailureReason</c> and <c>Message</c> instead of <c>Error{Code,Type,Description}</c>.</summary>
    public bool LegacyErrorShape { get; set; }

    /// <summary>The FailureReason of the older shape: TASK_FINISHED (a controlled error at the source) or LIFESPAN_EXCEEDED.</summary>
    public string LegacyFailureReason { get; set; } = "TASK_FINISHED";

    /// <summary>Compress responses with gzip when the request accepts it.</summary>
    public bool GzipResponses { get; set; }

    /// <summary>Issue tokens that have already expired, so every Bearer request fails with 401 A000.</summary>
    public bool IssueExpiredTokens { get; set; }

    /// <summary>
    /// Report a rejected Bearer token (expired, revoked, unknown) as HTTP 200 with <c>Status: ERROR</c> and code A000
    /// instead of HTTP 401: Khipu's error table lists A000 among the Status ERROR codes.
    /// </summary>
    public bool RejectedTokenAsStatusError { get; set; }

    /// <summary>
    /// When set, the body of every 202 answer instead of the acknowledgement envelope (an empty or non-JSON body: the
    /// documents give the 202 no schema). The result is still delivered to the CallbackUrl.
    /// </summary>
    public string? AcknowledgementBody { get; set; }

    /// <summary>
    /// When set, the OperationId of every answer and delivery instead of a new one per request: a server that answers
    /// every request with the document's example id.
    /// </summary>
    public string? FixedOperationId { get; set; }

    /// <summary>
    /// Answers a request with a CallbackUrl as one without: 200 with Data at once, and nothing delivered (a server that
    /// answers synchronously despite the callback).
    /// </summary>
    public bool AnswerCallbackRequestsAtOnce { get; set; }

    /// <summary>
    /// When set, the LifeSpan of every acknowledgement and delivery as written here instead of one
    /// <see cref="LifeSpanMinutes"/> ahead (a server that writes Chile's date form, "25-12-2026 10:00", say).
    /// </summary>
    public string? LifeSpanText { get; set; }

    /// <summary>How far ahead of the request the LifeSpan of an asynchronous request lies.</summary>
    public int LifeSpanMinutes { get; set; } = 15;

    /// <summary>
    /// Writes every object's keys in ordinal order, envelope and Data alike, as Flask's jsonify, Go maps and Python's
    /// sort_keys do: Data comes before OperationId, and Disconformidades before TotalDisconformidades.
    /// </summary>
    public bool SortedKeys { get; set; }

    /// <summary>
    /// The AdditionalInformation of every answer that is not an error, synchronous or delivered (null by default, as in
    /// the documents' examples): the documents say it may note, for example, that Data is incomplete.
    /// </summary>
    public string? AdditionalInformation { get; set; }

    /// <summary>Adds an unknown field to every envelope and every data object, to check that clients tolerate them.</summary>
    public bool ExtraFields { get; set; }

    public KhipuEmulatorOptions Clone() => (KhipuEmulatorOptions)MemberwiseClone();
}
