using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Reflection;

namespace EnergyData.Validation;

/// <summary>
/// How <see cref="TextArgument"/> reads a host's objects. PowerShell wraps values in a PSObject whose properties include
/// note properties (Import-Csv, ConvertFrom-Json, Select-Object) and adapted ones (the columns of a DataRow); the core
/// knows no PowerShell types, so the cmdlet assembly supplies a reader that does.
/// </summary>
public interface IObjectReader
{
    /// <summary>The value a wrapper stands for (a PSObject's BaseObject), or <paramref name="value"/> itself.</summary>
    object? Unwrap(object? value);

    /// <summary>Whether <paramref name="value"/> has a property called <paramref name="name"/> (ignoring case), and its value.</summary>
    bool TryGetProperty(object value, string name, out object? propertyValue);
}

/// <summary>Plain .NET objects: a dictionary's text keys and an object's public instance properties, ignoring case.</summary>
public sealed class PlainObjectReader : IObjectReader
{
    public static PlainObjectReader Instance { get; } = new();

    public object? Unwrap(object? value) => value;

    public bool TryGetProperty(object value, string name, out object? propertyValue)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        if (value is IDictionary dictionary)
        {
            // A dictionary is a bag of named values (a hashtable: @{ ClientIdentifier = 1234567 }); its own members
            // (Count, Keys) are not among them.
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Key is string key && string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    propertyValue = entry.Value;
                    return true;
                }
            }

            propertyValue = null;
            return false;
        }

        var property = value.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(candidate => candidate.GetIndexParameters().Length == 0 && candidate.CanRead && string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase));
        propertyValue = property?.GetValue(value);
        return property is not null;
    }
}

/// <summary>
/// What a text parameter that takes pipeline input both by value and by property name (Get-EnelDebtStatus
/// -ClientIdentifier, Get-NeuFrontierConsumption -SicCode) receives, decided before the binder converts anything.
/// </summary>
/// <remarks>
/// The binder tries a piped object by value without conversion, then by property name without conversion, then by
/// value WITH conversion. An object whose matching property holds a number (a DataRow from Invoke-Sqlcmd,
/// ConvertFrom-Json '{"ClientIdentifier":1234567}', an Import-Excel row) fails the first two, since a number is not
/// text, and the third turns the whole object into text: "System.Data.DataRow", "@{ClientIdentifier=1234567}". A
/// transformation attribute runs this at every one of those tries, so such an object becomes its property's value at
/// the first. Text and numbers (piped or given) stay what they say, in invariant form; anything else is refused here,
/// naming the parameter and the properties looked for, instead of being sent as its type name.
/// </remarks>
public static class TextArgument
{
    /// <summary>
    /// The texts <paramref name="value"/> stands for: text or a number as itself; an object with a property named in
    /// <paramref name="propertyNames"/> (the parameter's name and aliases, first match wins, as the binder matches) as
    /// that property's value or values; a list as the texts of its items. An empty value (null, DBNull) inside is empty
    /// text, which the parameter's own rules then refuse for that input. Null itself is returned as null, for the
    /// binder's own handling.
    /// </summary>
    /// <exception cref="ParameterValidationException">The value is none of those.</exception>
    public static string[]? ToTexts(object? value, string parameterName, IReadOnlyList<string> propertyNames, IObjectReader reader)
    {
        if (propertyNames is null)
        {
            throw new ArgumentNullException(nameof(propertyNames));
        }

        if (reader is null)
        {
            throw new ArgumentNullException(nameof(reader));
        }

        var unwrapped = reader.Unwrap(value);
        if (unwrapped is null)
        {
            return null;
        }

        var texts = new List<string>();
        if (IsList(unwrapped))
        {
            // An array given on the command line (-ClientIdentifier 1234567, 7654321) or piped as one input.
            foreach (var item in (IEnumerable)unwrapped)
            {
                if (IsList(reader.Unwrap(item)))
                {
                    throw Refusal(parameterName, propertyNames, "A list inside a list is not taken; give one list of values.");
                }

                AddItem(item, parameterName, propertyNames, reader, texts);
            }
        }
        else
        {
            AddItem(value!, parameterName, propertyNames, reader, texts);
        }

        return texts.ToArray();
    }

    private static void AddItem(object? item, string parameterName, IReadOnlyList<string> propertyNames, IObjectReader reader, List<string> texts)
    {
        var unwrapped = reader.Unwrap(item);
        if (Text(unwrapped) is { } text)
        {
            texts.Add(text);
            return;
        }

        // The property is looked up on the wrapper itself: a PSObject's note properties are not its BaseObject's.
        foreach (var name in propertyNames)
        {
            if (reader.TryGetProperty(item!, name, out var propertyValue))
            {
                AddPropertyValue(propertyValue, name, unwrapped!, parameterName, propertyNames, reader, texts);
                return;
            }
        }

        throw Refusal(parameterName, propertyNames, $"A {TypeName(unwrapped)} has none of them.");
    }

    private static void AddPropertyValue(object? propertyValue, string propertyName, object owner, string parameterName, IReadOnlyList<string> propertyNames, IObjectReader reader, List<string> texts)
    {
        var unwrapped = reader.Unwrap(propertyValue);
        var values = IsList(unwrapped) ? ((IEnumerable)unwrapped!).Cast<object?>() : new[] { propertyValue };
        foreach (var value in values)
        {
            // One level only: a property that holds another object is not searched in turn.
            texts.Add(Text(reader.Unwrap(value))
                ?? throw Refusal(parameterName, propertyNames, $"The {propertyName} property of a {TypeName(owner)} holds a {TypeName(reader.Unwrap(value))}."));
        }
    }

    /// <summary>Text, or a number in invariant form; null and DBNull are empty text. Not booleans, dates or enums.</summary>
    private static string? Text(object? value) =>
        value switch
        {
            null or DBNull => string.Empty,
            string s => s,
            char c => new string(c, 1),
            sbyte or byte or short or ushort or int or uint or long or ulong or decimal or BigInteger => ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture),

            // "R": the digits that read back as the same number (.NET Framework's default gives 15 and may round).
            double or float => ((IFormattable)value).ToString("R", CultureInfo.InvariantCulture),
            _ => null,
        };

    // As PowerShell enumerates: not text, not a dictionary, and not an XML node (an XmlElement enumerates its child
    // nodes, but PowerShell hands it on as one object, whose attributes and child elements are its properties).
    private static bool IsList(object? value) => value is IEnumerable and not string and not IDictionary and not System.Xml.XmlNode;

    private static string TypeName(object? value) => value?.GetType().FullName ?? "null";

    private static ParameterValidationException Refusal(string parameterName, IReadOnlyList<string> propertyNames, string detail)
    {
        var names = propertyNames.Count == 1
            ? propertyNames[0]
            : string.Join(", ", propertyNames.Take(propertyNames.Count - 1)) + " or " + propertyNames[propertyNames.Count - 1];
        return new ParameterValidationException(parameterName, $"takes text, a number, or an object with a property named {names}", detail);
    }
}
