using System;
using System.Text.Json;

namespace EnergyData.Json;

/// <summary>
/// Property lookup the way every reader here needs it: the name as the documents spell it, else the same name in
/// another case (a server that writes camelCase). A field matched exactly in one place and not in another would
/// silently leave a column empty, so all lookups share this one.
/// </summary>
internal static class JsonProperties
{
    /// <summary>The property <paramref name="name"/> of an object, in any case; false for a missing one or a non-object.</summary>
    public static bool TryGetIgnoringCase(JsonElement element, string name, out JsonElement value) =>
        TryGetIgnoringCase(element, name, out value, out _);

    /// <summary>As above, with the name as it was sent.</summary>
    public static bool TryGetIgnoringCase(JsonElement element, string name, out JsonElement value, out string actualName)
    {
        actualName = name;
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                actualName = property.Name;
                return true;
            }
        }

        return false;
    }
}
