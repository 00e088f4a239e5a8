using System;

namespace EnergyData.Json;

/// <summary>
/// The UTF-8 byte order mark. JSON senders must not write one, but RFC 8259 lets parsers ignore it, and a .NET
/// server writing through <c>Encoding.UTF8</c> does send it. <c>JsonDocument.Parse</c> refuses a body that starts
/// with it, so every body read whole from the network is passed through here first (the streaming reader skips
/// it itself).
/// </summary>
internal static class ByteOrderMark
{
    public static ReadOnlySpan<byte> Utf8 => [0xEF, 0xBB, 0xBF];

    /// <summary>The body without a leading UTF-8 byte order mark.</summary>
    public static ReadOnlyMemory<byte> Skip(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(Utf8) ? body.Slice(Utf8.Length) : body;

    /// <summary>The text without a leading U+FEFF (a UTF-8 byte order mark decoded as text).</summary>
    public static string Skip(string text) =>
        text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
}
