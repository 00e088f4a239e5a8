using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
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

/// <summary>
/// The compact storage of NeuConsumption (readings and date with presence bits, account and service fields in a
/// source shared by the rows of a service) behaves as independent nullable properties on independent rows.
/// </summary>
public sealed class NeuConsumptionReadingStorageTests
{
    private const string TwoAccounts = """
        [
          {"id_account": 7, "account_name": "Planta Norte", "data": [
            {"id_service": 70, "name": "Medidor A", "is_backup": false, "date": "2024-01-01T00:00:00", "cons": 1.5},
            {"id_service": 70, "name": "Medidor A", "is_backup": false, "date": "2024-01-01T01:00:00", "cons": 2.5},
            {"id_service": 71, "name": "Medidor B", "is_backup": true, "date": "2024-01-01T00:00:00", "cons": 3.5}
          ]},
          {"id_account": 8, "account_name": "Planta Sur", "data": [
            {"id_service": 70, "name": "Medidor A", "is_backup": false, "date": "2024-01-01T00:00:00"}
          ]}
        ]
        """;

    [Fact]
    public void Every_property_keeps_its_own_value_or_null_independently_of_the_others()
    {
        var properties = typeof(NeuConsumption).GetProperties();
        Assert.Equal(23, properties.Length);
        var row = new NeuConsumption();
        Assert.All(properties, property => Assert.Null(property.GetValue(row)));

        var values = properties.Select((property, index) => SampleValue(property.PropertyType, index)).ToArray();
        for (var i = 0; i < properties.Length; i++)
        {
            properties[i].SetValue(row, values[i]);
        }

        Assert.Equal(values, properties.Select(property => property.GetValue(row)));

        // Clearing any one property leaves every other as it was.
        for (var cleared = 0; cleared < properties.Length; cleared++)
        {
            properties[cleared].SetValue(row, null);
            var expected = values.Select((value, index) => index == cleared ? null : value);
            Assert.Equal(expected, properties.Select(property => property.GetValue(row)));
            properties[cleared].SetValue(row, values[cleared]);
        }
    }

    [Fact]
    public void A_default_date_is_a_value_not_a_missing_one()
    {
        var row = new NeuConsumption { Date = default(DateTime) };
        Assert.Equal(default(DateTime), row.Date);
        row.Date = null;
        Assert.Null(row.Date);
    }

    [Fact]
    public async Task The_rows_of_a_service_share_one_source_and_a_change_to_one_row_stays_on_that_row()
    {
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(TwoAccounts)));
        var rows = new List<NeuConsumption>();
        await foreach (var row in NeuConsumptionReader.ReadAsync(reader, "Hourly", CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(4, rows.Count);
        Assert.Equal([7L, 7L, 7L, 8L], rows.Select(row => row.AccountId));
        Assert.Equal(["Planta Norte", "Planta Norte", "Planta Norte", "Planta Sur"], rows.Select(row => row.AccountName));
        Assert.Equal([70L, 70L, 71L, 70L], rows.Select(row => row.ServiceId));
        Assert.Equal(["Medidor A", "Medidor A", "Medidor B", "Medidor A"], rows.Select(row => row.ServiceName));
        Assert.Equal([false, false, true, false], rows.Select(row => row.IsBackup));
        Assert.All(rows, row => Assert.Equal("Hourly", row.Interval));
        Assert.Equal([1.5, 2.5, 3.5, null], rows.Select(row => row.Consumption));

        // Shared while equal: one source per service and account, a new one when either changes.
        Assert.Same(rows[0].Source, rows[1].Source);
        Assert.NotSame(rows[1].Source, rows[2].Source);
        Assert.NotSame(rows[0].Source, rows[3].Source);

        // What a script does to one row (Add-Member aside, setting a property) must not show on its neighbours.
        rows[0].AccountName = "Renamed";
        rows[1].ServiceId = 99;
        Assert.Equal(["Renamed", "Planta Norte", "Planta Norte"], rows.Take(3).Select(row => row.AccountName));
        Assert.Equal([70L, 99L, 71L], rows.Take(3).Select(row => row.ServiceId));
        Assert.Equal("Medidor A", rows[0].ServiceName);
        Assert.Equal(7L, rows[1].AccountId);
    }

    private static object SampleValue(Type type, int index) => type switch
    {
        _ when type == typeof(double?) => index + 0.5,
        _ when type == typeof(long?) => (long)index + 1000,
        _ when type == typeof(string) => "value " + index,
        _ when type == typeof(bool?) => true,
        _ when type == typeof(DateTime?) => new DateTime(2024, 1, 1).AddHours(index),
        _ => throw new InvalidOperationException($"No sample value for {type}."),
    };

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
