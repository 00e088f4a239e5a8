using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;
using EnergyData.Validation;

namespace EnergyData.Khipu;

public sealed partial class KhipuClient
{
    public static KhipuRequest TgrRequest(KhipuAccountCredential? accountCredential, bool accountCredentialRequired, Uri? callbackUrl = null)
    {
        if (accountCredentialRequired && accountCredential is null)
        {
            throw new ParameterValidationException("AccountCredential", "is required when Khipu is called with an API key (Khipu's rule for CEN and TGR)", "Pass -AccountCredential or Connect-EnergyData -KhipuAccountCredential.");
        }

        var data = new Dictionary<string, object?>();
        if (accountCredential is not null)
        {
            data["AccountCredential"] = accountCredential;
        }

        return new KhipuRequest(KhipuServices.TgrExpiredAgreements, data, callbackUrl is null ? null : InputRules.CallbackUrl(callbackUrl));
    }

    /// <summary>The expired agreements of the TGR account, one resolution at a time as the body streams.</summary>
    public async IAsyncEnumerable<TgrResolution> GetTgrExpiredAgreementsAsync(
        KhipuAccountCredential? accountCredential,
        bool accountCredentialRequired,
        IRequestTrace? trace,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = TgrRequest(accountCredential, accountCredentialRequired);
        var info = new KhipuCallInfo();
        var resolutions = 0;
        var input = InputLabel(request);
        await foreach (var element in CallAsync(request, (reader, callInfo, token) => ReadResolutionsAsync(reader, callInfo, input, token), info, null, trace, cancellationToken).ConfigureAwait(false))
        {
            resolutions++;
            yield return MapResolution(element, info.OperationId, info.AdditionalInformation, trace);
        }

        if (resolutions == 0)
        {
            WarnOfNoteWithoutRows(trace, "TGR expired agreements", info);
        }
    }

    /// <summary>Maps one element of Data.Resolutions without an AdditionalInformation (see the overload that takes it).</summary>
    public static TgrResolution MapResolution(JsonElement element, string? operationId, IRequestTrace? trace) =>
        MapResolution(element, operationId, null, trace);

    /// <summary>
    /// Maps one element of Data.Resolutions (also used for results delivered to a callback). The resolution, its debts
    /// and its instalments carry the envelope's <paramref name="operationId"/> and <paramref name="additionalInformation"/>,
    /// and one RetrievedAt; each keeps its own element as RawJson.
    /// </summary>
    public static TgrResolution MapResolution(JsonElement element, string? operationId, string? additionalInformation, IRequestTrace? trace)
    {
        var map = new FieldMapper(element, "Data.Resolutions[]", trace);
        var resolution = new TgrResolution
        {
            ResolutionId = map.Integer("ResolutionId"),
            ResolutionDate = map.Date("ResolutionDate"),
            PaymentType = map.String("PaymentType"),
            ExpirationCode = map.Integer("ExpirationCode"),
            NumberOfDebts = map.Integer("NumberOfDebts"),
            NumberOfInstalments = map.Integer("NumberOfInstalments"),
            NetBalanceAmount = AmountOf(map, "NetBalance"),
            NetBalanceCurrency = CurrencyOf(map, "NetBalance"),
            DealType = map.String("ResolutionDetails", "DealType"),
            DebtorIdentifier = map.String("ResolutionDetails", "Debtor", "Identifier"),
            DebtorName = map.String("ResolutionDetails", "Debtor", "Name"),
            ExpiredInstalments = map.Integer("ResolutionDetails", "ExpiredInstalments"),
            PaidInstalments = map.Integer("ResolutionDetails", "PaidInstalments"),
            PendingInstalments = map.Integer("ResolutionDetails", "PendingInstalments"),
            Stage = map.String("ResolutionDetails", "Stage"),
            InitialAmount = AmountOf(map, "ResolutionDetails", "InitialAmount"),
            InitialAmountCurrency = CurrencyOf(map, "ResolutionDetails", "InitialAmount"),
            InstalmentCashAmount = AmountOf(map, "ResolutionDetails", "InstalmentCashAmount"),
            InstalmentCashAmountCurrency = CurrencyOf(map, "ResolutionDetails", "InstalmentCashAmount"),
            SetInstalmentAmount = AmountOf(map, "ResolutionDetails", "SetInstalmentAmount"),
            SetInstalmentAmountCurrency = CurrencyOf(map, "ResolutionDetails", "SetInstalmentAmount"),
            AdditionalInformation = additionalInformation,
            OperationId = operationId,
            RetrievedAt = DateTimeOffset.UtcNow,
            RawJson = element.GetRawText(),
        };

        // ResolutionDetails.PaymentType repeats PaymentType; read it so it is not reported as unknown.
        resolution.PaymentType ??= map.String("ResolutionDetails", "PaymentType");
        var debts = new List<TgrDebt>();
        if (map.Element("Debts") is { ValueKind: JsonValueKind.Array } debtArray)
        {
            foreach (var item in debtArray.EnumerateArray())
            {
                var debt = new FieldMapper(item, "Data.Resolutions[].Debts[]", trace);
                debts.Add(new TgrDebt
                {
                    ResolutionId = resolution.ResolutionId,
                    DebtorIdentifier = resolution.DebtorIdentifier,
                    Amount = AmountOf(debt, "Amount"),
                    Currency = CurrencyOf(debt, "Amount"),
                    ExpireDate = debt.Date("ExpireDate"),
                    FineWaiverGained = debt.Integer("FineWaiverGained"),
                    Form = debt.Integer("Form"),
                    Identifier = debt.Integer("Identifier"),
                    InterestWaiverGained = debt.Integer("InterestWaiverGained"),
                    Invoice = debt.Integer("Invoice"),
                    AdditionalInformation = additionalInformation,
                    OperationId = operationId,
                    RetrievedAt = resolution.RetrievedAt,
                    RawJson = item.GetRawText(),
                });
                debt.ReportUnknownFields();
            }
        }

        var instalments = new List<TgrInstalment>();
        if (map.Element("Instalments") is { ValueKind: JsonValueKind.Array } instalmentArray)
        {
            foreach (var item in instalmentArray.EnumerateArray())
            {
                var instalment = new FieldMapper(item, "Data.Resolutions[].Instalments[]", trace);
                instalments.Add(new TgrInstalment
                {
                    ResolutionId = resolution.ResolutionId,
                    DebtorIdentifier = resolution.DebtorIdentifier,
                    Number = instalment.Integer("Number"),
                    Amount = AmountOf(instalment, "Amount"),
                    Currency = CurrencyOf(instalment, "Amount"),
                    ExpireDate = instalment.Date("ExpireDate"),
                    Status = instalment.String("Status"),
                    AdditionalInformation = additionalInformation,
                    OperationId = operationId,
                    RetrievedAt = resolution.RetrievedAt,
                    RawJson = item.GetRawText(),
                });
                instalment.ReportUnknownFields();
            }
        }

        resolution.SetChildren(debts, instalments);
        map.ReportUnknownFields();
        return resolution;
    }

    /// <summary>Rows for the requested detail level: the resolution itself, its debts, or its instalments.</summary>
    public static IEnumerable<object> Expand(TgrResolution resolution, TgrDetail detail)
    {
        if (resolution is null)
        {
            throw new ArgumentNullException(nameof(resolution));
        }

        return detail switch
        {
            TgrDetail.Debt => resolution.GetDebts(),
            TgrDetail.Instalment => resolution.GetInstalments(),
            _ => new object[] { resolution },
        };
    }

    // The Amount object's schema is not fully public: accept {Amount|Value, Currency} or a bare number. A value that does
    // not read as a number (a text such as "1.234.567" or "$ 20.000") is left empty with FieldMapper's warning, as
    // every other field is, rather than dropped without a word.
    private static decimal? AmountOf(FieldMapper map, params string[] path)
    {
        var element = map.Element(path);
        if (element is not { ValueKind: JsonValueKind.Object } amount)
        {
            return element is null or { ValueKind: JsonValueKind.Null } ? null : map.Decimal(path);
        }

        foreach (var name in new[] { "Amount", "Value" })
        {
            if (JsonProperties.TryGetIgnoringCase(amount, name, out _))
            {
                return map.Decimal(Append(path, name));
            }
        }

        return null;
    }

    private static string? CurrencyOf(FieldMapper map, params string[] path)
    {
        var element = map.Element(path);
        return element is { ValueKind: JsonValueKind.Object } amount && JsonProperties.TryGetIgnoringCase(amount, "Currency", out _)
            ? map.String(Append(path, "Currency"))
            : null;
    }

    private static string[] Append(string[] path, string name)
    {
        var result = new string[path.Length + 1];
        path.CopyTo(result, 0);
        result[path.Length] = name;
        return result;
    }

    /// <param name="input">The input as messages name it ("account tgr-user"), or null.</param>
    private static async IAsyncEnumerable<JsonElement> ReadResolutionsAsync(JsonStreamReader reader, KhipuCallInfo info, string? input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Data: { "Resolutions": [ ... ] }
        await LookAheadForEnvelopeFieldsAsync(reader, info, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType == JsonTokenType.Null)
        {
            yield break;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new KhipuProtocolException(string.Format(
                CultureInfo.InvariantCulture,
                "The TgrExpiredAgreement answer{0} has a Data that is {1}, not an object holding Resolutions; OperationId {2}.",
                input is null ? string.Empty : " for " + input,
                DescribeKind(reader.TokenType),
                info.OperationId ?? "none"));
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!IsProperty(reader, "Resolutions"))
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartArray)
            {
                await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await foreach (var element in reader.ReadArrayAsync(ParseElement, cancellationToken).ConfigureAwait(false))
            {
                yield return element;
            }
        }
    }
}
