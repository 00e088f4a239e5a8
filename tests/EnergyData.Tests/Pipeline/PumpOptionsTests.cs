using System;
using System.Reflection;
using EnergyData.Pipeline;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Pipeline;

/// <summary>The streaming buffer: larger per operation, bounded across every operation the reorder window holds.</summary>
public sealed class PumpOptionsTests
{
    [Theory]
    [InlineData(1, 1_024)]
    [InlineData(4, 1_024)]
    [InlineData(8, 512)]
    [InlineData(16, 256)]
    [InlineData(32, 256)]
    [InlineData(64, 256)]
    public void Streaming_gives_each_operation_what_the_budget_allows_within_the_default_and_the_maximum(int throttleLimit, int expected)
    {
        var options = PumpOptions.Streaming(throttleLimit, ordered: true);

        Assert.Equal(expected, options.BufferPerOperation);
        Assert.Equal(throttleLimit, options.ThrottleLimit);
        Assert.True(options.Ordered);
        options.Validate();
    }

    [Fact]
    public void Streaming_holds_no_more_results_in_all_than_the_budget_or_the_default_would()
    {
        for (var throttleLimit = 1; throttleLimit <= PumpOptions.MaxThrottleLimit; throttleLimit++)
        {
            var options = PumpOptions.Streaming(throttleLimit, ordered: false);
            var held = (long)options.ReorderWindow * options.BufferPerOperation;

            Assert.False(options.Ordered);
            Assert.InRange(options.BufferPerOperation, PumpOptions.DefaultBufferPerOperation, PumpOptions.MaxStreamingBufferPerOperation);
            Assert.True(
                held <= Math.Max(PumpOptions.StreamingBudget, (long)options.ReorderWindow * PumpOptions.DefaultBufferPerOperation),
                $"ThrottleLimit {throttleLimit}: {held} results");
        }
    }

    [Fact]
    public void An_invalid_throttle_limit_is_still_refused_by_validation()
    {
        Assert.Throws<EnergyData.Validation.ParameterValidationException>(() => PumpOptions.Streaming(0, ordered: true).Validate());
    }

    [Fact]
    public void Get_NeuConsumption_chooses_its_own_pump_options()
    {
        // The streaming cmdlet overrides the base class's options (with PumpOptions.Streaming); the others keep the default.
        var declared = ModuleMetadata.Instance.Cmdlet("Get-NeuConsumption").Type
            .GetProperty("PumpOptions", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);

        Assert.NotNull(declared);
    }
}
