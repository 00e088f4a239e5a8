using System;
using EnergyData.Auth;
using EnergyData.Diagnostics;
using Xunit;

namespace EnergyData.Tests.Diagnostics;

/// <summary>
/// The session's secrets masked by value: a server that echoes a token in its error text ("invalid token eyJ...") put
/// it in the exception's message, the -Debug lines and every CSV of failures built from them.
/// </summary>
public sealed class KnownSecretsTests
{
    [Fact]
    public void A_registered_secret_is_masked_wherever_it_stands_between_word_boundaries()
    {
        var token = NewSecret("tok");
        KnownSecrets.Register(token.ToSecureString());

        Assert.Equal("invalid token *** (expired)", KnownSecrets.Redact($"invalid token {token} (expired)"));
        Assert.Equal("""{"detail":"Bearer ***"}""", KnownSecrets.Redact($$"""{"detail":"Bearer {{token}}"}"""));
        Assert.Equal("X-Debug-Authorization: Bearer ***", KnownSecrets.Redact($"X-Debug-Authorization: Bearer {token}"));
        Assert.Equal("?token=***&page=2", KnownSecrets.Redact($"?token={token}&page=2"));
        Assert.Equal("***", KnownSecrets.Redact(token));
        Assert.Equal("*** and ***", KnownSecrets.Redact($"{token} and {token}"));

        // As .NET's serializer quotes a JSON body inside a JSON string.
        Assert.Equal(@"\u0022Password\u0022:\u0022***\u0022", KnownSecrets.Redact($@"\u0022Password\u0022:\u0022{token}\u0022"));
    }

    [Fact]
    public void Text_without_a_secret_is_returned_as_it_is()
    {
        KnownSecrets.Register(NewSecret("other"));
        const string text = "HTTP 400 Bad Request: the field Id_service is required.";

        Assert.Same(text, KnownSecrets.Redact(text));
        Assert.Equal(string.Empty, KnownSecrets.Redact(string.Empty));
    }

    [Fact]
    public void A_secret_glued_inside_a_longer_word_is_not_a_match()
    {
        var token = NewSecret("glued");
        KnownSecrets.Register(token);

        var text = "x" + token + "y";
        Assert.Equal(text, KnownSecrets.Redact(text));
    }

    [Fact]
    public void The_longest_secret_wins_when_one_contains_another()
    {
        var inner = NewSecret("in");
        var outer = inner + "-" + NewSecret("out");
        KnownSecrets.Register(inner);
        KnownSecrets.Register(outer);

        Assert.Equal("key *** and ***", KnownSecrets.Redact($"key {outer} and {inner}"));
    }

    [Fact]
    public void Secrets_shorter_than_the_minimum_are_not_looked_for()
    {
        KnownSecrets.Register("12345");

        Assert.Equal("page 12345 of 99999", KnownSecrets.Redact("page 12345 of 99999"));
    }

    /// <summary>
    /// A password with 'ñ' or '+' comes back JSON-escaped from Python's serializer (lower-case hex) or .NET's (upper case),
    /// or URL-escaped in a query; and a secret that starts a line of an escaped text follows a <c>\n</c>.
    /// </summary>
    [Fact]
    public void A_secret_echoed_in_an_escaped_form_is_masked_too()
    {
        var password = "Contraseña+" + Guid.NewGuid().ToString("N")[..8];
        KnownSecrets.Register(password.ToSecureString());
        var tail = password["Contraseña+".Length..];

        Assert.Equal("pw ***", KnownSecrets.Redact(@"pw Contrase\u00f1a+" + tail));
        Assert.Equal("pw ***", KnownSecrets.Redact(@"pw Contrase\u00F1a\u002B" + tail));
        Assert.Equal("pw ***", KnownSecrets.Redact(@"pw Contrase\u00f1a\u002b" + tail));
        Assert.Equal("?password=***&x=1", KnownSecrets.Redact("?password=" + Uri.EscapeDataString(password) + "&x=1"));
        Assert.Equal(@"line one\n***", KnownSecrets.Redact(@"line one\n" + password));
    }

    /// <summary>An error without a message of its own shows its exception's: that is masked too, whatever the exception.</summary>
    [Fact]
    public void An_errors_shown_message_is_masked_whatever_exception_carries_it()
    {
        var token = NewSecret("redirect");
        KnownSecrets.Register(token);
        var failure = new EnergyData.Pipeline.OperationError(new InvalidOperationException("Refused a redirect to /login?token=" + token), "RedirectRefused", EnergyData.Pipeline.ErrorKind.NotSpecified, null);

        var shown = failure.WithoutKnownSecrets();

        Assert.Equal("Refused a redirect to /login?token=***", shown.Message);
        Assert.Equal("RedirectRefused", shown.ErrorId);
        var clean = new EnergyData.Pipeline.OperationError(new InvalidOperationException("nothing secret"), "X", EnergyData.Pipeline.ErrorKind.NotSpecified, null);
        Assert.Same(clean, clean.WithoutKnownSecrets());
    }

    private static string NewSecret(string prefix) => prefix + Guid.NewGuid().ToString("N");
}
