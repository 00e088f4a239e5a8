using System;
using System.Collections.Concurrent;

namespace EnergyData.Callbacks;

/// <summary>
/// The OperationIds one command's asynchronous submissions were given, each with the request it was given to. Khipu
/// gives every request its own; a server that answers every request with the same one (the document's example id, say)
/// would otherwise have the later inputs vanish without a word: the inbox keeps one result per OperationId, and
/// Wait-KhipuOperation collects each OperationId once. Thread-safe: submissions run concurrently.
/// </summary>
public sealed class SubmittedOperations
{
    private readonly ConcurrentDictionary<string, string> requests = new(StringComparer.Ordinal);

    /// <summary>
    /// Records that <paramref name="operationId"/> was given to <paramref name="request"/> (its description). False when
    /// an earlier submission of this command was given it: <paramref name="earlierRequest"/> then describes that one
    /// (empty otherwise).
    /// </summary>
    public bool TryAdd(string operationId, string request, out string earlierRequest)
    {
        if (requests.TryAdd(operationId, request))
        {
            earlierRequest = string.Empty;
            return true;
        }

        // Never removed, so the entry that refused this one is there.
        earlierRequest = requests[operationId];
        return false;
    }
}
