using System;
using System.Collections;
using System.Text.RegularExpressions;
using EnergyData.Connection;
using EnergyData.Errors;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Validation;

/// <summary>
/// A refusal reads once: "Parameter 'X' rule. detail", without ArgumentException's " (Parameter 'X')" suffix, and a
/// value read from an environment variable is named as that variable, not as a parameter.
/// </summary>
public sealed class ValidationMessageTests
{
    [Fact]
    public void The_message_names_the_parameter_once_and_ParamName_still_holds_it()
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.ClientIdentifier("123456789012345678901"));

        Assert.Equal("Parameter 'ClientIdentifier' must be at most 20 characters. '123456789012345678901' has 21.", exception.Message);
        Assert.Equal("ClientIdentifier", exception.ParamName);
        Assert.False(exception.IsEnvironmentVariable);
        Assert.Equal("must be at most 20 characters", exception.Rule);
    }

    [Fact]
    public void A_rule_without_detail_ends_with_its_full_stop()
    {
        var exception = new ParameterValidationException("InboxPath", "is required");

        Assert.Equal("Parameter 'InboxPath' is required.", exception.Message);
        Assert.Equal("InboxPath", exception.ParamName);
    }

    [Fact]
    public void A_malformed_base_uri_variable_is_named_as_an_environment_variable()
    {
        var variables = new Hashtable { [ConnectionSettings.KhipuBaseUriVariable] = "not a uri" };

        var exception = Assert.Throws<ParameterValidationException>(() => ConnectionSettings.FromEnvironment(variables));

        Assert.Equal("Environment variable 'ENERGYDATA_KHIPU_BASE_URI' must be an absolute URI. 'not a uri' is not.", exception.Message);
        Assert.Equal(ConnectionSettings.KhipuBaseUriVariable, exception.ParamName);
        Assert.True(exception.IsEnvironmentVariable);
    }

    [Fact]
    public void A_misspelt_switch_variable_is_named_as_an_environment_variable()
    {
        var variables = new Hashtable { [ConnectionSettings.AllowUnencryptedAuthenticationVariable] = "yes please" };

        var exception = Assert.Throws<ParameterValidationException>(() => ConnectionSettings.FromEnvironment(variables));

        Assert.Equal("Environment variable 'ENERGYDATA_ALLOW_UNENCRYPTED_AUTHENTICATION' must be 1, true or yes (or 0, false or no). It is 'yes please'.", exception.Message);
    }

    [Fact]
    public void A_base_uri_from_the_environment_refused_by_Validate_names_the_variable()
    {
        // Absolute, so FromEnvironment takes it; plain http on a remote host is refused only by Validate.
        var variables = new Hashtable
        {
            [ConnectionSettings.NeuTokenVariable] = "token",
            [ConnectionSettings.NeuBaseUriVariable] = "http://neu.example.com/",
        };
        var settings = ConnectionSettings.FromEnvironment(variables);

        var exception = Assert.Throws<ParameterValidationException>(settings.Validate);

        Assert.StartsWith("Environment variable 'ENERGYDATA_NEU_BASE_URI' must use https", exception.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionSettings.NeuBaseUriVariable, exception.ParamName);
        Assert.True(exception.IsEnvironmentVariable);
        Assert.DoesNotContain("(Parameter", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_uri_parameter_that_replaced_the_variable_is_named_as_the_parameter()
    {
        var variables = new Hashtable
        {
            [ConnectionSettings.NeuTokenVariable] = "token",
            [ConnectionSettings.NeuBaseUriVariable] = "https://neu.example.com/",
        };
        var settings = ConnectionSettings.FromEnvironment(variables);
        settings.NeuBaseUri = new Uri("http://neu.example.com/");

        var exception = Assert.Throws<ParameterValidationException>(settings.Validate);

        Assert.StartsWith("Parameter 'NeuBaseUri' must use https", exception.Message, StringComparison.Ordinal);
        Assert.False(exception.IsEnvironmentVariable);
    }

    [Fact]
    public void The_recommended_action_names_the_variable_or_the_parameter()
    {
        var fromVariable = ErrorMapper.FromException(ParameterValidationException.ForEnvironmentVariable("ENERGYDATA_NEU_BASE_URI", "must be an absolute URI"), null);
        var fromParameter = ErrorMapper.FromException(new ParameterValidationException("Email", "must not be empty"), null);

        Assert.Equal("Correct the value of environment variable 'ENERGYDATA_NEU_BASE_URI' and run the command again.", fromVariable.RecommendedAction);
        Assert.Equal("Correct the value of parameter 'Email' and run the command again.", fromParameter.RecommendedAction);
        Assert.Equal("InvalidParameter", fromVariable.ErrorId);
    }

    [Fact]
    public void Every_bad_input_message_names_its_parameter_once()
    {
        foreach (var message in new[]
        {
            Refusal(() => InputRules.Email("no-at-sign")),
            Refusal(() => InputRules.CenPageSize(0)),
            Refusal(() => InputRules.CallbackUrl(new Uri("ftp://example.cl/cb"))),
            Refusal(() => InputRules.BaseUri(new Uri("http://api.khipu.com/"), "KhipuBaseUri")),
        })
        {
            Assert.Single(Regex.Matches(message, "Parameter '"));
            Assert.DoesNotContain("(Parameter", message, StringComparison.Ordinal);
        }
    }

    private static string Refusal(Action act) => Assert.Throws<ParameterValidationException>(act).Message;
}
