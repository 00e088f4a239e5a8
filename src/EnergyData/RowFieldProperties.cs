using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using EnergyData.Json;

namespace EnergyData.Commands;

/// <summary>
/// Adds the flattened fields of rows whose fields are whatever the server sends (Invoke-NeuRequest's items, CEN
/// nonconformities) to each row as note properties, so that Export-Csv writes them as columns: under the columns of
/// the first row the command wrote (<see cref="OutputColumns"/>), so that every row of one command has the same
/// properties in the same order. A field named like a property the row already has (a fixed one) is not added: its
/// value stays in the row's RawJson. One per command, used on the pipeline thread (Shape).
/// </summary>
internal sealed class RowFieldProperties
{
    private const int NamesShown = 5;
    private readonly OutputColumns columns = new();
    private bool warned;

    /// <summary>
    /// The row, with its fields under the command's columns added as note properties. <paramref name="added"/> names
    /// the fields added, in their order. <paramref name="unwritten"/> names the row's fields that hold a value but are
    /// not among the first row's (Export-Csv will not write them), except those named like a fixed property, which no
    /// row gets: only for the first row of the command that has any, so the command warns once; empty otherwise.
    /// </summary>
    public PSObject Add(object row, IReadOnlyList<KeyValuePair<string, object?>> fields, out IReadOnlyList<string> added, out IReadOnlyList<string> unwritten)
    {
        var (arranged, notInFirstRow) = columns.Arrange(fields);
        var shaped = PSObject.AsPSObject(row);
        unwritten = [];
        if (!warned && notInFirstRow.Count > 0)
        {
            var missing = notInFirstRow.Where(name => shaped.Properties[name] is null).ToList();
            if (missing.Count > 0)
            {
                warned = true;
                unwritten = missing;
            }
        }

        var names = new List<string>(arranged.Count);
        foreach (var field in arranged)
        {
            if (shaped.Properties[field.Key] is null)
            {
                shaped.Properties.Add(new PSNoteProperty(field.Key, field.Value));
                names.Add(field.Key);
            }
        }

        added = names;
        return shaped;
    }

    /// <summary>The first few of <paramref name="names"/>, for a warning: "a, b, c, d, e and 3 more".</summary>
    public static string NameList(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(NamesShown))
        + (names.Count > NamesShown ? string.Format(CultureInfo.InvariantCulture, " and {0} more", names.Count - NamesShown) : string.Empty);
}
