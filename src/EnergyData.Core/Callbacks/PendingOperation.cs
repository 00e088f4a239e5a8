using System;
using System.Collections.Generic;
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
        };
    }

    public string Input(string name) => RequestInputs.TryGetValue(name, out var value) ? value : string.Empty;

    public override string ToString() => string.IsNullOrEmpty(InputIdentifier) ? $"{Service} {OperationId}" : $"{Service} {InputIdentifier} ({OperationId})";
}
