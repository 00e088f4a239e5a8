using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// A bill's <c>platform_payments</c> is one object in the document; a server may send a list (a bill paid in parts).
/// The row stays flat with the first payment, and a warning, once per command, names the field and the count. Found by
/// an independent server built from the document: of two payments the last was kept, without a word.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuPlatformPaymentsTests : NeuEmulatorTests
{

    public NeuPlatformPaymentsTests(EmulatorFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task A_list_of_payments_gives_the_first_and_one_warning_per_command_naming_the_field_and_the_count()
    {
        Server.State.Neu.PlatformPaymentsAsList = true;
        var context = new RecordingContext();

        var bills = await Client.GetBillsAsync(null, null, null, new NeuPaging(), context, CancellationToken.None).ToListAsync();

        var paid = bills.Single(entry => entry.Bill.BillId == 9000).Bill;
        Assert.Equal("PSE", paid.PlatformPaymentMethod);
        Assert.Equal(150000m, paid.PlatformPaymentValue);
        Assert.Equal(new DateTime(2021, 4, 11), paid.PlatformPaymentDate);
        var warning = Assert.Single(context.Warnings);
        Assert.StartsWith("Bill 9000 has 2 payments in platform_payments", warning, StringComparison.Ordinal);
        Assert.Contains("the first", warning, StringComparison.Ordinal);

        // The other paid bills (23 of the 45 are paid) are noted at Verbose.
        Assert.Equal(22, context.VerboseLines.Count(line => line.StartsWith("WARNING: Bill ", StringComparison.Ordinal) && line.Contains("2 payments in platform_payments", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Concept_rows_carry_no_payment_so_they_warn_of_none()
    {
        Server.State.Neu.PlatformPaymentsAsList = true;
        var context = new RecordingContext();

        var concepts = await Client.GetBillConceptsAsync(null, null, null, new NeuPaging(), context, CancellationToken.None).ToListAsync();

        Assert.NotEmpty(concepts);
        Assert.Empty(context.Warnings);
    }

    [Theory]
    [InlineData("{\"date\":\"2021-05-10T00:00:00\",\"method\":\"PSE\",\"payment_Value\":1}")]
    [InlineData("[{\"date\":\"2021-05-10T00:00:00\",\"method\":\"PSE\",\"payment_Value\":1}]")]
    [InlineData("[null,{\"date\":\"2021-05-10T00:00:00\",\"method\":\"PSE\",\"payment_Value\":1}]")]
    public async Task One_payment_as_an_object_or_alone_in_a_list_gives_no_warning(string payments)
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "[{\"id_bill\":3,\"id_service\":282,\"platform_payments\":" + payments + "}]").Enqueue(200, "[]");
        var context = new RecordingContext();

        var bill = Assert.Single(await NeuPagingTests.Client(scripted).GetBillsAsync(null, null, null, null, context, CancellationToken.None).ToListAsync()).Bill;

        Assert.Equal("PSE", bill.PlatformPaymentMethod);
        Assert.Equal(1m, bill.PlatformPaymentValue);
        Assert.Empty(context.Warnings);
        Assert.DoesNotContain(context.VerboseLines, line => line.StartsWith("WARNING:", StringComparison.Ordinal));
    }
}
