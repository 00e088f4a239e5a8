using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using EnergyData.Validation;

namespace EnergyData.Commands;

/// <summary>
/// For a pipeline parameter that is not text (an id, a date, an interval): a piped text that cannot become the
/// parameter's type is that input's error, naming the parameter and the rule, instead of being dropped.
/// </summary>
/// <remarks>
/// PowerShell's binder, binding a compiled cmdlet's parameter by property name, leaves a parameter unbound when the
/// property's value does not convert, and says nothing: a CSV row with <c>Interval = WEEKLY</c> ran as Daily, a
/// <c>From</c> of <c>junk</c> read the whole range, an id of <c>abc</c> became "no id". An exception from a transformation
/// attribute is reported as that input's binding error instead. Only text is checked, with the binder's own
/// conversion: the current culture, as the binder uses for a compiled cmdlet (so '31-01-2024' is a date on an es-CL
/// system, and '01/02/2024' is the first of February there, exactly as the binder then binds it); anything else, and
/// empty text (which the cmdlets' own "empty id" rules handle), is passed on unchanged, so at a by-value stage a piped
/// object still goes on to be bound by its properties. For a whole-number type, a text must also be written as one
/// (digits and a sign) and a number must have no fraction: the binder itself would round '41.5' to 42 and read
/// '282,450' as 282450.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class CheckedConversionAttribute : ArgumentTransformationAttribute
{
    public CheckedConversionAttribute(string parameterName, Type valueType)
    {
        ParameterName = parameterName ?? throw new ArgumentNullException(nameof(parameterName));
        ValueType = valueType ?? throw new ArgumentNullException(nameof(valueType));
    }

    /// <summary>The parameter's name, for the refusal (a transformation is not told which parameter it serves).</summary>
    public string ParameterName { get; }

    /// <summary>The type one value must convert to: the parameter's type, or its element type for an array.</summary>
    public Type ValueType { get; }

    /// <summary>
    /// What an empty or blank text (an empty CSV cell) becomes when <see cref="ValueType"/> is a whole number. The
    /// binder itself makes it the id 0, which was refused as "must be a positive integer. It was 0", a value nobody
    /// gave. By default it is refused as empty, as an id that is $null is.
    /// </summary>
    public EmptyIdText EmptyText { get; set; } = EmptyIdText.Refused;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapper ? wrapper.BaseObject : inputData;
        if (value is string text && string.IsNullOrWhiteSpace(text) && (ValueType == typeof(long) || ValueType == typeof(int)))
        {
            switch (EmptyText)
            {
                case EmptyIdText.Null:
                    return null;
                case EmptyIdText.PassedOn:
                    return inputData;
                default:
                    var refusal = new ParameterValidationException(ParameterName, EmptyIdRule.Rule, EmptyIdRule.Detail);
                    throw new ArgumentTransformationMetadataException(refusal.Message, refusal);
            }
        }

        // Year first with dashes is one date everywhere: read in the Gregorian calendar before the binder reads it in
        // the session's culture and calendar (the Buddhist year 2024 on th-TH).
        if (ValueType == typeof(DateTime) && value is string dateText && InputRules.TryParseIsoDate(dateText, out var isoDate))
        {
            return isoDate;
        }

        if (value is IList list)
        {
            foreach (var item in list)
            {
                Check(item is PSObject itemWrapper ? itemWrapper.BaseObject : item);
            }
        }
        else
        {
            Check(value);
        }

        return inputData;
    }

    private void Check(object? value)
    {
        // The binder's conversion to a whole number rounds fractions and drops thousands separators: an id of '41.5'
        // or '4,1' became another id.
        if ((ValueType == typeof(long) || ValueType == typeof(int)) && !InputRules.IsWholeNumberOrOther(value))
        {
            var refusal = InputRules.NotConvertible(ParameterName, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, ValueType);
            throw new ArgumentTransformationMetadataException(refusal.Message, refusal);
        }

        if (value is not string text || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        try
        {
            LanguagePrimitives.ConvertTo(text, ValueType, CultureInfo.CurrentCulture);
        }
        catch (PSInvalidCastException)
        {
            var refusal = InputRules.NotConvertible(ParameterName, text, ValueType);
            throw new ArgumentTransformationMetadataException(refusal.Message, refusal);
        }
    }
}

/// <summary>What <see cref="CheckedConversionAttribute"/> makes of an empty text given for a whole number.</summary>
public enum EmptyIdText
{
    /// <summary>That input's binding error: the id must not be empty (<see cref="EmptyIdRule"/>).</summary>
    Refused,

    /// <summary>
    /// $null, for a nullable id whose cmdlet refuses a bound $null itself (NeuCmdlet.IsBoundToNull, with the same
    /// rule as an object whose id property is $null) or reads it as not given.
    /// </summary>
    Null,

    /// <summary>Unchanged (the binder makes it 0): for an id the core reads a piped 0 of as "not given".</summary>
    PassedOn,
}

/// <summary>The rule an id given empty breaks: left out, such an id means "every one"; given empty, it must not.</summary>
internal static class EmptyIdRule
{
    public const string Rule = "must not be empty when it is given (empty, it would ask for every one instead of this input's)";

    public const string Detail = "This input's value is empty.";
}
