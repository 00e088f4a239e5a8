using System;

namespace EnergyData.Validation;

/// <summary>
/// A value was refused before any request was sent. The message always names the parameter and the rule,
/// so a user reading one line knows what to change.
/// </summary>
public sealed class ParameterValidationException : ArgumentException
{
    public ParameterValidationException(string parameterName, string rule, string? detail = null)
        : base(BuildMessage(parameterName, rule, detail), parameterName)
    {
        Rule = rule;
    }

    public ParameterValidationException()
        : this("value", "is not valid")
    {
    }

    public ParameterValidationException(string message)
        : this("value", message)
    {
    }

    public ParameterValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rule = message;
    }

    /// <summary>The rule the value broke, without the parameter name (for example "must be at most 20 characters").</summary>
    public string Rule { get; } = string.Empty;

    private static string BuildMessage(string parameterName, string rule, string? detail) =>
        detail is null
            ? $"Parameter '{parameterName}' {rule}."
            : $"Parameter '{parameterName}' {rule}. {detail}";
}
