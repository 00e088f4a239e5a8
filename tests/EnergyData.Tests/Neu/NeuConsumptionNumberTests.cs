using System;
using System.Globalization;
using System.Linq;
using System.Text;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>The short-decimal fast path of consumption rows gives exactly what double.Parse gives, and declines the rest.</summary>
public sealed class NeuConsumptionNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("12.5")]
    [InlineData("-0.25")]
    [InlineData("10000")]
    [InlineData("0.1")]
    [InlineData("0.3")]
    [InlineData("120.1")]
    [InlineData("999999999999999")]
    [InlineData("0.00000000000001")]
    [InlineData("-99999999999999.9")]
    [InlineData("1.00000000000001")]
    public void A_short_decimal_reads_as_double_Parse_reads_it(string text)
    {
        Assert.True(NeuConsumptionReader.TryParseShortDecimal(Encoding.ASCII.GetBytes(text), out var value));

        var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("1e5")]
    [InlineData("1.5E-3")]
    [InlineData("1234567890123456")]
    [InlineData("0.1234567890123456")]
    [InlineData("1.000000000000001")]
    [InlineData("-123456789012345678")]
    [InlineData("")]
    [InlineData("-")]
    public void Exponents_and_more_than_fifteen_digits_are_left_to_the_general_parser(string text)
    {
        Assert.False(NeuConsumptionReader.TryParseShortDecimal(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Random_decimals_of_every_length_and_scale_read_bit_for_bit_as_double_Parse_reads_them()
    {
        var random = new Random(20261201);
        var checkedCount = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var digits = random.Next(1, 16);
            var builder = new StringBuilder();
            if (random.Next(4) == 0)
            {
                builder.Append('-');
            }

            var point = random.Next(0, digits + 1);
            for (var d = 0; d < digits; d++)
            {
                if (d == point && d > 0)
                {
                    builder.Append('.');
                }

                builder.Append((char)('0' + random.Next(10)));
            }

            var text = builder.ToString();
            if (text.TrimStart('-').Length > 1 && text.TrimStart('-')[0] == '0' && text.TrimStart('-')[1] != '.')
            {
                // Leading zeros are not JSON; the reader never hands such a number over.
                continue;
            }

            Assert.True(NeuConsumptionReader.TryParseShortDecimal(Encoding.ASCII.GetBytes(text), out var value), text);
            var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"{text}: {value:R} instead of {expected:R}");
            checkedCount++;
        }

        Assert.True(checkedCount > 100_000);
    }
}

/// <summary>The compact storage of NeuConsumption's readings behaves as sixteen independent double? properties.</summary>
public sealed class NeuConsumptionReadingStorageTests
{
    [Fact]
    public void Each_reading_keeps_its_own_value_or_null_independently_of_the_others()
    {
        var readings = typeof(NeuConsumption).GetProperties().Where(property => property.PropertyType == typeof(double?)).ToList();
        Assert.Equal(16, readings.Count);

        var row = new NeuConsumption();
        Assert.All(readings, property => Assert.Null(property.GetValue(row)));

        for (var i = 0; i < readings.Count; i++)
        {
            readings[i].SetValue(row, i == 3 ? 0.0 : i + 0.5);
        }

        for (var i = 0; i < readings.Count; i++)
        {
            Assert.Equal(i == 3 ? 0.0 : i + 0.5, (double?)readings[i].GetValue(row));
        }

        // Clearing one leaves every other reading as it was; a zero is a value, not a missing one.
        readings[5].SetValue(row, null);
        readings[3].SetValue(row, 0.0);
        for (var i = 0; i < readings.Count; i++)
        {
            Assert.Equal(i == 5 ? null : i == 3 ? 0.0 : i + 0.5, (double?)readings[i].GetValue(row));
        }
    }
}
