using System;

namespace EnergyData.Khipu;

/// <summary>One Enel debt status, flat for Export-Csv. Amounts are in <c>*Currency</c> (CLP in practice).</summary>
public sealed class EnelDebtStatus
{
    /// <summary>The identifier as requested (the key for joining back to the input).</summary>
    public string ClientIdentifier { get; set; } = string.Empty;

    /// <summary>The identifier as Enel returned it.</summary>
    public string? ResponseClientIdentifier { get; set; }

    public string? Address { get; set; }

    public decimal? DebtAmount { get; set; }

    public string? DebtCurrency { get; set; }

    public DateTime? DebtDueDate { get; set; }

    public decimal? LastPaymentAmount { get; set; }

    public string? LastPaymentCurrency { get; set; }

    public DateTime? LastPaymentDate { get; set; }

    public decimal? PreviousDebtAmount { get; set; }

    public string? PreviousDebtCurrency { get; set; }

    public DateTime? PreviousDebtDueDate { get; set; }

    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }

    /// <summary>Data.DebtStatus exactly as Khipu sent it.</summary>
    public string? RawJson { get; set; }
}

/// <summary>One Enel bill document. With an output path the document is saved and <see cref="Path"/> names the file.</summary>
public sealed class EnelBillDocument
{
    public string ClientIdentifier { get; set; } = string.Empty;

    public string? Email { get; set; }

    public string? ResponseClientIdentifier { get; set; }

    /// <summary>The document as Khipu sent it (base64 text in practice); empty when saved to <see cref="Path"/>.</summary>
    public string? Document { get; set; }

    /// <summary>application/pdf when the decoded bytes are a PDF; application/octet-stream for other binary; text/plain when not base64.</summary>
    public string? ContentType { get; set; }

    /// <summary>Size of the decoded document in bytes (or of the text when it is not base64).</summary>
    public long? Length { get; set; }

    /// <summary>Where the document was saved, when an output folder was given.</summary>
    public string? Path { get; set; }

    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }
}
