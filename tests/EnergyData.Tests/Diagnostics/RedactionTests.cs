using EnergyData.Diagnostics;
using Xunit;

namespace EnergyData.Tests.Diagnostics;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("""{"Username":"u","Password":"p4ss"}""", """{"Username":"u","Password":"***"}""")]
    [InlineData("""{"access_token":"eyJhbGci.x.y","token_type":"Bearer","expires_in":3600}""", """{"access_token":"***","token_type":"***","expires_in":3600}""")]
    [InlineData("""{"AccountLink":"abc=="}""", """{"AccountLink":"***"}""")]
    [InlineData("""{"client_secret":"s\"x"}""", """{"client_secret":"***"}""")]
    [InlineData("""{"Data":{"Address":"AGUSTINAS 1234"}}""", """{"Data":{"Address":"AGUSTINAS 1234"}}""")]
    public void Json_secrets_are_masked(string input, string expected) => Assert.Equal(expected, Redaction.RedactJson(input));

    [Fact]
    public void A_secret_cut_off_mid_value_is_masked_too() =>
        Assert.Equal("{\"Password\":\"***\"", Redaction.RedactJson("{\"Password\":\"p4ssw"));

    [Fact]
    public void Form_secrets_are_masked() =>
        Assert.Equal("grant_type=client_credentials&client_id=abc&client_secret=***", Redaction.RedactForm("grant_type=client_credentials&client_id=abc&client_secret=s3cr3t"));
}
