using System;
using System.Collections.Generic;

namespace EnergyData.Khipu;

/// <summary>Which rows Get-TgrExpiredAgreement emits: one per resolution, per debt, or per instalment.</summary>
public enum TgrDetail
{
    Resolution,
    Debt,
    Instalment,
}

/// <summary>One expired-agreement resolution (convenio vencido), flat for Export-Csv.</summary>
public sealed class TgrResolution
{
    private IReadOnlyList<TgrDebt> debts = Array.Empty<TgrDebt>();
    private IReadOnlyList<TgrInstalment> instalments = Array.Empty<TgrInstalment>();

    public long? ResolutionId { get; set; }

    public DateTime? ResolutionDate { get; set; }

    public string? PaymentType { get; set; }

    public long? ExpirationCode { get; set; }

    public long? NumberOfDebts { get; set; }

    public long? NumberOfInstalments { get; set; }

    public decimal? NetBalanceAmount { get; set; }

    public string? NetBalanceCurrency { get; set; }

    public string? DealType { get; set; }

    public string? DebtorIdentifier { get; set; }

    public string? DebtorName { get; set; }

    public long? ExpiredInstalments { get; set; }

    public long? PaidInstalments { get; set; }

    public long? PendingInstalments { get; set; }

    public string? Stage { get; set; }

    public decimal? InitialAmount { get; set; }

    public string? InitialAmountCurrency { get; set; }

    public decimal? InstalmentCashAmount { get; set; }

    public string? InstalmentCashAmountCurrency { get; set; }

    public decimal? SetInstalmentAmount { get; set; }

    public string? SetInstalmentAmountCurrency { get; set; }

    /// <summary>The envelope's AdditionalInformation (for example a note that Data is incomplete), on every row of the answer.</summary>
    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }

    public string? RawJson { get; set; }

    /// <summary>The resolution's debts (methods, so Export-Csv writes no collection column).</summary>
    public IReadOnlyList<TgrDebt> GetDebts() => debts;

    public IReadOnlyList<TgrInstalment> GetInstalments() => instalments;

    internal void SetChildren(IReadOnlyList<TgrDebt> debtRows, IReadOnlyList<TgrInstalment> instalmentRows)
    {
        debts = debtRows;
        instalments = instalmentRows;
    }
}

/// <summary>One debt of a resolution.</summary>
public sealed class TgrDebt
{
    public long? ResolutionId { get; set; }

    public string? DebtorIdentifier { get; set; }

    public decimal? Amount { get; set; }

    public string? Currency { get; set; }

    public DateTime? ExpireDate { get; set; }

    public long? FineWaiverGained { get; set; }

    public long? Form { get; set; }

    public long? Identifier { get; set; }

    public long? InterestWaiverGained { get; set; }

    public long? Invoice { get; set; }

    /// <summary>The envelope's AdditionalInformation, as on the resolution.</summary>
    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    /// <summary>When the answer was read, as on the resolution.</summary>
    public DateTimeOffset RetrievedAt { get; set; }

    /// <summary>This element of the resolution's Debts exactly as Khipu sent it.</summary>
    public string? RawJson { get; set; }
}

/// <summary>One instalment (cuota) of a resolution.</summary>
public sealed class TgrInstalment
{
    public long? ResolutionId { get; set; }

    public string? DebtorIdentifier { get; set; }

    public long? Number { get; set; }

    public decimal? Amount { get; set; }

    public string? Currency { get; set; }

    public DateTime? ExpireDate { get; set; }

    /// <summary>Paid or Unpaid.</summary>
    public string? Status { get; set; }

    /// <summary>The envelope's AdditionalInformation, as on the resolution.</summary>
    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    /// <summary>When the answer was read, as on the resolution.</summary>
    public DateTimeOffset RetrievedAt { get; set; }

    /// <summary>This element of the resolution's Instalments exactly as Khipu sent it.</summary>
    public string? RawJson { get; set; }
}
