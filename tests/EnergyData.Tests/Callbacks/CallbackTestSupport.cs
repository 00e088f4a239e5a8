using System;
using System.IO;
using System.Text.Json;
using EnergyData.Callbacks;

namespace EnergyData.Tests.Callbacks;

/// <summary>A fresh inbox folder per test, deleted afterwards.</summary>
internal sealed class TemporaryInbox : IDisposable
{
    public TemporaryInbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "energydata-inbox-" + Guid.NewGuid().ToString("N"));
        Inbox = new CallbackInbox(Root);
    }

    public string Root { get; }

    public CallbackInbox Inbox { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand (for LifeSpan checks without waiting).</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now;

    public ManualClock(DateTimeOffset start) => now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

internal static class Envelopes
{
    public static string DebtStatus(string operationId, string clientIdentifier, decimal amount) => JsonSerializer.Serialize(new
    {
        OperationId = operationId,
        Status = "OK",
        Data = new
        {
            DebtStatus = new
            {
                ClientIdentifier = clientIdentifier,
                Address = "AGUSTINAS 1234, SANTIAGO",
                Debt = new { TotalAmount = amount, Currency = "CLP", DueDate = "2017-07-22" },
            },
        },
        AdditionalInformation = (string?)null,
        Error = (object?)null,
        LifeSpan = (string?)null,
    });

    public static string Error(string operationId, string code, string type, string description) => JsonSerializer.Serialize(new
    {
        OperationId = operationId,
        Status = "ERROR",
        Data = (object?)null,
        AdditionalInformation = (string?)null,
        Error = new { Code = code, Type = type, Description = description },
    });

    public static PendingOperation DebtOperation(string operationId, string clientIdentifier, DateTimeOffset? lifeSpan = null) => new()
    {
        OperationId = operationId,
        Service = "EnelDebtStatus",
        ServicePath = EnergyData.Khipu.KhipuServices.EnelDebtStatus,
        InputIdentifier = clientIdentifier,
        LifeSpan = lifeSpan,
    };
}
