using System;
using System.Collections;
using EnergyData.Auth;
using EnergyData.Connection;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Connection;

/// <summary>Connect-EnergyData's settings: the environment variables of unattended scripts and the plain http opt-in.</summary>
public sealed class ConnectionSettingsTests
{
    [Fact]
    public void A_remote_plain_http_base_uri_is_refused_by_default()
    {
        var settings = new ConnectionSettings { NeuToken = "token".ToSecureString(), NeuBaseUri = new Uri("http://neu-mock:8080/") };
        var exception = Assert.Throws<ParameterValidationException>(settings.Validate);
        Assert.Equal("NeuBaseUri", exception.ParamName);
        Assert.Contains("-AllowUnencryptedAuthentication", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowUnencryptedAuthentication_accepts_remote_plain_http_base_and_token_uris()
    {
        var settings = new ConnectionSettings
        {
            AllowUnencryptedAuthentication = true,
            KhipuClientId = "client",
            KhipuClientSecret = "secret".ToSecureString(),
            KhipuTokenUri = new Uri("http://identity-mock/connect/token"),
            KhipuBaseUri = new Uri("http://khipu-mock:8080"),
            NeuBaseUri = new Uri("http://neu-mock:8080/api"),
        };

        settings.Validate();

        Assert.Equal("http://khipu-mock:8080/", settings.KhipuBaseUri.AbsoluteUri);
        Assert.Equal("http://neu-mock:8080/api/", settings.NeuBaseUri.AbsoluteUri);
        Assert.Equal("http://identity-mock/connect/token", settings.KhipuTokenUri!.AbsoluteUri);
        using var connection = EnergyDataConnection.Create(settings);
        Assert.Equal("http://neu-mock:8080/api/", connection.NeuBaseUri.AbsoluteUri);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData(" YES ", true)]
    [InlineData("0", false)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    public void The_environment_can_allow_plain_http(string value, bool expected)
    {
        var variables = new Hashtable
        {
            [ConnectionSettings.NeuTokenVariable] = "token",
            [ConnectionSettings.NeuBaseUriVariable] = "http://neu-mock:8080/",
            [ConnectionSettings.AllowUnencryptedAuthenticationVariable] = value,
        };

        var settings = ConnectionSettings.FromEnvironment(variables);

        Assert.Equal(expected, settings.AllowUnencryptedAuthentication);
        Assert.Equal("http://neu-mock:8080/", settings.NeuBaseUri.AbsoluteUri);
        if (expected)
        {
            settings.Validate();
        }
        else
        {
            Assert.Throws<ParameterValidationException>(settings.Validate);
        }
    }

    [Fact]
    public void A_misspelt_environment_switch_is_refused_naming_the_variable()
    {
        var variables = new Hashtable { [ConnectionSettings.AllowUnencryptedAuthenticationVariable] = "yes please" };
        var exception = Assert.Throws<ParameterValidationException>(() => ConnectionSettings.FromEnvironment(variables));
        Assert.Equal(ConnectionSettings.AllowUnencryptedAuthenticationVariable, exception.ParamName);
    }

    [Theory]
    [InlineData("  key-123  ")]
    [InlineData("\tkey-123\r\n")]
    public void A_padded_api_key_is_kept_without_its_surrounding_whitespace(string pasted)
    {
        var settings = new ConnectionSettings { KhipuApiKey = pasted.ToSecureString() };

        settings.Validate();

        Assert.Equal("key-123", settings.KhipuApiKey!.ToPlainText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t ")]
    public void A_blank_api_key_is_refused_as_empty(string pasted)
    {
        var settings = new ConnectionSettings { KhipuApiKey = pasted.ToSecureString() };

        var error = Assert.Throws<ParameterValidationException>(settings.Validate);

        Assert.Equal("KhipuApiKey", error.ParamName);
        Assert.Contains("must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_gives_credentials_and_base_uris()
    {
        var variables = new Hashtable
        {
            [ConnectionSettings.KhipuApiKeyVariable] = " key ",
            [ConnectionSettings.NeuTokenVariable] = "token",
            [ConnectionSettings.KhipuBaseUriVariable] = "http://127.0.0.1:5000",
            [ConnectionSettings.NeuBaseUriVariable] = "https://neu.example.com/",
        };

        var settings = ConnectionSettings.FromEnvironment(variables);

        Assert.Equal("key", settings.KhipuApiKey!.ToPlainText());
        Assert.Equal("token", settings.NeuToken!.ToPlainText());
        Assert.False(settings.AllowUnencryptedAuthentication);
        settings.Validate();
        Assert.Equal("http://127.0.0.1:5000/", settings.KhipuBaseUri.AbsoluteUri);
        Assert.True(ConnectionSettings.EnvironmentHasCredentials(variables));
        Assert.False(ConnectionSettings.EnvironmentHasCredentials(new Hashtable()));
    }
}
