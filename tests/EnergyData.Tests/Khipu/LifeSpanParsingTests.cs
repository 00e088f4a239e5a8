using System;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// Khipu's LifeSpan as a server may write it. A dashed date with the year last is read day first, as Chile writes dates
/// and as the module reads them in Data (FieldMapper): the general parser read "03-12-2026 10:00" as 12 March and gave
/// no LifeSpan for "25-12-2026 10:00" or "03-12-2026".
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class LifeSpanParsingTests : IDisposable
{
    private readonly EmulatorServer server;
    private readonly EnergyDataConnection connection;

    public LifeSpanParsingTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        connection = KhipuTestConnections.WithApiKey(server);
    }

    public void Dispose() => connection.Dispose();

    [Theory]
    [InlineData("25-12-2026 10:00", "2026-12-25T10:00:00+00:00")]
    [InlineData("03-12-2026 10:00", "2026-12-03T10:00:00+00:00")]
    [InlineData("03-12-2026", "2026-12-03T00:00:00+00:00")]
    [InlineData("3-12-2026 9:05", "2026-12-03T09:05:00+00:00")]
    [InlineData("03-12-2026 10:00:30", "2026-12-03T10:00:30+00:00")]
    [InlineData("03-12-2026T10:00:00-0300", "2026-12-03T10:00:00-03:00")]
    [InlineData("03-12-2026 10:00-03:00", "2026-12-03T10:00:00-03:00")]
    [InlineData("2026-12-03", "2026-12-03T00:00:00+00:00")]
    [InlineData("2017-07-22T00:00:00-0400", "2017-07-22T00:00:00-04:00")]
    [InlineData("2026-12-03T10:00:00.123Z", "2026-12-03T10:00:00.123+00:00")]
    public void A_lifespan_is_read_with_dashed_dates_day_first(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), KhipuOperation.ParseLifeSpan(text));
    }

    [Theory]
    [InlineData("12-25-2026 10:00")]
    [InlineData("31-02-2026")]
    [InlineData("in 15 minutes")]
    public void A_dashed_date_that_is_not_one_day_first_is_no_lifespan(string text)
    {
        // Never read month first: LifeSpanRaw keeps the text, and the wait goes on until -Timeout.
        Assert.Null(KhipuOperation.ParseLifeSpan(text));
    }

    [Theory]
    [InlineData("25-12-2026 10:00", 25)]
    [InlineData("03-12-2026 10:00", 3)]
    [InlineData("03-12-2026", 3)]
    public async Task A_lifespan_acknowledged_in_chiles_form_gives_the_operation_its_date(string lifeSpan, int day)
    {
        server.State.KhipuOptions.LifeSpanText = lifeSpan;

        // The emulator's own sink takes the delivery.
        var sink = new Uri(server.BaseUri, KhipuEndpoints.CallbackSinkPath);

        var operation = await AsyncSubmission.SubmitAsync(connection.GetKhipuClient(), KhipuClient.EnelDebtStatusRequest("1234567-8", sink), "1234567-8", null, null, null, CancellationToken.None);

        Assert.Equal(lifeSpan, operation.LifeSpanRaw);
        Assert.NotNull(operation.LifeSpan);
        Assert.Equal(new DateTime(2026, 12, day), operation.LifeSpan!.Value.Date);
        await server.State.Callbacks.WhenIdleAsync(TimeSpan.FromSeconds(30));
    }
}
