using System;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Validation;

public sealed class InputRulesTests
{
    [Theory]
    [InlineData("1234567-8")]
    [InlineData("12345-6")]
    [InlineData("1234567")]
    [InlineData("12345678-K")]
    [InlineData("12345678901234567890")]
    public void Valid_client_identifiers_pass(string value) => Assert.Equal(value, InputRules.ClientIdentifier(value));

    [Theory]
    [InlineData("123456789012345678901", "at most 20 characters")]
    [InlineData("12.345.678-9", "digits, optionally followed by a hyphen")]
    [InlineData("ABC", "digits, optionally followed by a hyphen")]
    [InlineData("1234-56", "digits, optionally followed by a hyphen")]
    [InlineData("", "must not be empty")]
    [InlineData("   ", "must not be empty")]
    public void Bad_client_identifiers_name_the_parameter_and_the_rule(string value, string rule)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.ClientIdentifier(value));
        Assert.StartsWith("Parameter 'ClientIdentifier' ", exception.Message, StringComparison.Ordinal);
        Assert.Contains(rule, exception.Message, StringComparison.Ordinal);
        Assert.Equal("ClientIdentifier", exception.ParamName);
    }

    [Theory]
    [InlineData("example-email@email-provider.domain", false)]
    [InlineData("a.b@c.cl", true)]
    [InlineData("no-at-sign.cl", false)]
    [InlineData("a@b", false)]
    [InlineData("a@b.toolong", false)]
    [InlineData("a b@c.cl", false)]
    public void Email_follows_the_documented_pattern(string value, bool valid)
    {
        // The document's own example has a six-letter top-level part, which its pattern ({2,4}) rejects.
        if (valid)
        {
            Assert.Equal(value, InputRules.Email(value));
        }
        else
        {
            var exception = Assert.Throws<ParameterValidationException>(() => InputRules.Email(value));
            Assert.StartsWith("Parameter 'Email' must", exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("76999999", true)]
    [InlineData("1", true)]
    [InlineData("12345678K", true)]
    [InlineData("12345678k", true)]
    [InlineData("K", false)]
    [InlineData("1234K678", false)]
    [InlineData("76.999.999", false)]
    [InlineData("76999999-9", false)]
    [InlineData("12345678901", false)]
    public void Rut_is_digits_only(string value, bool valid)
    {
        if (valid)
        {
            Assert.Equal(value, InputRules.Rut(value));
        }
        else
        {
            var exception = Assert.Throws<ParameterValidationException>(() => InputRules.Rut(value));
            Assert.Contains("'RutDeudor' must be 1 to 10 digits (the last may be the check digit K)", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cen_dates_are_sent_as_month_day_year_whatever_the_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("es-CL");
            Assert.Equal("11/05/2025", InputRules.ToCenDate(new DateTime(2025, 11, 5)));
            Assert.Equal("01/31/2019", InputRules.ToCenDate(new DateTime(2019, 1, 31)));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Reversed_dates_are_refused()
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.DateRange(new DateTime(2025, 2, 1), new DateTime(2025, 1, 1)));
        Assert.Contains("'From' must not be later than 'To'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-01-05", "2024-01-05T00:00:00")]
    [InlineData(" 2024-01-05 ", "2024-01-05T00:00:00")]
    [InlineData("2024-12-31T23:59", "2024-12-31T23:59:00")]
    [InlineData("2024-12-31 23:59:30", "2024-12-31T23:59:30")]
    [InlineData("2024-12-31T23:59:30.25", "2024-12-31T23:59:30.2500000")]
    public void A_year_first_date_is_one_date_whatever_the_culture_and_its_calendar(string text, string expected)
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            foreach (var culture in new[] { "th-TH", "ar-SA", "en-US" })
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(culture);
                Assert.True(InputRules.TryParseIsoDate(text, out var date));
                Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
                Assert.Equal(DateTimeKind.Unspecified, date.Kind);
            }
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("05-01-2024")]
    [InlineData("01/05/2024")]
    [InlineData("2024-01-05Z")]
    [InlineData("2024-01-05T00:00:00-03:00")]
    [InlineData("2024-13-05")]
    public void Other_forms_are_left_to_the_binder(string text) => Assert.False(InputRules.TryParseIsoDate(text, out _));

    [Fact]
    public void A_date_out_of_range_is_named_in_the_Gregorian_calendar_whatever_the_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("th-TH");
            var exception = Assert.Throws<ParameterValidationException>(() => InputRules.DateRange(new DateTime(1800, 1, 1), null));
            Assert.Contains("'From' must be between 1900-01-01 and 2100-12-31. It was 1800-01-01.", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Dates_out_of_range_are_refused()
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.DateRange(new DateTime(1800, 1, 1), new DateTime(2025, 1, 1)));
        Assert.Contains("'From' must be between 1900-01-01 and 2100-12-31", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    [InlineData(-5)]
    public void Page_size_outside_its_range_is_refused(int size)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.CenPageSize(size));
        Assert.Contains("'PageSize' must be between 1 and 1000", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://my-api.my-business.com/api/open-data-response", null)]
    [InlineData("http://127.0.0.1:8080/cb", null)]
    [InlineData("/relative/path", "absolute http or https")]
    [InlineData("ftp://example.com/cb", "absolute http or https")]
    public void Callback_url_must_be_absolute_http(string value, string? rule)
    {
        var uri = new Uri(value, UriKind.RelativeOrAbsolute);
        if (rule is null)
        {
            Assert.Same(uri, InputRules.CallbackUrl(uri));
            return;
        }

        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.CallbackUrl(uri));
        Assert.Contains("'CallbackUrl' must be an " + rule, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Callback_url_longer_than_255_characters_is_refused()
    {
        var uri = new Uri("https://example.com/" + new string('a', 240));
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.CallbackUrl(uri));
        Assert.Contains("'CallbackUrl' must be at most 255 characters", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.khipu.com", "https://api.khipu.com/")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:5000/base", "http://localhost:5000/base/")]
    [InlineData("http://[::1]:5000/", "http://[::1]:5000/")]
    public void Base_uri_is_https_or_loopback_and_ends_with_a_slash(string value, string expected) =>
        Assert.Equal(expected, InputRules.BaseUri(new Uri(value), "KhipuBaseUri").AbsoluteUri);

    [Theory]
    [InlineData("http://api.khipu.com/", "must use https")]
    [InlineData("http://10.0.0.1/", "must use https")]
    [InlineData("https://user:secret@api.khipu.com/", "must not contain user information")]
    [InlineData("https://api.khipu.com/?key=abc", "must not contain a query")]
    public void Unsafe_base_uris_are_refused(string value, string rule)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.BaseUri(new Uri(value), "KhipuBaseUri"));
        Assert.Contains("'KhipuBaseUri' " + rule, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://api.khipu.com/", "http://api.khipu.com/")]
    [InlineData("http://khipu-mock:8080/v1", "http://khipu-mock:8080/v1/")]
    [InlineData("https://api.khipu.com", "https://api.khipu.com/")]
    public void Plain_http_base_uri_on_any_host_is_accepted_when_allowed(string value, string expected) =>
        Assert.Equal(expected, InputRules.BaseUri(new Uri(value), "KhipuBaseUri", allowUnencrypted: true).AbsoluteUri);

    [Fact]
    public void Allowing_plain_http_still_refuses_user_information_and_other_schemes()
    {
        var userInfo = Assert.Throws<ParameterValidationException>(() => InputRules.BaseUri(new Uri("http://user:secret@neu-mock/"), "NeuBaseUri", allowUnencrypted: true));
        Assert.Contains("'NeuBaseUri' must not contain user information", userInfo.Message, StringComparison.Ordinal);
        var ftp = Assert.Throws<ParameterValidationException>(() => InputRules.BaseUri(new Uri("ftp://neu-mock/"), "NeuBaseUri", allowUnencrypted: true));
        Assert.Contains("'NeuBaseUri' must use https", ftp.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://user:secret@neu-mock:8080/")]
    [InlineData("http://user:secret@127.0.0.1:8080/")]
    public void A_password_in_a_plain_http_address_is_never_shown(string value)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.BaseUri(new Uri(value), "NeuBaseUri"));
        Assert.Contains("must not contain user information", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_refusal_of_plain_http_names_the_switch_that_allows_it()
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.BaseUri(new Uri("http://neu-mock:8080/"), "NeuBaseUri"));
        Assert.Contains("-AllowUnencryptedAuthentication", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_token_uri_on_any_host_is_accepted_when_allowed() =>
        Assert.Equal("http://idp.example.com/oauth/token", InputRules.TokenUri(new Uri("http://idp.example.com/oauth/token"), "KhipuTokenUri", allowUnencrypted: true).AbsoluteUri);

    [Theory]
    [InlineData("https://idp.example.com/oauth/token")]
    [InlineData("https://idp.example.com/oauth/token/")]
    [InlineData("https://idp.example.com/tenant/oauth2/v2.0/token?p=b2c_1_signin")]
    [InlineData("http://127.0.0.1:5000/connect/token")]
    public void Token_uri_is_kept_exactly_as_given(string value) =>
        Assert.Equal(value, InputRules.TokenUri(new Uri(value), "KhipuTokenUri").AbsoluteUri);

    [Theory]
    [InlineData("http://idp.example.com/oauth/token", "must use https")]
    [InlineData("https://client:secret@idp.example.com/oauth/token", "must not contain user information")]
    [InlineData("https://idp.example.com/oauth/token#part", "must not contain a fragment")]
    public void Unsafe_token_uris_are_refused(string value, string rule)
    {
        var exception = Assert.Throws<ParameterValidationException>(() => InputRules.TokenUri(new Uri(value), "KhipuTokenUri"));
        Assert.Contains("'KhipuTokenUri' " + rule, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>PowerShell's conversion read '41.5' as 42 and '282,450' as 282450: another account's data, without a word.</summary>
    [Theory]
    [InlineData("41", true)]
    [InlineData(" 41 ", true)]
    [InlineData("-7", true)]
    [InlineData("+7", true)]
    [InlineData("007", true)]
    [InlineData("", true)]
    [InlineData("41.5", false)]
    [InlineData("41.0", true)]
    [InlineData("41.", true)]
    [InlineData("41.05", false)]
    [InlineData(".0", false)]
    [InlineData("4.1.0", false)]
    [InlineData("4,1", false)]
    [InlineData("282,450", false)]
    [InlineData("1e3", false)]
    [InlineData("0x1F", false)]
    [InlineData("-", false)]
    [InlineData("4 1", false)]
    public void Whole_number_text_is_digits_with_an_optional_sign(string text, bool expected) =>
        Assert.Equal(expected, InputRules.IsWholeNumberOrOther(text));

    [Fact]
    public void Fractional_numbers_are_refused_and_other_values_are_left_to_the_binder()
    {
        Assert.False(InputRules.IsWholeNumberOrOther(41.5));
        Assert.False(InputRules.IsWholeNumberOrOther(41.5f));
        Assert.False(InputRules.IsWholeNumberOrOther(41.5m));
        Assert.False(InputRules.IsWholeNumberOrOther(double.NaN));
        Assert.False(InputRules.IsWholeNumberOrOther(double.PositiveInfinity));
        Assert.True(InputRules.IsWholeNumberOrOther(42.0));
        Assert.True(InputRules.IsWholeNumberOrOther(42m));
        Assert.True(InputRules.IsWholeNumberOrOther(42L));
        Assert.True(InputRules.IsWholeNumberOrOther(42));
        Assert.True(InputRules.IsWholeNumberOrOther(null));
        Assert.True(InputRules.IsWholeNumberOrOther(new object()));
    }

    [Theory]
    [InlineData(typeof(EnergyData.Neu.NeuInterval), "WEEKLY", "'Interval' must be one of Hourly, Daily, Monthly. 'WEEKLY' is not.")]
    [InlineData(typeof(long), "abc", "'Interval' must be a whole number. 'abc' is not.")]
    [InlineData(typeof(long?), "4 1", "'Interval' must be a whole number. '4 1' is not.")]
    [InlineData(typeof(DateTime), "31/01/2025", "'Interval' must be a date, such as 2025-01-31 or 2025-01-31T13:00:00. '31/01/2025' is not.")]
    public void Text_that_does_not_convert_is_refused_naming_the_parameter_the_rule_and_the_text(Type type, string text, string expected)
    {
        var refusal = InputRules.NotConvertible("Interval", text, type);

        Assert.Equal("Interval", refusal.ParamName);
        Assert.Contains(expected, refusal.Message, StringComparison.Ordinal);
    }
}
