using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Khipu;

[Collection(EmulatorGroup.Name)]
public sealed class EnelTests
{
    private readonly EmulatorServer server;

    public EnelTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task Debt_status_of_the_documented_identifier_maps_the_documented_example()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("1234567-8", status.ClientIdentifier);
        Assert.Equal("12345-6", status.ResponseClientIdentifier);
        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(10000m, status.DebtAmount);
        Assert.Equal("CLP", status.DebtCurrency);
        Assert.Equal(new DateTime(2017, 7, 22), status.DebtDueDate);
        Assert.Equal(10000m, status.LastPaymentAmount);
        Assert.Equal("CLP", status.LastPaymentCurrency);
        Assert.Null(status.LastPaymentDate);
        Assert.Equal(10000m, status.PreviousDebtAmount);
        Assert.Equal(new DateTime(2017, 7, 22), status.PreviousDebtDueDate);
        Assert.True(Guid.TryParse(status.OperationId, out _));
        Assert.Equal(1, server.State.Counters.For(KhipuEndpoints.EnelDebtStatusPath));
    }

    [Fact]
    public async Task Debt_status_keeps_the_raw_json_of_data_debt_status()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("3049812-1", null, CancellationToken.None);

        using var raw = JsonDocument.Parse(status.RawJson!);
        Assert.Equal("3049812-1", raw.RootElement.GetProperty("ClientIdentifier").GetString());
        Assert.Equal(status.DebtAmount, raw.RootElement.GetProperty("Debt").GetProperty("TotalAmount").GetDecimal());
        Assert.Equal(status.Address, raw.RootElement.GetProperty("Address").GetString());
    }

    [Fact]
    public async Task Debt_status_is_deterministic_per_identifier_and_operation_ids_are_unique()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var client = connection.GetKhipuClient();

        var first = await client.GetEnelDebtStatusAsync("3049812-1", null, CancellationToken.None);
        var second = await client.GetEnelDebtStatusAsync("3049812-1", null, CancellationToken.None);
        var other = await client.GetEnelDebtStatusAsync("7766554", null, CancellationToken.None);

        Assert.Equal(first.RawJson, second.RawJson);
        Assert.NotEqual(first.RawJson, other.RawJson);
        Assert.NotEqual(first.OperationId, second.OperationId);
        Assert.True(first.DebtAmount > 0);
        Assert.NotNull(first.DebtDueDate);
    }

    [Fact]
    public async Task An_identifier_ending_in_zero_has_no_debt()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("778890", null, CancellationToken.None);

        Assert.Equal(0m, status.DebtAmount);
        Assert.Null(status.DebtDueDate);
        Assert.Equal(0m, status.PreviousDebtAmount);
        Assert.Null(status.PreviousDebtDueDate);
    }

    [Fact]
    public async Task An_unknown_identifier_gives_the_not_found_error_once()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("555-0", null, CancellationToken.None));

        // The message alone says which input failed: a bulk run's log or a CSV of failures shows no TargetObject.
        Assert.StartsWith("Khipu EnelDebtStatus for ClientIdentifier 555-0 failed: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("E301", error.ErrorCode);
        Assert.Equal("DO_NOT_RETRY", error.ErrorTypeText);
        Assert.Equal(EnergyData.Http.KhipuErrorType.DoNotRetry, error.ErrorType);
        Assert.Contains("No se encontro", error.Description, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(error.OperationId, out _));
        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task Bill_document_is_a_base64_pdf_and_is_saved_decoded()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var folder = Directory.CreateTempSubdirectory("khipu-bill-");
        try
        {
            var bill = await connection.GetKhipuClient().GetEnelBillDocumentAsync("1234567-8", "example-email@email-provider.cl", folder.FullName, null, CancellationToken.None);

            Assert.Equal("12345-6", bill.ResponseClientIdentifier);
            Assert.Equal("application/pdf", bill.ContentType);
            Assert.NotNull(bill.Path);
            var bytes = await File.ReadAllBytesAsync(bill.Path!);
            Assert.Equal("%PDF"u8.ToArray(), bytes[..4]);
            Assert.Equal(bill.Length, bytes.LongLength);
            Assert.Contains("1234567-8", System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            Assert.Null(bill.Document);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Bill_document_without_a_folder_keeps_the_document_text()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var bill = await connection.GetKhipuClient().GetEnelBillDocumentAsync("3049812-1", "facturas@example.cl", null, null, CancellationToken.None);

        Assert.Equal("3049812-1", bill.ResponseClientIdentifier);
        Assert.Equal("facturas@example.cl", bill.Email);
        var decoded = Convert.FromBase64String(bill.Document!);
        Assert.Equal(bill.Length, decoded.LongLength);
        Assert.Equal("application/pdf", bill.ContentType);
    }

    [Theory]
    [InlineData("123456789012345678901", null, "ClientIdentifier")]
    [InlineData("12.345.678-9", null, "ClientIdentifier")]
    [InlineData("", null, "ClientIdentifier")]
    [InlineData("1234567-8", "not-an-address", "Email")]
    [InlineData("1234567-8", "a@b.toolongtld", "Email")]
    public async Task Bad_input_is_refused_before_anything_is_sent(string clientIdentifier, string? email, string parameter)
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var client = connection.GetKhipuClient();

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => email is null
            ? client.GetEnelDebtStatusAsync(clientIdentifier, null, CancellationToken.None)
            : client.GetEnelBillDocumentAsync(clientIdentifier, email, null, null, CancellationToken.None));

        Assert.Equal(parameter, error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }
}
