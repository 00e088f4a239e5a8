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

    /// <summary>
    /// Whether a response read whole carried a result: a Data that is neither missing, null nor an empty object.
    /// An asynchronous request's acknowledgement has none, whether it comes as the TGR document's 202 or as a 200.
    /// </summary>
    internal bool CarriesData { get; set; }

    /// <summary>True once AdditionalInformation has been read from the envelope (null or not), or found by a look-ahead.</summary>
    internal bool AdditionalInformationRead { get; set; }

    /// <summary>True once a look-ahead past Data has read the fields after it (so it is not made twice).</summary>
    internal bool FollowingFieldsRead { get; set; }

    /// <summary>Billed attempts made for the call.</summary>
    public int Attempts { get; internal set; }

    /// <summary>
    /// Whether the answer is an error. <c>Status</c> decides when it says <c>OK</c> or <c>ERROR</c>: the documents use
    /// the Error object only with Status ERROR ("Si Status=OK este campo será nulo"), so Status OK beside a filled Error
    /// (a server generated from the per-field examples) is a result. Without a Status (the older shape, or an Error
    /// alone), or with another value, an Error object that names an error (a Code or a Type) makes it one. An Error
    /// object without either is not one: the TGR document lists Error as a required object in the 202 answer, so a
    /// server built from it may send <c>"Error": {}</c>.
    /// </summary>
    public bool IsError => IsErrorAnswer(Status, Error);

    /// <summary>The rule of <see cref="IsError"/> for a Status and an Error, wherever they were read.</summary>
    internal static bool IsErrorAnswer(string? status, KhipuError? error) =>
        IsStatus(status, "ERROR") || (!IsStatus(status, "OK") && error is { HasCodeOrType: true });

    private static bool IsStatus(string? status, string value) => string.Equals(status, value, System.StringComparison.OrdinalIgnoreCase);
}
