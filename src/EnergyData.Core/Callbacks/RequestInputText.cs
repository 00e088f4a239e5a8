using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using EnergyData.Khipu;

namespace EnergyData.Callbacks;

/// <summary>
/// The request fields that identify an asynchronous request, as one JSON text: flat enough for Export-Csv and
/// read back by Wait-KhipuOperation. Only the fields of the known services are kept, so AccountCredential
/// and anything a user put in a generic request never reach a file.
/// </summary>
public static class RequestInputText
{
    public const string DetailKey = "Detail";

    private static readonly HashSet<string> KeptFields = new(StringComparer.Ordinal)
    {
        "ClientIdentifier", "Email", "RutDeudor", "FechaCreacionDelCasoDesde", "FechaCreacionDelCasoHasta", "Filas", "Paginas",
    };

    public static string Describe(KhipuRequest request, string? detail)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in request.RequestData)
        {
            if (KeptFields.Contains(pair.Key) && pair.Value is string or IFormattable)
            {
                kept[pair.Key] = Convert.ToString(pair.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        if (!string.IsNullOrEmpty(detail))
        {
            kept[DetailKey] = detail!;
        }

        return JsonSerializer.Serialize(kept);
    }

    public static Dictionary<string, string> Parse(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        try
        {
            using var document = JsonDocument.Parse(text!);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return result;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    result[property.Name] = property.Value.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            throw new Validation.ParameterValidationException("RequestInputs", "must be the JSON object a KhipuOperation carries", "It is not valid JSON.");
        }

        return result;
    }
}
