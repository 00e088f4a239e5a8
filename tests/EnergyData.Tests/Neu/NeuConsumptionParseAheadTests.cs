using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Json;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// The consumption reader over a body held in memory, so a stretch of rows is always buffered whole and shared with the
/// helper thread. Each of the two row parsers gives the rows of a service one shared source object, so two distinct
/// sources show that the helper's rows are among those read.
/// </summary>
public sealed class NeuConsumptionParseAheadTests
{
    private static readonly DateTime First = new(2021, 1, 1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rows_with_nulls_and_fields_of_their_own_are_shared_with_the_helper_and_keep_their_account(bool sortedKeys)
    {
        const int total = 20_000;
        var rows = new List<NeuConsumption>();

        using (var reader = new JsonStreamReader(new MemoryStream(Body(total, sortedKeys))))
        {
            await foreach (var row in NeuConsumptionReader.ReadAsync(reader, "Hourly", CancellationToken.None))
            {
                rows.Add(row);
            }
        }

        Assert.Equal(total, rows.Count);
        for (var i = 0; i < total; i++)
        {
            var row = rows[i];
            Assert.Equal(First.AddHours(i), row.Date);
            Assert.Equal(i * 0.5, row.Consumption);
            Assert.Null(row.Injection);
            Assert.Equal(1.25, row.ReactiveInductive);
            Assert.Null(row.CurrentA);
            Assert.Equal(41, row.AccountId);
            Assert.Equal("Cuenta principal", row.AccountName);
            Assert.Equal(450, row.ServiceId);
            Assert.Equal("Medidor 450", row.ServiceName);
            Assert.False(row.IsBackup);
            Assert.Equal("Hourly", row.Interval);
        }

        // A null reading and a field the module does not know are skipped on a buffer that ends before the body does,
        // so such rows do not fall back to one thread: the helper's parser gave some of them.
        var sources = rows.Select(row => row.Source).Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.True(sources >= 2, $"{sources} source object(s): the helper parsed none of the rows");
    }

    private static byte[] Body(int rows, bool sortedKeys)
    {
        var text = new StringBuilder("[{");
        if (!sortedKeys)
        {
            text.Append("\"id_account\":41,");
        }

        text.Append("\"account_name\":\"Cuenta principal\",\"data\":[");
        for (var i = 0; i < rows; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(CultureInfo.InvariantCulture, $$"""{"id_service":450,"name":"Medidor 450","is_backup":false,"date":"{{First.AddHours(i):yyyy-MM-ddTHH:mm:ss}}","cons":{{i * 0.5}},"injec":null,"reactive_in":1.25,"meter_note":{"a":[1,2,{"b":null}]},"ia":null}""");
        }

        text.Append(']');
        if (sortedKeys)
        {
            text.Append(",\"id_account\":41");
        }

        text.Append("}]");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
