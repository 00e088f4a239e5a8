using System;
using System.Text.Json;

namespace EnergyData.Json;

/// <summary>
/// Builds a value from a reader positioned on the first token of a fully buffered JSON value.
/// The reader covers exactly that value, so <c>JsonSerializer.Deserialize</c> and
/// <c>JsonDocument.ParseValue</c> can be called on it.
/// </summary>
public delegate T JsonValueParser<out T>(ref Utf8JsonReader reader);

/// <summary>
/// Like <see cref="JsonValueParser{T}"/>, and also receives the value's raw UTF-8 text (valid only during the call).
/// </summary>
public delegate T JsonRawValueParser<out T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> rawUtf8Value);
