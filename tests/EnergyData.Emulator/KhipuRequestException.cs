using System;

namespace EnergyData.Emulator;

/// <summary>
/// A Khipu request the emulator refuses, with the HTTP status and Khipu's Error fields to answer with
/// (401 A000 for authentication, 400 P00x for a malformed request).
/// </summary>
internal sealed class KhipuRequestException : Exception
{
    public KhipuRequestException(int httpStatus, string code, string type, string description)
        : base(description)
    {
        HttpStatus = httpStatus;
        Code = code;
        Type = type;
    }

    public KhipuRequestException()
    {
        Code = "E000";
        Type = "DO_NOT_RETRY";
    }

    public KhipuRequestException(string message)
        : this(400, "P001", "DO_NOT_RETRY", message)
    {
    }

    public KhipuRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        HttpStatus = 400;
        Code = "P001";
        Type = "DO_NOT_RETRY";
    }

    public int HttpStatus { get; } = 400;

    public string Code { get; }

    public string Type { get; }

    /// <summary>400 P002: a documented required field is missing.</summary>
    public static KhipuRequestException Missing(string field) =>
        new(400, "P002", "DO_NOT_RETRY", $"RequestData.{field} is required.");

    /// <summary>400 P003: a field breaks its documented format.</summary>
    public static KhipuRequestException Invalid(string field, string rule) =>
        new(400, "P003", "DO_NOT_RETRY", $"{field} {rule}.");
}
