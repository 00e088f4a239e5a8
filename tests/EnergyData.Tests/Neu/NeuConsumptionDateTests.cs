using System;
using System.Text;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>The byte-level date reader of consumption rows agrees with NeuFields.ParseDate, and declines what it cannot read.</summary>
public sealed class NeuConsumptionDateTests
{
    [Theory]
    [InlineData("2021-01-01T00:00:00")]
    [InlineData("2024-02-29T23:59:59")]
    [InlineData("0001-01-01T00:00:00")]
    [InlineData("9999-12-31T23:59:59")]
    public void A_plain_timestamp_reads_as_ParseDate_reads_it(string text)
    {
        Assert.True(NeuConsumptionReader.TryParsePlainDate(Encoding.UTF8.GetBytes(text), out var date));

        var expected = NeuFields.ParseDate(text);
        Assert.Equal(expected, date);
        Assert.Equal(expected!.Value.Kind, date.Kind);
    }

    [Theory]
    [InlineData("2021-02-29T00:00:00")]
    [InlineData("2021-13-01T00:00:00")]
    [InlineData("2021-01-01T24:00:00")]
    [InlineData("2021-01-01 00:00:00")]
    [InlineData("2021-01-01T00:00:00.5")]
    [InlineData("2021-01-01T00:00:0Z")]
    [InlineData("2021-01-01")]
    [InlineData("")]
    public void Anything_else_is_left_to_ParseDate(string text)
    {
        Assert.False(NeuConsumptionReader.TryParsePlainDate(Encoding.UTF8.GetBytes(text), out _));
    }
}
