using System;
using System.Collections.Generic;
using System.Linq;

namespace EnergyData.Emulator;

/// <summary>The emulator's deterministic NEU data: the same answers on every run.</summary>
public static class NeuData
{
    public const int NotificationPageSize = 20;
    public const int BillPageSize = 10;
    public const int DueDatePageSize = 10;

    // Rules and rule history take PageNumber, but their answers carry no paging fields (the document shows none):
    // the client can only tell the end by an empty page. Two a page, so the emulator's three rules span two pages.
    public const int RulePageSize = 2;

    public static readonly IReadOnlyList<NeuAccountData> Accounts =
    [
        new(41, "Residencial", "Cuenta Norte", [new(282, "Energía", "Casa principal", "Calle 10 # 43-12, Medellín"), new(283, "Energía", "Local comercial", "Carrera 70 # 1-20, Medellín")]),
        new(42, "Comercial", "Cuenta Sur", [new(450, "Energía", "Bodega", "Calle 5 Sur # 50-30, Envigado")]),
    ];

    public static readonly DateTime BaseDate = new(2021, 4, 1);

    /// <summary>45 notifications: three pages of 20, 20 and 5.</summary>
    public static IReadOnlyList<NeuNotificationData> Notifications { get; } =
        Enumerable.Range(0, 45).Select(i => new NeuNotificationData(BaseDate.AddDays(i * 4), $"Alerta de consumo {i + 1}", $"El consumo del servicio superó el límite ({i + 1}).", i % 3 == 0)).ToList();

    /// <summary>45 bills over the three services, ten per page.</summary>
    public static IReadOnlyList<NeuBillData> Bills { get; } =
        Enumerable.Range(0, 45).Select(i =>
        {
            var service = AllServices[i % AllServices.Count];
            return new NeuBillData(9000 + i, service.Id, service.AccountId, BaseDate.AddDays(i * 7), 100 + (i * 3), 250000m + (i * 1000));
        }).ToList();

    public static IReadOnlyList<NeuServiceData> AllServices => Accounts.SelectMany(account => account.Services.Select(service => service with { AccountId = account.Id, AccountName = account.Name })).ToList();

    public static NeuAccountData? Account(long id) => Accounts.FirstOrDefault(account => account.Id == id);

    public static NeuServiceData? Service(long id) => AllServices.FirstOrDefault(service => service.Id == id);
}

public sealed record NeuAccountData(long Id, string Category, string Name, IReadOnlyList<NeuServiceData> Services);

public sealed record NeuServiceData(long Id, string Type, string Name, string Address)
{
    public long AccountId { get; init; }

    public string? AccountName { get; init; }
}

public sealed record NeuNotificationData(DateTime Date, string Title, string Text, bool Read);

public sealed record NeuBillData(long Id, long ServiceId, long AccountId, DateTime Date, double Consumption, decimal Value);
