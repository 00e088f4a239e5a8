using System;
using System.Collections.Generic;
using System.Linq;

namespace EnergyData.Json;

/// <summary>
/// The columns of one command whose rows carry whatever fields a server sends, flattened (Invoke-NeuRequest's items,
/// Get-CenNonconformity's and Wait-KhipuOperation's nonconformities): every row it writes gets the names of the first
/// row it wrote (null where a row has no such field), so that the rows of later responses or pages export under the
/// same columns. A row with a field that is no such column keeps it after them; Export-Csv will not write it.
/// </summary>
public sealed class OutputColumns
{
    private FlatColumns? first;

    /// <summary>
    /// The fields to write for a row whose own fields are <paramref name="fields"/>, and the names of those of its fields
    /// that hold a value but are not among the first row's (none for the first row itself).
    /// </summary>
    public (IReadOnlyList<KeyValuePair<string, object?>> Fields, IReadOnlyList<string> NotInFirstRow) Arrange(IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        if (fields is null)
        {
            throw new ArgumentNullException(nameof(fields));
        }

        if (first is null)
        {
            first = FlatColumns.Of(fields.Select(field => field.Key));
            return (fields, []);
        }

        var arranged = first.Arrange(fields, out var unwritten);
        if (unwritten == 0)
        {
            return (arranged, []);
        }

        var names = new List<string>(unwritten);
        for (var i = first.Names.Count; i < arranged.Count; i++)
        {
            if (arranged[i].Value is not null)
            {
                names.Add(arranged[i].Key);
            }
        }

        return (arranged, names);
    }
}
