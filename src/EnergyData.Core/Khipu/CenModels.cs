using System;
using System.Collections.Generic;

namespace EnergyData.Khipu;

/// <summary>A CEN nonconformities query: one RUT, a creation-date range, and paging.</summary>
public sealed class CenQuery
{
    public string? RutDeudor { get; set; }

    public DateTime From { get; set; }

    public DateTime To { get; set; }

    public int PageSize { get; set; } = Validation.InputRules.CenDefaultPageSize;

    /// <summary>Rows to skip from the start of the result.</summary>
    public long Skip { get; set; }

    /// <summary>Rows to return at most (no page beyond them is requested, so none is billed).</summary>
    public long First { get; set; } = long.MaxValue;

    public KhipuAccountCredential? AccountCredential { get; set; }

    /// <summary>Pages fetched at the same time once the first page has given the total (1 = one after another).</summary>
    public int PageConcurrency { get; set; } = 1;

    /// <summary>
    /// When Khipu sends no TotalDisconformidades, pages are followed while they come back full, up to this many
    /// pages in all (each one billed): a server that keeps answering full pages cannot run up the bill.
    /// </summary>
    public int MaxPagesWithoutTotal { get; set; } = DefaultMaxPagesWithoutTotal;

    /// <summary>100 pages: 20,000 rows at the default page size, 100,000 at the largest.</summary>
    public const int DefaultMaxPagesWithoutTotal = 100;
}

/// <summary>What a CEN query has learnt so far: the total and the pages fetched.</summary>
public sealed class CenPagingState
{
    public int? TotalCount { get; internal set; }

    public int PagesFetched { get; internal set; }

    /// <summary>Pages the whole result spans, once the total is known.</summary>
    public int? TotalPages { get; internal set; }
}

/// <summary>
/// One nonconformity (disconformidad). Khipu does not publish the item's fields, so the item's own fields are
/// exposed as extra properties by the cmdlet (flattened: nested names joined with '.'); the fixed properties
/// here say where the row came from.
/// </summary>
public sealed class CenNonconformity
{
    private IReadOnlyList<KeyValuePair<string, object?>> fields = Array.Empty<KeyValuePair<string, object?>>();

    public string RutDeudor { get; set; } = string.Empty;

    public DateTime From { get; set; }

    public DateTime To { get; set; }

    /// <summary>Zero-based page index (Khipu's Paginas).</summary>
    public int Page { get; set; }

    public int PageSize { get; set; }

    /// <summary>Zero-based position in the whole result.</summary>
    public long Index { get; set; }

    public int? TotalCount { get; set; }

    public string? OperationId { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }

    public string RawJson { get; set; } = string.Empty;

    /// <summary>The item's fields, flattened; a method, not a property, so Export-Csv does not write it as a type name.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> GetFields() => fields;

    internal void SetFields(IReadOnlyList<KeyValuePair<string, object?>> value) => fields = value;
}
