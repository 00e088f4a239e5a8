using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace EnergyData.Json;

/// <summary>
/// The columns of flattened rows (<see cref="JsonFlattener"/>), so that rows whose fields differ (a nested object on
/// one, null on another) all get the same names in the same order and Export-Csv, which takes its columns from the
/// first row, writes every field. Names compare case-insensitively, as PowerShell's property names do.
/// </summary>
internal sealed class FlatColumns
{
    private readonly List<string> names;
    private readonly HashSet<string> set;
    private readonly HashSet<string> parents;

    private FlatColumns(List<string> names)
    {
        this.names = names;
        set = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        parents = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            AddParents(parents, name);
        }
    }

    public IReadOnlyList<string> Names => names;

    /// <summary>Columns in the given order (a row's own names, for one).</summary>
    public static FlatColumns Of(IEnumerable<string> names)
    {
        var list = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (seen.Add(name))
            {
                list.Add(name);
            }
        }

        return new FlatColumns(list);
    }

    /// <summary>
    /// The row's fields under these columns: one per column, in their order, null where the row has none; then the
    /// row's fields that are no column (only a row outside the set these columns were made from has any), except a null
    /// one whose name is a column's object (<c>platform_payments</c> null, under <c>platform_payments.date</c>):
    /// those columns stand for it, empty. <paramref name="unwritten"/> counts the added fields that hold a value.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Arrange(IReadOnlyList<KeyValuePair<string, object?>> fields, out int unwritten)
    {
        unwritten = 0;
        if (SameNames(fields))
        {
            return fields;
        }

        var values = new Dictionary<string, object?>(fields.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var field in fields)
        {
            // A name twice (NEU sends "Date" and "date", say): the first, as when it was one property per field.
            if (!values.ContainsKey(field.Key))
            {
                values.Add(field.Key, field.Value);
            }
        }

        var arranged = new List<KeyValuePair<string, object?>>(names.Count + 4);
        foreach (var name in names)
        {
            arranged.Add(new(name, values.TryGetValue(name, out var value) ? value : null));
        }

        foreach (var field in fields)
        {
            if (set.Contains(field.Key) || (field.Value is null && parents.Contains(field.Key)) || !values.Remove(field.Key))
            {
                continue;
            }

            arranged.Add(field);
            if (field.Value is not null)
            {
                unwritten++;
            }
        }

        return arranged;
    }

    /// <summary>
    /// Hands out <paramref name="items"/> with their fields (<paramref name="fieldsOf"/>) under the same columns: the
    /// items are held until they end, or until <paramref name="holdEnds"/> (asked after each item held) says the items
    /// held are enough; the columns are those of the items held (<see cref="Builder"/>), given to
    /// <paramref name="columnsBuilt"/> once they are known, and every item, held or after, is handed out with its fields
    /// arranged under them (<see cref="Arrange"/>). Items held when the source fails are handed out before the failure.
    /// No column is built when no item came.
    /// </summary>
    internal static async IAsyncEnumerable<(T Item, IReadOnlyList<KeyValuePair<string, object?>> Fields)> ShareAsync<T>(
        IAsyncEnumerable<T> items,
        Func<T, IReadOnlyList<KeyValuePair<string, object?>>> fieldsOf,
        Func<T, bool>? holdEnds,
        Action<FlatColumns>? columnsBuilt)
    {
        var held = new List<T>();
        var builder = new Builder();
        FlatColumns? columns = null;
        ExceptionDispatchInfo? failure = null;
        var source = items.ConfigureAwait(false).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                T item;
                try
                {
                    if (!await source.MoveNextAsync())
                    {
                        break;
                    }

                    item = source.Current;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && held.Count > 0)
                {
                    // The items read so far are handed out, as they were when each left at once; then the failure.
                    failure = ExceptionDispatchInfo.Capture(exception);
                    break;
                }

                if (columns is not null)
                {
                    yield return (item, columns.Arrange(fieldsOf(item), out _));
                    continue;
                }

                builder.Add(fieldsOf(item));
                held.Add(item);
                if (holdEnds?.Invoke(item) == true)
                {
                    columns = Release(builder, columnsBuilt);
                    foreach (var heldItem in held)
                    {
                        yield return (heldItem, columns.Arrange(fieldsOf(heldItem), out _));
                    }

                    held.Clear();
                }
            }
        }
        finally
        {
            await source.DisposeAsync();
        }

        if (held.Count > 0)
        {
            columns = Release(builder, columnsBuilt);
            foreach (var heldItem in held)
            {
                yield return (heldItem, columns.Arrange(fieldsOf(heldItem), out _));
            }
        }

        failure?.Throw();
    }

    private static FlatColumns Release(Builder builder, Action<FlatColumns>? columnsBuilt)
    {
        var columns = builder.Build();
        columnsBuilt?.Invoke(columns);
        return columns;
    }

    private bool SameNames(IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        if (fields.Count != names.Count)
        {
            return false;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (!string.Equals(fields[i].Key, names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddParents(HashSet<string> parents, string name)
    {
        for (var dot = name.IndexOf('.'); dot > 0; dot = name.IndexOf('.', dot + 1))
        {
            parents.Add(name.Substring(0, dot));
        }
    }

    /// <summary>
    /// Gathers the columns of many rows: every name any row has, in the order the rows give them (a name new to a row
    /// goes right after the name before it in that row, so <c>platform_payments.date</c> takes the place of a null
    /// <c>platform_payments</c>; with no known name before it, right before the row's first known name; with none at
    /// all, at the end), except a name that is null on every row that has it and a nested object on another (its
    /// dotted names stand for it). Keeps the names only, never the rows.
    /// </summary>
    internal sealed class Builder
    {
        private readonly LinkedList<string> order = new();
        private readonly Dictionary<string, Entry> entries = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> parents = new(StringComparer.OrdinalIgnoreCase);

        public void Add(IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            // A new name goes right after the row's name before it; new names ahead of the row's first known name go
            // right before that one (at the end when the row has no known name).
            LinkedListNode<string>? previous = null;
            List<KeyValuePair<string, object?>>? leading = null;
            foreach (var field in fields)
            {
                if (entries.TryGetValue(field.Key, out var entry))
                {
                    if (leading is not null)
                    {
                        foreach (var pending in leading)
                        {
                            Insert(pending, node => order.AddBefore(entry.Node, node));
                        }

                        leading = null;
                    }
                }
                else if (previous is null)
                {
                    (leading ??= []).Add(field);
                    continue;
                }
                else
                {
                    var after = previous;
                    entry = Insert(field, node => order.AddAfter(after, node));
                }

                entry.HasValue |= field.Value is not null;
                previous = entry.Node;
            }

            foreach (var pending in leading ?? [])
            {
                Insert(pending, order.AddLast);
            }
        }

        public FlatColumns Build()
        {
            var names = new List<string>(order.Count);
            foreach (var name in order)
            {
                if (entries[name].HasValue || !parents.Contains(name))
                {
                    names.Add(name);
                }
            }

            return new FlatColumns(names);
        }

        private Entry Insert(KeyValuePair<string, object?> field, Action<LinkedListNode<string>> link)
        {
            if (entries.TryGetValue(field.Key, out var entry))
            {
                // The same name twice among a row's leading new names.
                entry.HasValue |= field.Value is not null;
                return entry;
            }

            var node = new LinkedListNode<string>(field.Key);
            link(node);
            entry = new Entry(node) { HasValue = field.Value is not null };
            entries.Add(field.Key, entry);
            AddParents(parents, field.Key);
            return entry;
        }

        private sealed class Entry
        {
            public Entry(LinkedListNode<string> node) => Node = node;

            public LinkedListNode<string> Node { get; }

            public bool HasValue { get; set; }
        }
    }
}
