using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Security;

namespace EnergyData;

/// <summary>
/// Turns what PowerShell hands a cmdlet (hashtables, [pscustomobject]s, arrays, PSObject wrappers) into the plain
/// dictionaries and lists the core serialises. Credentials are never serialised as text: <c>convertSecret</c> decides
/// what a PSCredential or SecureString becomes, or throws. Anything else is passed on as it is, and the core's writer
/// refuses what it cannot write (naming the parameter) before any request is sent.
/// </summary>
internal static class PlainValues
{
    public static Dictionary<string, object?> FromMap(IDictionary? map, string parameterName, Func<object, object?> convertSecret) =>
        FromMap(map, parameterName, convertSecret, depth: 0);

    private static Dictionary<string, object?> FromMap(IDictionary? map, string parameterName, Func<object, object?> convertSecret, int depth)
    {
        CheckDepth(depth, parameterName);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (DictionaryEntry entry in map)
        {
            var key = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(key))
            {
                throw new Validation.ParameterValidationException(parameterName, "must not have an empty key");
            }

            result[key!] = FromValue(entry.Value, parameterName, convertSecret, depth + 1);
        }

        return result;
    }

    private static object? FromValue(object? value, string parameterName, Func<object, object?> convertSecret, int depth)
    {
        // A [pscustomobject] (ConvertFrom-Json on Windows PowerShell 5.1, Import-Csv, Select-Object) keeps its data in
        // the wrapper's note properties: its BaseObject is an empty PSCustomObject.
        if (value is PSObject { BaseObject: PSCustomObject } custom)
        {
            return FromCustomObject(custom, parameterName, convertSecret, depth);
        }

        value = Unwrap(value);
        return value switch
        {
            null => null,
            PSCredential or SecureString => convertSecret(value),
            SwitchParameter flag => flag.IsPresent,
            string text => text,
            IDictionary nested => FromMap(nested, parameterName, convertSecret, depth),
            IEnumerable items => FromList(items, parameterName, convertSecret, depth),
            _ => value,
        };
    }

    private static Dictionary<string, object?> FromCustomObject(PSObject custom, string parameterName, Func<object, object?> convertSecret, int depth)
    {
        CheckDepth(depth, parameterName);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in custom.Properties)
        {
            if (property.MemberType == PSMemberTypes.NoteProperty)
            {
                result[property.Name] = FromValue(property.Value, parameterName, convertSecret, depth + 1);
            }
        }

        return result;
    }

    private static List<object?> FromList(IEnumerable items, string parameterName, Func<object, object?> convertSecret, int depth)
    {
        CheckDepth(depth, parameterName);
        var list = new List<object?>();
        foreach (var item in items)
        {
            list.Add(FromValue(item, parameterName, convertSecret, depth + 1));
        }

        return list;
    }

    private static void CheckDepth(int depth, string parameterName)
    {
        // The same limit the core's JSON writer applies; it also stops a hashtable that contains itself.
        if (depth > Validation.InputRules.BodyMaxDepth)
        {
            throw new Validation.ParameterValidationException(parameterName, $"must not be nested more than {Validation.InputRules.BodyMaxDepth} levels deep (or contain itself)");
        }
    }

    private static object? Unwrap(object? value) => value is PSObject wrapper ? wrapper.BaseObject : value;
}
