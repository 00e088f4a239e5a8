using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using EnergyData.Validation;

namespace EnergyData.Commands;

/// <summary>
/// For a text parameter that takes pipeline input both by value and by property name: turns a piped object into the
/// value of its property named like the parameter (or one of its aliases) before the binder converts it, so an object
/// whose property holds a number binds that number as text instead of being converted whole into its type name. The
/// decision is <see cref="TextArgument.ToTexts"/> in the core; this class only reads PowerShell's objects for it.
/// </summary>
/// <remarks>
/// The binder runs a transformation attribute at each pipeline stage before its own type check or conversion, with the
/// input as it has it: at the by-value stages the piped PSObject itself, at the by-property-name stages the property's
/// value, on the command line the argument (an object[] for a list). The names are given again here because a
/// transformation is not told which parameter it serves; a metadata test keeps them equal to the parameter's.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TextFromPipelineAttribute : ArgumentTransformationAttribute
{
    private readonly string[] propertyNames;

    public TextFromPipelineAttribute(string parameterName, params string[] aliases)
    {
        ParameterName = parameterName ?? throw new ArgumentNullException(nameof(parameterName));
        Aliases = aliases ?? Array.Empty<string>();
        propertyNames = new[] { parameterName }.Concat(Aliases).ToArray();
    }

    /// <summary>The parameter's name: reported in refusals, and the first property looked for.</summary>
    public string ParameterName { get; }

    /// <summary>The parameter's aliases, looked for after its name, in this order (as the binder does).</summary>
    public IReadOnlyList<string> Aliases { get; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        try
        {
            return TextArgument.ToTexts(inputData, ParameterName, propertyNames, PowerShellObjectReader.Instance);
        }
        catch (ParameterValidationException exception)
        {
            // Not a PSInvalidCastException: the binder would take that as "try the next stage" and, at the by-value
            // stage, go on to convert the whole object to text. This one becomes the input's binding error.
            throw new ArgumentTransformationMetadataException(exception.Message, exception);
        }
    }

    /// <summary>PSObject wrappers and their properties (note properties, DataRow columns, .NET properties), then dictionaries.</summary>
    private sealed class PowerShellObjectReader : IObjectReader
    {
        public static PowerShellObjectReader Instance { get; } = new();

        public object? Unwrap(object? value) => value is PSObject wrapper ? wrapper.BaseObject : value;

        public bool TryGetProperty(object value, string name, out object? propertyValue)
        {
            if (PSObject.AsPSObject(value).Properties[name] is { } property)
            {
                propertyValue = property.Value;
                return true;
            }

            // A hashtable's keys are not PSObject properties.
            var unwrapped = Unwrap(value);
            if (unwrapped is IDictionary)
            {
                return PlainObjectReader.Instance.TryGetProperty(unwrapped, name, out propertyValue);
            }

            propertyValue = null;
            return false;
        }
    }
}
