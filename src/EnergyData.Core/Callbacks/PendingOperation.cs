using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using EnergyData.Khipu;

namespace EnergyData.Callbacks;

/// <summary>
/// What a waiter needs to turn a delivered result into the typed rows of the synchronous call: the service,
/// the input identifiers and the LifeSpan. Stored in the inbox's <c>pending</c> folder when an operation is
/// submitted through a receiver, so a later session can collect it by OperationId alone. Never holds a secret.
/// </summary>
public sealed class PendingOperation
{
    public string OperationId { get; set; } = string.Empty;

    public string? Service { get; set; }

    public string? ServicePath { get; set; }

    public string? InputIdentifier { get; set; }

    /// <summary>Non-secret request fields (ClientIdentifier, Email, RutDeudor, dates, page) and the TGR Detail.</summary>
    public Dictionary<string, string> RequestInputs { get; set; } = new(StringComparer.Ordinal);

    public string? LifeSpanRaw { get; set; }

    public DateTimeOffset? LifeSpan { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>
    /// The whole answer, when Khipu answered the request at once with Data although a CallbackUrl was given
    /// (<see cref="KhipuOperation.ResultJson"/>): a waiter maps it as it is, without waiting for a delivery. Never part
    /// of the pending record: the inbox holds such a result as a result file.
    /// </summary>
    [JsonIgnore]
    public string? ResultJson { get; set; }

    public static PendingOperation FromOperation(KhipuOperation operation)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        return new PendingOperation
        {
            OperationId = operation.OperationId ?? string.Empty,
            Service = operation.Service,
            ServicePath = operation.ServicePath,
            InputIdentifier = operation.InputIdentifier,
            RequestInputs = RequestInputText.Parse(operation.RequestInputs),
            LifeSpanRaw = operation.LifeSpanRaw,
            LifeSpan = operation.LifeSpan,
            SubmittedAt = operation.SubmittedAt,
            ResultJson = operation.ResultJson,
        };
    }

    /// <summary>Fills what this record lacks from <paramref name="stored"/> (the inbox's pending record).</summary>
    public PendingOperation CompleteFrom(PendingOperation? stored)
    {
        if (stored is null)
        {
            return this;
        }

        var inputs = new Dictionary<string, string>(stored.RequestInputs, StringComparer.Ordinal);
        foreach (var pair in RequestInputs)
        {
            inputs[pair.Key] = pair.Value;
        }

        return new PendingOperation
        {
            OperationId = OperationId,
            Service = string.IsNullOrEmpty(Service) ? stored.Service : Service,
            ServicePath = string.IsNullOrEmpty(ServicePath) ? stored.ServicePath : ServicePath,
            InputIdentifier = string.IsNullOrEmpty(InputIdentifier) ? stored.InputIdentifier : InputIdentifier,
            RequestInputs = inputs,
            LifeSpanRaw = string.IsNullOrEmpty(LifeSpanRaw) ? stored.LifeSpanRaw : LifeSpanRaw,
            LifeSpan = LifeSpan ?? stored.LifeSpan ?? KhipuOperation.ParseLifeSpan(stored.LifeSpanRaw),
            SubmittedAt = SubmittedAt ?? stored.SubmittedAt,
            ResultJson = ResultJson,
        };
    }

    /// <summary>
    /// Whether <paramref name="other"/> describes the same request: the same service and inputs (one input submitted
    /// again). Two records of one OperationId that differ are two requests whose results cannot be told apart.
    /// </summary>
    public bool DescribesSameRequestAs(PendingOperation other)
    {
        if (other is null)
        {
            throw new ArgumentNullException(nameof(other));
        }

        return string.Equals(Service ?? string.Empty, other.Service ?? string.Empty, StringComparison.OrdinalIgnoreCase)
            && string.Equals(ServicePath ?? string.Empty, other.ServicePath ?? string.Empty, StringComparison.Ordinal)
            && string.Equals(InputIdentifier ?? string.Empty, other.InputIdentifier ?? string.Empty, StringComparison.Ordinal)
            && RequestInputs.Count == other.RequestInputs.Count
            && RequestInputs.All(pair => other.RequestInputs.TryGetValue(pair.Key, out var value) && string.Equals(pair.Value, value, StringComparison.Ordinal));
    }

    public string Input(string name) => RequestInputs.TryGetValue(name, out var value) ? value : string.Empty;

    /// <summary>
    /// The request's input as "Name value" (ClientIdentifier 1234567-8, RutDeudor 76543210): the request inputs'
    /// ClientIdentifier or RutDeudor (the one equal to the InputIdentifier, when that is known); else the InputIdentifier
    /// alone, as "input 1234567-8"; else null.
    /// </summary>
    public string? DescribeInput()
    {
        foreach (var name in InputNames)
        {
            if (RequestInputs.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
                && (string.IsNullOrEmpty(InputIdentifier) || string.Equals(value, InputIdentifier, StringComparison.Ordinal)))
            {
                return name + " " + value;
            }
        }

        return string.IsNullOrEmpty(InputIdentifier) ? null : "input " + InputIdentifier;
    }

    /// <summary>
    /// "operation {id}", followed by what is known of it in parentheses: the service and the input
    /// ("operation 3fa8... (EnelDebtStatus, ClientIdentifier 1234567-8)"). Nothing unknown leaves a gap.
    /// </summary>
    public string Describe()
    {
        var known = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(Service))
        {
            known.Add(Service!);
        }

        if (DescribeInput() is { } input)
        {
            known.Add(input);
        }

        var id = string.IsNullOrEmpty(OperationId) ? "(no OperationId)" : OperationId;
        return known.Count == 0 ? "operation " + id : $"operation {id} ({string.Join(", ", known)})";
    }

    public override string ToString() => Describe();

    // The request fields that identify an input, in the order the services use them.
    private static readonly string[] InputNames = ["ClientIdentifier", "RutDeudor"];
}
