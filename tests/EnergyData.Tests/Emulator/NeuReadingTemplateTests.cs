using System;
using System.Buffers;
using System.Text.Json;
using EnergyData.Emulator;
using Xunit;

namespace EnergyData.Tests.Emulator;

/// <summary>The large mode's pre-rendered rows are byte for byte the rows the emulator writes one by one.</summary>
public sealed class NeuReadingTemplateTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(23L)]
    [InlineData(24L)]
    [InlineData(999_999L)]
    [InlineData(123_456_789L)]
    public void A_templated_row_equals_the_written_row(long firstIndex)
    {
        var start = new DateTime(1999, 12, 31, 22, 0, 0);
        foreach (var service in NeuData.AllServices)
        {
            var template = new NeuReadingWriter.Template(service);
            for (var index = firstIndex; index < firstIndex + 50; index++)
            {
                var date = start.AddHours(index % 100_000);
                var expected = Written(service, date, index);

                Assert.Equal(expected, template.Render(date, index).ToArray());
            }
        }
    }

    [Fact]
    public void A_templated_row_is_one_valid_json_object_with_the_changing_values_filled_in()
    {
        var template = new NeuReadingWriter.Template(NeuData.AllServices[0]);

        using var row = JsonDocument.Parse(template.Render(new DateTime(2024, 2, 29, 7, 5, 9), 1_000_001).ToArray());

        Assert.Equal("2024-02-29T07:05:09", row.RootElement.GetProperty("date").GetString());
        Assert.Equal(10000 + 2_000_002, row.RootElement.GetProperty("imported_active_acum").GetInt64());
        Assert.Equal(3000 + 1_000_001, row.RootElement.GetProperty("imported_reactive_acum").GetInt64());
        Assert.Equal(500 + 1_000_001, row.RootElement.GetProperty("exported_active_acum").GetInt64());
    }

    private static byte[] Written(NeuServiceData service, DateTime date, long index)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            NeuReadingWriter.Write(writer, service, date, index);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
