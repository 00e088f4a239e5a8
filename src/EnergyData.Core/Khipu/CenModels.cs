using System;
using System.Collections.Generic;
using EnergyData.Json;

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

    /// <summary>Rows to return at most (no page beyond them is requested, so none is billed); 0 requests nothing.</summary>
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

    /// <summary>The same query for the RUT as it is sent (see <see cref="Validation.InputRules.Rut"/>).</summary>
    internal CenQuery WithRutDeudor(string rutDeudor)
    {
        var copy = (CenQuery)MemberwiseClone();
        copy.RutDeudor = rutDeudor;
        return copy;
    }

    /// <summary>The same query in pages of another size (for a server that gives fewer rows per page than asked).</summary>
    internal CenQuery WithPageSize(int pageSize)
    {
        // A copy of every setting, whatever is added later, with the one change.
        var copy = (CenQuery)MemberwiseClone();
        copy.PageSize = pageSize;
        return copy;
    }
}

/// <summary>What a CEN query has learnt so far: the total and the pages fetched.</summary>
public sealed class CenPagingState
{
    public int? TotalCount { get; internal set; }

    public int PagesFetched { get; internal set; }

    /// <summary>Pages the whole result spans, once the total is known.</summary>
    public int? TotalPages { get; internal set; }

    /// <summary>Whether a warning already said that the server gives fewer rows per page than asked, and why reading stopped.</summary>
    internal bool CappedPageWarned { get; set; }
}

/// <summary>
/// One nonconformity (disconformidad). Khipu does not publish the item's fields, so the item's own fields are
/// exposed as extra properties by the cmdlet (flattened: nested names joined with '.'), under the same names on every
/// row of a query (<see cref="GetFields"/>); the fixed properties here say where the row came from.
/// </summary>
public sealed class CenNonconformity
{
    private const string ItemFieldPrefix = "Item.";
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

    /// <summary>
    /// The envelope's AdditionalInformation (for example a note that Data is incomplete), on every row of that page's
    /// answer. An item field of the same name is kept as <c>Item.AdditionalInformation</c> (see <see cref="GetFields"/>).
    /// </summary>
    public string? AdditionalInformation { get; set; }

    public string? OperationId { get; set; }

    public DateTimeOffset RetrievedAt { get; set; }

    public string RawJson { get; set; } = string.Empty;

    /// <summary>
    /// The item's fields, flattened, under the columns of its query (or of its delivered page): one per column, in the
    /// same order on every row (null where this item has no such field), then, on a row of a later page, any field of
    /// its own that is no column (see <see cref="FlatColumns"/>; the columns are those of the first page's rows). A
    /// method, not a property, so Export-Csv does not write it as a type name. The cmdlets add them to the row as
    /// properties, except those named like a fixed property (their values stay in <see cref="RawJson"/>). An item
    /// field named AdditionalInformation (in any case) is given here as <c>Item.AdditionalInformation</c> instead, so
    /// it is neither hidden behind the envelope's <see cref="AdditionalInformation"/> nor taken for it (<c>Item.</c>
    /// is repeated while that name is among the names given, so it is the same on every row of the columns).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> GetFields() => fields;

    /// <summary>The item's fields, flattened, as the item has them: what its columns are made of.</summary>
    internal IReadOnlyList<KeyValuePair<string, object?>> ItemFields { get; private set; } = Array.Empty<KeyValuePair<string, object?>>();

    /// <summary>The item's own fields, flattened: <see cref="GetFields"/> gives them as they are until they are arranged.</summary>
    internal void SetItemFields(IReadOnlyList<KeyValuePair<string, object?>> value)
    {
        ItemFields = value;
        fields = KeepItemAdditionalInformationApart(value);
    }

    /// <summary>Gives <see cref="GetFields"/> the item's fields as arranged under the columns of its query (<see cref="FlatColumns.Arrange"/>).</summary>
    internal void SetArrangedFields(IReadOnlyList<KeyValuePair<string, object?>> arranged) => fields = KeepItemAdditionalInformationApart(arranged);

    private static IReadOnlyList<KeyValuePair<string, object?>> KeepItemAdditionalInformationApart(IReadOnlyList<KeyValuePair<string, object?>> value)
    {
        List<KeyValuePair<string, object?>>? renamed = null;
        for (var i = 0; i < value.Count; i++)
        {
            if (!string.Equals(value[i].Key, nameof(AdditionalInformation), StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = ItemFieldPrefix + value[i].Key;
            while (HasField(value, name))
            {
                name = ItemFieldPrefix + name;
            }

            renamed ??= new List<KeyValuePair<string, object?>>(value);
            renamed[i] = new KeyValuePair<string, object?>(name, value[i].Value);
        }

        return renamed ?? value;
    }

    private static bool HasField(IReadOnlyList<KeyValuePair<string, object?>> value, string name)
    {
        foreach (var field in value)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
