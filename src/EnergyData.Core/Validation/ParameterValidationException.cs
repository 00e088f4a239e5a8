using System;

namespace EnergyData.Validation;

/// <summary>
/// A value was refused before any request was sent. The message always names the parameter (or the environment
/// variable the value came from) and the rule, once, so a user reading one line knows what to change.
/// </summary>
/// <remarks>
/// <see cref="ArgumentException.ParamName"/> holds the name for code (error records, tests); the message does not
/// repeat it as ArgumentException's own " (Parameter 'X')" suffix would.
/// </remarks>
public sealed class ParameterValidationException : ArgumentException
{
    private readonly string message;

    public ParameterValidationException(string parameterName, string rule, string? detail = null)
        : this(parameterName, rule, detail, isEnvironmentVariable: false)
    {
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
        this.message = message;
        Rule = message;
    }

    private ParameterValidationException(string name, string rule, string? detail, bool isEnvironmentVariable)
        : base(BuildMessage(name, rule, detail, isEnvironmentVariable), name)
    {
        message = BuildMessage(name, rule, detail, isEnvironmentVariable);
        Rule = rule;
        Detail = detail;
        IsEnvironmentVariable = isEnvironmentVariable;
    }

    /// <summary>"Parameter 'X' rule. Detail" (or "Environment variable 'X' ..."), without ArgumentException's suffix.</summary>
    public override string Message => message;

    /// <summary>The rule the value broke, without the parameter name (for example "must be at most 20 characters").</summary>
    public string Rule { get; } = string.Empty;

    /// <summary>What was wrong with this value (for example "'123' has 21."), when the message says it.</summary>
    public string? Detail { get; }

    /// <summary>
    /// True when the value came from an environment variable (ConnectionSettings.FromEnvironment): ParamName is then
    /// the variable's name (ENERGYDATA_KHIPU_BASE_URI), and the message says "Environment variable".
    /// </summary>
    public bool IsEnvironmentVariable { get; }

    /// <summary>What the message calls the value's source: "parameter 'X'" or "environment variable 'X'".</summary>
    public string Subject => (IsEnvironmentVariable ? "environment variable '" : "parameter '") + ParamName + "'";

    /// <summary>A value read from the environment variable <paramref name="variableName"/> broke <paramref name="rule"/>.</summary>
    public static ParameterValidationException ForEnvironmentVariable(string variableName, string rule, string? detail = null) =>
        new(variableName, rule, detail, isEnvironmentVariable: true);

    /// <summary>The same refusal, of a value that came from <paramref name="variableName"/> rather than a parameter.</summary>
    public ParameterValidationException FromEnvironmentVariable(string variableName) =>
        ForEnvironmentVariable(variableName, Rule, Detail);

    private static string BuildMessage(string name, string rule, string? detail, bool isEnvironmentVariable)
    {
        var subject = isEnvironmentVariable ? "Environment variable" : "Parameter";
        return detail is null
            ? $"{subject} '{name}' {rule}."
            : $"{subject} '{name}' {rule}. {detail}";
    }
}
