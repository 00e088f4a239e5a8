using EnergyData.Json;
using Xunit;

namespace EnergyData.Tests.Json;

/// <summary>
/// Amounts a server sends as text. Read as JSON writes numbers: "1,5" had been read as 15 (a thousands separator), and
/// "20.000", which Chile and Colombia write for twenty thousand pesos, as 20. Such texts are not read, so the caller
/// warns and leaves the value empty, rather than write a value a thousand times off without a word.
/// </summary>
public sealed class DecimalTextTests
{
    [Theory]
    [InlineData("20", "20")]
    [InlineData(" -20.5 ", "-20.5")]
    [InlineData("0.125", "0.125")]
    [InlineData("20.0000", "20.0000")]
    [InlineData("1234.567", "1234.567")]
    [InlineData("1e3", "1000")]
    [InlineData("+7", "7")]
    public void A_plain_number_reads_as_it_is(string text, string expected)
    {
        Assert.True(DecimalText.TryParse(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1,5", "is not a number")]
    [InlineData("1,234.5", "is not a number")]
    [InlineData("1.234.567", "is not a number")]
    [InlineData("$ 20", "is not a number")]
    [InlineData("20.000", "is ambiguous")]
    [InlineData("-999.500", "is ambiguous")]
    public void A_number_in_another_form_is_not_read_and_says_why(string text, string why)
    {
        Assert.False(DecimalText.TryParse(text, out _));
        Assert.StartsWith(why, DecimalText.WhyNot(text), System.StringComparison.Ordinal);
    }
}
