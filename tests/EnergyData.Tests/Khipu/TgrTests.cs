using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Khipu;

[Collection(EmulatorGroup.Name)]
public sealed class TgrTests
{
    private readonly EmulatorServer server;

    public TgrTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task Resolutions_map_every_documented_field_with_their_debts_and_instalments()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var account = KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());

        var resolutions = await Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(account, true, null, CancellationToken.None));

        Assert.NotEmpty(resolutions);
        foreach (var resolution in resolutions)
        {
            using var raw = JsonDocument.Parse(resolution.RawJson!);
            var root = raw.RootElement;
            var details = root.GetProperty("ResolutionDetails");
            Assert.Equal(root.GetProperty("ResolutionId").GetInt64(), resolution.ResolutionId);
            Assert.Equal(DateTime.Parse(root.GetProperty("ResolutionDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture), resolution.ResolutionDate);
            Assert.Equal(8, resolution.ExpirationCode);
            Assert.Equal(root.GetProperty("NetBalance").GetProperty("Amount").GetDecimal(), resolution.NetBalanceAmount);
            Assert.Equal("Ley 20.780", resolution.DealType);
            Assert.Equal(details.GetProperty("Debtor").GetProperty("Identifier").GetString(), resolution.DebtorIdentifier);
            Assert.Equal(details.GetProperty("Debtor").GetProperty("Name").GetString(), resolution.DebtorName);
            Assert.Equal(details.GetProperty("InitialAmount").GetProperty("Amount").GetDecimal(), resolution.InitialAmount);
            Assert.Equal("CLP", resolution.InitialAmountCurrency);
            Assert.Equal(resolution.NumberOfDebts, resolution.GetDebts().Count);
            Assert.Equal(resolution.NumberOfInstalments, resolution.GetInstalments().Count);
            Assert.Equal(resolution.PaidInstalments, resolution.GetInstalments().Count(i => i.Status == "Paid"));
            Assert.All(resolution.GetDebts(), debt =>
            {
                Assert.Equal(resolution.ResolutionId, debt.ResolutionId);
                Assert.True(debt.Amount > 0);
                Assert.Equal("CLP", debt.Currency);
                Assert.NotNull(debt.ExpireDate);
                Assert.NotNull(debt.Invoice);
                Assert.Equal(resolution.OperationId, debt.OperationId);
            });
            Assert.All(resolution.GetInstalments(), instalment => Assert.Contains(instalment.Status, new[] { "Paid", "Unpaid" }));
            Assert.Equal(resolution.GetInstalments().Select(i => i.Number), Enumerable.Range(1, resolution.GetInstalments().Count).Select(i => (long?)i));
        }
    }

    [Fact]
    public async Task Debts_and_instalments_carry_the_resolutions_retrieval_time_and_their_own_json()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var account = KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());
        var before = DateTimeOffset.UtcNow;

        var resolutions = await Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(account, true, null, CancellationToken.None));

        Assert.Contains(resolutions, r => r.GetDebts().Count > 0 && r.GetInstalments().Count > 0);
        foreach (var resolution in resolutions)
        {
            Assert.InRange(resolution.RetrievedAt, before, DateTimeOffset.UtcNow);
            using var raw = JsonDocument.Parse(resolution.RawJson!);
            var debtElements = raw.RootElement.GetProperty("Debts").EnumerateArray().ToList();
            var instalmentElements = raw.RootElement.GetProperty("Instalments").EnumerateArray().ToList();
            Assert.Equal(debtElements.Select(e => e.GetRawText()), resolution.GetDebts().Select(d => d.RawJson));
            Assert.Equal(instalmentElements.Select(e => e.GetRawText()), resolution.GetInstalments().Select(i => i.RawJson));
            Assert.All(resolution.GetDebts(), debt => Assert.Equal(resolution.RetrievedAt, debt.RetrievedAt));
            Assert.All(resolution.GetInstalments(), instalment => Assert.Equal(resolution.RetrievedAt, instalment.RetrievedAt));
        }
    }

    [Fact]
    public void Debt_and_instalment_rows_end_with_OperationId_RetrievedAt_and_RawJson_as_the_other_rows_do()
    {
        static string[] LastThree(Type type) => type.GetProperties().Select(p => p.Name).TakeLast(3).ToArray();

        var expected = new[] { "OperationId", "RetrievedAt", "RawJson" };
        Assert.Equal(expected, LastThree(typeof(TgrResolution)));
        Assert.Equal(expected, LastThree(typeof(EnelDebtStatus)));
        Assert.Equal(expected, LastThree(typeof(TgrDebt)));
        Assert.Equal(expected, LastThree(typeof(TgrInstalment)));
        Assert.Equal(typeof(DateTimeOffset), typeof(TgrDebt).GetProperty("RetrievedAt")!.PropertyType);
        Assert.Equal(typeof(DateTimeOffset), typeof(TgrInstalment).GetProperty("RetrievedAt")!.PropertyType);
    }

    [Fact]
    public async Task Expand_gives_one_row_per_debt_or_instalment()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var account = KhipuAccountCredential.FromUserName("tgr-user", "tgr-password".ToSecureString());

        var resolutions = await Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(account, true, null, CancellationToken.None));

        Assert.Equal(resolutions.Sum(r => r.GetDebts().Count), resolutions.SelectMany(r => KhipuClient.Expand(r, TgrDetail.Debt)).OfType<TgrDebt>().Count());
        Assert.Equal(resolutions.Sum(r => r.GetInstalments().Count), resolutions.SelectMany(r => KhipuClient.Expand(r, TgrDetail.Instalment)).OfType<TgrInstalment>().Count());
    }

    [Fact]
    public async Task The_account_credential_selects_the_account_and_an_account_link_works_too()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var client = connection.GetKhipuClient();

        var first = await Collect(client.GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromUserName("tgr-user", "x".ToSecureString()), true, null, CancellationToken.None));
        var again = await Collect(client.GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromUserName("tgr-user", "y".ToSecureString()), true, null, CancellationToken.None));
        var other = await Collect(client.GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromAccountLink("bGluay1hYmM=".ToSecureString()), true, null, CancellationToken.None));

        Assert.Equal(first.Select(r => r.RawJson), again.Select(r => r.RawJson));
        Assert.NotEqual(first.Select(r => r.RawJson), other.Select(r => r.RawJson));
        Assert.NotEmpty(other);
    }

    [Fact]
    public async Task An_account_without_agreements_gives_no_rows()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var rows = await Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromUserName("sin-convenios", "x".ToSecureString()), true, null, CancellationToken.None));

        Assert.Empty(rows);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_rejected_account_password_is_a_login_error_and_never_appears_in_debug_output()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);
        var trace = new RecordingTrace();

        var error = await Assert.ThrowsAsync<KhipuException>(() => Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(KhipuAccountCredential.FromUserName("tgr-user", "wrong-password".ToSecureString()), true, trace, CancellationToken.None)));

        Assert.Equal("E101", error.ErrorCode);
        Assert.Equal(1, error.Attempts);

        // Several accounts may run at once: the message and the request's verbose line say which one failed.
        Assert.StartsWith("Khipu TgrExpiredAgreement for account tgr-user failed:", error.Message, StringComparison.Ordinal);
        Assert.Contains("(account tgr-user)", trace.VerboseText, StringComparison.Ordinal);
        Assert.Contains("Request body", trace.DebugText, StringComparison.Ordinal);
        Assert.Contains("tgr-user", trace.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", trace.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain(server.State.Options.KhipuApiKey, trace.DebugText + trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_bearer_token_the_token_subject_is_the_account()
    {
        var token = server.State.IssueKhipuToken("tgr-jwt-user");
        using var connection = KhipuTestConnections.WithBearer(server, token);

        var rows = await Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(null, connection.KhipuRequiresAccountCredential, null, CancellationToken.None));

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.True(Guid.TryParse(row.OperationId, out _)));
    }

    [Fact]
    public async Task With_an_api_key_a_missing_account_credential_is_refused_before_sending()
    {
        using var connection = KhipuTestConnections.WithApiKey(server);

        var error = await Assert.ThrowsAsync<ParameterValidationException>(() => Collect(connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(null, connection.KhipuRequiresAccountCredential, null, CancellationToken.None)));

        Assert.Equal("AccountCredential", error.ParamName);
        Assert.Equal(0, server.State.Counters.Total);
    }

    /// <summary>
    /// An amount sent as text that is no number ("1.234.567", "$ 20.000") left NetBalanceAmount and the debt's Amount
    /// empty without a word, while an unreadable count or date warned. Now every such amount warns, naming its field.
    /// </summary>
    [Theory]
    [InlineData("1.234.567")]
    [InlineData("$ 20.000")]
    [InlineData("abc")]
    public void An_amount_that_does_not_read_is_left_empty_with_a_warning_naming_its_field(string amount)
    {
        using var document = JsonDocument.Parse($$"""
            {"ResolutionId":1,"NetBalance":{"Amount":"{{amount}}","Currency":"CLP"},"ResolutionDetails":{"InitialAmount":"{{amount}}"},
             "Debts":[{"Amount":{"Value":"{{amount}}","Currency":"CLP"},"ExpireDate":"2017-07-22"}],"Instalments":[{"Number":1,"Amount":"{{amount}}"}]}
            """);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var resolution = KhipuClient.MapResolution(document.RootElement, "op", context);

        Assert.Null(resolution.NetBalanceAmount);
        Assert.Null(resolution.InitialAmount);
        Assert.Null(Assert.Single(resolution.GetDebts()).Amount);
        Assert.Null(Assert.Single(resolution.GetInstalments()).Amount);
        Assert.Equal(
            [
                $"Field Data.Resolutions[].NetBalance.Amount is not a number ('{amount}')",
                $"Field Data.Resolutions[].ResolutionDetails.InitialAmount is not a number ('{amount}')",
                $"Field Data.Resolutions[].Debts[].Amount.Value is not a number ('{amount}')",
                $"Field Data.Resolutions[].Instalments[].Amount is not a number ('{amount}')",
            ],
            context.Warnings.Select(warning => warning.Substring(0, warning.IndexOf(';', StringComparison.Ordinal))));
    }

    [Fact]
    public void Amounts_as_numbers_or_plain_number_texts_read_and_empty_ones_are_missing_without_a_warning()
    {
        using var document = JsonDocument.Parse("""
            {"NetBalance":{"Amount":"20000","Currency":"CLP"},"ResolutionDetails":{"InitialAmount":1500.5,"SetInstalmentAmount":{"Amount":""}},
             "Debts":[{"Amount":{"Amount":null}}]}
            """);
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var resolution = KhipuClient.MapResolution(document.RootElement, "op", context);

        Assert.Equal(20000m, resolution.NetBalanceAmount);
        Assert.Equal(1500.5m, resolution.InitialAmount);
        Assert.Null(resolution.SetInstalmentAmount);
        Assert.Null(Assert.Single(resolution.GetDebts()).Amount);
        Assert.Empty(context.Warnings);
    }

    /// <summary>A count with a fraction (3.5 instalments) was left empty without a word; it is not rounded, and now warns.</summary>
    [Fact]
    public void A_count_with_a_fraction_is_left_empty_with_a_warning()
    {
        using var document = JsonDocument.Parse("""{"ResolutionId":1,"ResolutionDetails":{"ExpiredInstalments":3.5}}""");
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var resolution = KhipuClient.MapResolution(document.RootElement, "op", context);

        Assert.Null(resolution.ExpiredInstalments);
        Assert.StartsWith("Field Data.Resolutions[].ResolutionDetails.ExpiredInstalments is not a whole number (3.5);", Assert.Single(context.Warnings), StringComparison.Ordinal);
    }

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
