using System;
using System.Collections.Generic;
using System.Linq;

namespace EnergyData.Completion;

/// <summary>
/// Ids the session has seen recently (for example the NEU accounts of the last account listing), kept for
/// tab completion. Bounded per kind, most recent first, safe to feed from the cmdlets' worker threads while a
/// completer reads on another. Only ids and display names go here, never a secret.
/// </summary>
public sealed class RecentValues
{
    public const int DefaultCapacity = 200;
    private readonly object gate = new();
    private readonly Dictionary<string, LinkedList<CompletionCandidate>> byKind = new(StringComparer.Ordinal);

    public RecentValues(int capacityPerKind = DefaultCapacity)
    {
        if (capacityPerKind < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacityPerKind), capacityPerKind, "must be at least 1");
        }

        CapacityPerKind = capacityPerKind;
    }

    /// <summary>The store the module's cmdlets feed and its completers read.</summary>
    public static RecentValues Shared { get; } = new();

    public int CapacityPerKind { get; }

    /// <summary>
    /// Records <paramref name="value"/> as the most recent of its kind (moving it to the front when it is
    /// already known, with the new description), dropping the oldest beyond the capacity.
    /// </summary>
    public void Remember(string kind, string value, string? description = null)
    {
        if (string.IsNullOrEmpty(kind))
        {
            throw new ArgumentException("A kind is required.", nameof(kind));
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        var candidate = new CompletionCandidate(value.Trim(), description);
        lock (gate)
        {
            if (!byKind.TryGetValue(kind, out var list))
            {
                list = new LinkedList<CompletionCandidate>();
                byKind[kind] = list;
            }

            for (var node = list.First; node is not null; node = node.Next)
            {
                if (string.Equals(node.Value.Value, candidate.Value, StringComparison.OrdinalIgnoreCase))
                {
                    list.Remove(node);
                    break;
                }
            }

            list.AddFirst(candidate);
            while (list.Count > CapacityPerKind)
            {
                list.RemoveLast();
            }
        }
    }

    /// <summary>The values of <paramref name="kind"/>, most recent first (a snapshot).</summary>
    public IReadOnlyList<CompletionCandidate> Get(string kind)
    {
        lock (gate)
        {
            return byKind.TryGetValue(kind, out var list) ? list.ToList() : new List<CompletionCandidate>();
        }
    }

    public void Clear(string? kind = null)
    {
        lock (gate)
        {
            if (kind is null)
            {
                byKind.Clear();
            }
            else
            {
                byKind.Remove(kind);
            }
        }
    }
}

/// <summary>The kinds of <see cref="RecentValues"/> the module uses.</summary>
public static class RecentValueKinds
{
    /// <summary>id_account values, with the account name as description.</summary>
    public const string NeuAccountId = "NeuAccountId";

    /// <summary>id_service values, with the service name and address as description.</summary>
    public const string NeuServiceId = "NeuServiceId";
}

/// <summary>Feeds the id completers from what NEU cmdlets emit: every account and service seen in this session.</summary>
public static class NeuRecentIds
{
    /// <summary>Remembers the account or service id of <paramref name="item"/> (other items are ignored).</summary>
    public static void Remember(object item, RecentValues? store = null)
    {
        store ??= RecentValues.Shared;
        switch (item)
        {
            case Neu.NeuAccount account:
                store.Remember(RecentValueKinds.NeuAccountId, account.AccountId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, account.AccountName);

                // The account lists its services' ids: Get-NeuAccount is usually the first command of a session, and
                // -ServiceId should complete after it as -AccountId does.
                foreach (var serviceId in (account.ServiceIds ?? string.Empty).Split([';'], StringSplitOptions.RemoveEmptyEntries))
                {
                    store.Remember(RecentValueKinds.NeuServiceId, serviceId.Trim(), "account " + account.AccountId?.ToString(System.Globalization.CultureInfo.InvariantCulture) + (string.IsNullOrWhiteSpace(account.AccountName) ? string.Empty : ": " + account.AccountName));
                }

                break;
            case Neu.NeuService service:
                store.Remember(RecentValueKinds.NeuServiceId, service.ServiceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, string.Join(", ", new[] { service.Name, service.Address }.Where(part => !string.IsNullOrWhiteSpace(part))));
                store.Remember(RecentValueKinds.NeuAccountId, service.AccountId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, service.AccountName);
                break;
        }
    }
}
