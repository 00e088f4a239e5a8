using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using EnergyData.Pipeline;
using Xunit;

namespace EnergyData.Tests.Json;

public sealed class FieldMapperTests
{
    [Theory]
    [InlineData("2017-07-22", 2017, 7, 22, 0, 0)]
    [InlineData("2017-07-22T10:30:00", 2017, 7, 22, 10, 30)]
    [InlineData("2017-07-22T10:30:00-04:00", 2017, 7, 22, 10, 30)]
    [InlineData("2017-07-22T10:30:00Z", 2017, 7, 22, 10, 30)]
    [InlineData("2017-07-22T10:30:00.5+02:00", 2017, 7, 22, 10, 30)]
    [InlineData("0001-01-01T00:00:00", 1, 1, 1, 0, 0)]
    [InlineData("9999-12-31T23:59:00", 9999, 12, 31, 23, 59)]
    [InlineData("Sat, 22 Jul 2017 10:30:00 GMT", 2017, 7, 22, 10, 30)]
    [InlineData("Sat, 22 Jul 2017 10:30:00 -0400", 2017, 7, 22, 10, 30)]
    [InlineData("2017-07-22 10:30:00", 2017, 7, 22, 10, 30)]
    [InlineData("2017-07-22 10:30:00.250", 2017, 7, 22, 10, 30)]
    [InlineData("22-07-2017", 2017, 7, 22, 0, 0)]
    [InlineData("07/22/2017", 2017, 7, 22, 0, 0)]
    public void Dates_keep_the_clock_time_as_written_whatever_this_machines_zone(string text, int year, int month, int day, int hour, int minute)
    {
        using var document = JsonDocument.Parse($$"""{"When":"{{text}}"}""");

        var date = new FieldMapper(document.RootElement, "Data", null).Date("When");

        var value = Assert.IsType<DateTime>(date);
        Assert.Equal(new DateTime(year, month, day, hour, minute, 0), value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMinute)));
        Assert.Equal(DateTimeKind.Unspecified, value.Kind);
    }

    /// <summary>A date that does not read was left empty with only a debug line: an export showed an empty date as a missing one.</summary>
    [Fact]
    public void A_value_that_does_not_read_as_its_type_is_a_warning()
    {
        using var document = JsonDocument.Parse("""{"When":"22 de julio de 2017","Amount":"mucho"}""");
        var context = new EnergyData.Tests.Neu.RecordingContext();
        var mapper = new FieldMapper(document.RootElement, "Data", context);

        Assert.Null(mapper.Date("When"));
        Assert.Null(mapper.Decimal("Amount"));
        Assert.Equal(
            [
                "Field Data.When is not a date ('22 de julio de 2017'); left empty (RawJson keeps it). Later ones like it in this command are shown with -Verbose.",
                "Field Data.Amount is not a number ('mucho'); left empty (RawJson keeps it). Later ones like it in this command are shown with -Verbose.",
            ],
            context.Warnings);
    }

    /// <summary>
    /// A server that writes a field in a form the module does not read does so on every row: a bulk run warned once per
    /// row and field. Now the first is a warning for the whole command, across its inputs, and the rest are verbose lines.
    /// </summary>
    [Fact]
    public void A_field_that_does_not_read_warns_once_per_command_and_the_rest_go_to_verbose()
    {
        var sink = new EnergyData.Tests.Pipeline.RecordingSink();
        using (var pump = new OperationPump(sink, new PumpOptions { ThrottleLimit = 4, Ordered = true }, CancellationToken.None))
        {
            for (var i = 0; i < 6; i++)
            {
                var day = i + 1;
                pump.Submit(i, context =>
                {
                    using var document = JsonDocument.Parse($$"""{"When":"{{day}} de julio","Other":"x{{day}}","Amount":1}""");
                    var mapper = new FieldMapper(document.RootElement, "Data", context);
                    Assert.Null(mapper.Date("When"));
                    Assert.Equal(1m, mapper.Decimal("Amount"));
                    if (day % 2 == 0)
                    {
                        Assert.Null(mapper.Date("Other"));
                    }

                    return Task.CompletedTask;
                });
            }

            pump.Complete();
        }

        Assert.Equal(2, sink.Warnings.Count);
        Assert.Single(sink.Warnings, warning => warning.StartsWith("Field Data.When is not a date (", StringComparison.Ordinal) && warning.EndsWith("shown with -Verbose.", StringComparison.Ordinal));
        Assert.Single(sink.Warnings, warning => warning.StartsWith("Field Data.Other is not a date (", StringComparison.Ordinal));
        var repeated = sink.Verbose.Where(line => line.StartsWith("WARNING: Field Data.", StringComparison.Ordinal)).ToList();
        Assert.Equal(5 + 2, repeated.Count);
        Assert.All(repeated, line => Assert.EndsWith("left empty (RawJson keeps it).", line, StringComparison.Ordinal));

        // Another command starts afresh.
        var next = new EnergyData.Tests.Pipeline.RecordingSink();
        using (var pump = new OperationPump(next, new PumpOptions(), CancellationToken.None))
        {
            pump.Submit(0, context =>
            {
                using var document = JsonDocument.Parse("""{"When":"ayer"}""");
                Assert.Null(new FieldMapper(document.RootElement, "Data", context).Date("When"));
                return Task.CompletedTask;
            });
            pump.Complete();
        }

        Assert.Single(next.Warnings);
    }
}
