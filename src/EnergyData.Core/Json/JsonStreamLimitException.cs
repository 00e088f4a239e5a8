using System;

namespace EnergyData.Json;

/// <summary>
/// A JSON response broke one of the limits of <see cref="JsonStreamReaderOptions"/>. The message names the limit
/// and its value, so the user knows which setting to raise.
/// </summary>
public sealed class JsonStreamLimitException : Exception
{
    public JsonStreamLimitException()
        : base("A JSON stream limit was exceeded.")
    {
    }

    public JsonStreamLimitException(string message)
        : base(message)
    {
    }

    public JsonStreamLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
