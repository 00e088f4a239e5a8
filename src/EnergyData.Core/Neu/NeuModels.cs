using System;

namespace EnergyData.Neu;

// Flat rows for Export-Csv: scalar properties only; nested lists of the API become rows of their own type.
// Dates are NEU's local times (Colombia, UTC-05:00) as sent, without a zone (DateTimeKind.Unspecified).

/// <summary>One NEU account (id_account, account_category, account_name) with the count of its services.</summary>
public sealed class NeuAccount
{
    /// <summary>Null when NEU sent no usable id (never 0, which a follow-up request would send as an id).</summary>
    public long? AccountId { get; set; }

    public string? AccountCategory { get; set; }

    public string? AccountName { get; set; }

    public int ServiceCount { get; set; }

    /// <summary>The ids of the account's services, separated by ';' (one cell in a CSV).</summary>
    public string? ServiceIds { get; set; }
}

/// <summary>One service (id_service, type_service, name, address) with its account: from accounts, from services/ or from services/{id}/.</summary>
public sealed class NeuService
{
    /// <summary>Null when NEU sent no usable id (never 0, which a follow-up request would send as an id).</summary>
    public long? ServiceId { get; set; }

    public long? AccountId { get; set; }

    public string? AccountName { get; set; }

    public string? ServiceType { get; set; }

    public string? Name { get; set; }

    public string? Address { get; set; }
}

/// <summary>A petition, complaint or claim (PQRS) filed by the user.</summary>
public sealed class NeuPqrs
{
    public string? Message { get; set; }

    public string? Category { get; set; }

    public string? Type { get; set; }

    /// <summary>Filing date.</summary>
    public DateTime? Date { get; set; }
}

/// <summary>One reading: one service at one timestamp, with every electrical field of data/consumption.</summary>
/// <remarks>
/// A million-row response allocates a million of these objects, so the object is kept small. The sixteen readings
/// and the date are kept as plain values with one bit each for "present" rather than as nullable fields (16 bytes
/// each once padded), and the account and service fields, the same on every row of a service, live in one
/// <see cref="NeuConsumptionSource"/> that the rows of a service share; setting one of them on a row gives that row
/// a source of its own, so rows never change each other. The properties are nullable as on every other output type:
/// a missing value is $null, an empty CSV cell.
/// </remarks>
public sealed class NeuConsumption
{
    private double consumption;
    private double injection;
    private double reactiveInductive;
    private double reactiveInductiveExcess;
    private double reactiveCapacitive;
    private double reactiveExcess;
    private double importedActiveCumulative;
    private double importedReactiveCumulative;
    private double exportedActiveCumulative;
    private double exportedReactiveCumulative;
    private double currentA;
    private double currentB;
    private double currentC;
    private double voltageA;
    private double voltageB;
    private double voltageC;
    private DateTime date;
    private int present;
    private NeuConsumptionSource source = NeuConsumptionSource.None;

    public long? AccountId
    {
        get => source.AccountId;
        set => source = source with { AccountId = value };
    }

    public string? AccountName
    {
        get => source.AccountName;
        set => source = source with { AccountName = value };
    }

    public long? ServiceId
    {
        get => source.ServiceId;
        set => source = source with { ServiceId = value };
    }

    public string? ServiceName
    {
        get => source.ServiceName;
        set => source = source with { ServiceName = value };
    }

    /// <summary>True for a backup meter (is_backup).</summary>
    public bool? IsBackup
    {
        get => source.IsBackup;
        set => source = source with { IsBackup = value };
    }

    /// <summary>Hourly, Daily or Monthly: the interval asked for.</summary>
    public string? Interval
    {
        get => source.Interval;
        set => source = source with { Interval = value };
    }

    public DateTime? Date
    {
        get => (present & DateBit) != 0 ? date : null;
        set
        {
            date = value.GetValueOrDefault();
            present = value.HasValue ? present | DateBit : present & ~DateBit;
        }
    }

    /// <summary>
    /// The fields of this row whose value was there but did not read as its type (bit i: field i of the reader's
    /// list), so the reader can warn of a value left empty. The int fits in the padding of the object: no byte more a row.
    /// </summary>
    internal int UnreadableFields { get; set; }

    /// <summary>The account and service fields of this row (shared with the other rows of its service).</summary>
    internal NeuConsumptionSource Source
    {
        get => source;
        set => source = value;
    }

    /// <summary>cons: active energy consumed, kWh.</summary>
    public double? Consumption
    {
        get => Get(consumption, 0);
        set => Set(ref consumption, 0, value);
    }

    /// <summary>injec: surplus energy injected into the grid (excedentes), kWh.</summary>
    public double? Injection
    {
        get => Get(injection, 1);
        set => Set(ref injection, 1, value);
    }

    /// <summary>reactive_in: inductive reactive energy, kVArh.</summary>
    public double? ReactiveInductive
    {
        get => Get(reactiveInductive, 2);
        set => Set(ref reactiveInductive, 2, value);
    }

    /// <summary>reactive_in_ex: inductive reactive energy in excess, kVArh.</summary>
    public double? ReactiveInductiveExcess
    {
        get => Get(reactiveInductiveExcess, 3);
        set => Set(ref reactiveInductiveExcess, 3, value);
    }

    /// <summary>reactive_cap: capacitive reactive energy, kVArh.</summary>
    public double? ReactiveCapacitive
    {
        get => Get(reactiveCapacitive, 4);
        set => Set(ref reactiveCapacitive, 4, value);
    }

    /// <summary>reactive_ex: reactive energy in excess, kVArh.</summary>
    public double? ReactiveExcess
    {
        get => Get(reactiveExcess, 5);
        set => Set(ref reactiveExcess, 5, value);
    }

    /// <summary>imported_active_acum: cumulative imported active energy, kWh.</summary>
    public double? ImportedActiveCumulative
    {
        get => Get(importedActiveCumulative, 6);
        set => Set(ref importedActiveCumulative, 6, value);
    }

    /// <summary>imported_reactive_acum: cumulative imported reactive energy, kVArh.</summary>
    public double? ImportedReactiveCumulative
    {
        get => Get(importedReactiveCumulative, 7);
        set => Set(ref importedReactiveCumulative, 7, value);
    }

    /// <summary>exported_active_acum: cumulative exported active energy, kWh.</summary>
    public double? ExportedActiveCumulative
    {
        get => Get(exportedActiveCumulative, 8);
        set => Set(ref exportedActiveCumulative, 8, value);
    }

    /// <summary>exported_reactive_acum: cumulative exported reactive energy, kVArh.</summary>
    public double? ExportedReactiveCumulative
    {
        get => Get(exportedReactiveCumulative, 9);
        set => Set(ref exportedReactiveCumulative, 9, value);
    }

    /// <summary>ia: phase A current, A.</summary>
    public double? CurrentA
    {
        get => Get(currentA, 10);
        set => Set(ref currentA, 10, value);
    }

    /// <summary>ib: phase B current, A.</summary>
    public double? CurrentB
    {
        get => Get(currentB, 11);
        set => Set(ref currentB, 11, value);
    }

    /// <summary>ic: phase C current, A.</summary>
    public double? CurrentC
    {
        get => Get(currentC, 12);
        set => Set(ref currentC, 12, value);
    }

    /// <summary>va: phase A voltage, V.</summary>
    public double? VoltageA
    {
        get => Get(voltageA, 13);
        set => Set(ref voltageA, 13, value);
    }

    /// <summary>vb: phase B voltage, V.</summary>
    public double? VoltageB
    {
        get => Get(voltageB, 14);
        set => Set(ref voltageB, 14, value);
    }

    /// <summary>vc: phase C voltage, V.</summary>
    public double? VoltageC
    {
        get => Get(voltageC, 15);
        set => Set(ref voltageC, 15, value);
    }

    // Bits 0-15 are the readings, in declaration order.
    private const int DateBit = 1 << 16;

    private double? Get(double value, int bit) => (present & (1 << bit)) != 0 ? value : null;

    private void Set(ref double field, int bit, double? value)
    {
        field = value.GetValueOrDefault();
        present = value.HasValue ? present | (1 << bit) : present & ~(1 << bit);
    }
}

/// <summary>
/// The account and service fields of consumption rows: the same for every row of one service in one response, so
/// those rows share one instance. Immutable: a row whose field is set gets a changed copy.
/// </summary>
internal sealed record NeuConsumptionSource(long? AccountId, string? AccountName, long? ServiceId, string? ServiceName, bool? IsBackup, string? Interval)
{
    public static readonly NeuConsumptionSource None = new(null, null, null, null, null, null);
}

/// <summary>One bill, with its platform payment flattened (platform_payments.date/method/payment_Value).</summary>
public sealed class NeuBill
{
    public long? BillId { get; set; }

    public long? ServiceId { get; set; }

    public long? AccountId { get; set; }

    public string? Account { get; set; }

    public string? Service { get; set; }

    /// <summary>NIU: the utility's meter/user identifier.</summary>
    public string? Niu { get; set; }

    public string? Contract { get; set; }

    public DateTime? Date { get; set; }

    public DateTime? ExpirationDate { get; set; }

    public DateTime? PaymentDate { get; set; }

    /// <summary>Billed consumption, kWh.</summary>
    public double? Consumption { get; set; }

    public decimal? PaymentValue { get; set; }

    public string? Description { get; set; }

    public string? State { get; set; }

    public DateTime? PlatformPaymentDate { get; set; }

    public string? PlatformPaymentMethod { get; set; }

    public decimal? PlatformPaymentValue { get; set; }

    public int ConceptCount { get; set; }

    /// <summary>Page of the bills result this row came from.</summary>
    public int Page { get; set; }
}

/// <summary>One line (concept) of a bill, with the bill it belongs to.</summary>
public sealed class NeuBillConcept
{
    public long? BillId { get; set; }

    public long? ServiceId { get; set; }

    public string? Concept { get; set; }

    public double? Quantity { get; set; }

    public decimal? UnitValue { get; set; }

    public decimal? Total { get; set; }

    /// <summary>ASIC (market administrator) code of the concept.</summary>
    public string? AsicCode { get; set; }
}

/// <summary>The timely-payment date of a bill.</summary>
public sealed class NeuBillDueDate
{
    public long? BillId { get; set; }

    public long? ServiceId { get; set; }

    public string? Service { get; set; }

    public DateTime? ExpirationDate { get; set; }

    public int Page { get; set; }
}

/// <summary>Days in arrears (mora) of a bill.</summary>
public sealed class NeuBillOverdue
{
    /// <summary>Payment reference of the bill (a string in the document).</summary>
    public string? BillId { get; set; }

    public DateTime? DueDate { get; set; }

    /// <summary>
    /// Days in arrears: a number in the document (<c>"days": number</c>), so a fraction is kept (12.5); a whole number
    /// still shows, and exports, as 12.
    /// </summary>
    public double? Days { get; set; }
}

/// <summary>A consumption notification.</summary>
public sealed class NeuNotification
{
    public DateTime? Date { get; set; }

    public string? Title { get; set; }

    public string? Text { get; set; }

    public bool? Read { get; set; }

    public int Page { get; set; }
}

/// <summary>A notification the user interacted with.</summary>
public sealed class NeuNotificationInteraction
{
    /// <summary>The user's name and surname.</summary>
    public string? Name { get; set; }

    public DateTime? InteractionDate { get; set; }

    public DateTime? Date { get; set; }

    public string? Title { get; set; }

    public string? Text { get; set; }

    public bool? Read { get; set; }

    public int Page { get; set; }
}

/// <summary>An active alarm rule configured on the platform.</summary>
public sealed class NeuRule
{
    /// <summary>id_alarm.</summary>
    public long? RuleId { get; set; }

    public string? Project { get; set; }

    public DateTime? CreationDate { get; set; }

    public string? PropertyName { get; set; }

    public string? RuleInterval { get; set; }

    public string? RuleName { get; set; }

    public double? LimitValue { get; set; }

    public bool? Monday { get; set; }

    public bool? Tuesday { get; set; }

    public bool? Wednesday { get; set; }

    public bool? Thursday { get; set; }

    public bool? Friday { get; set; }

    public bool? Saturday { get; set; }

    public bool? Sunday { get; set; }

    public bool? Active { get; set; }
}

/// <summary>One firing of a rule: the rule's fields plus the date and the value that met it.</summary>
public sealed class NeuRuleFiring
{
    public long? RuleId { get; set; }

    public string? Project { get; set; }

    public string? PropertyName { get; set; }

    public string? RuleInterval { get; set; }

    public string? RuleName { get; set; }

    public double? LimitValue { get; set; }

    public DateTime? Date { get; set; }

    public double? Value { get; set; }
}

/// <summary>A neuget transaction of an account.</summary>
public sealed class NeuNeuget
{
    public long? AccountId { get; set; }

    public DateTime? Date { get; set; }

    /// <summary>Number of neugets.</summary>
    public double? Value { get; set; }
}

/// <summary>Neugets an account used to pay a bill.</summary>
public sealed class NeuNeugetPayment
{
    public long? AccountId { get; set; }

    public long? BillId { get; set; }

    /// <summary>Payment date of the bill.</summary>
    public DateTime? Date { get; set; }

    /// <summary>Number of neugets used.</summary>
    public double? Value { get; set; }
}

/// <summary>Hourly consumption of a market frontier (DDV, by SIC code).</summary>
public sealed class NeuFrontierConsumption
{
    public string? SicCode { get; set; }

    public DateTime? Date { get; set; }

    /// <summary>cons: active energy, kWh.</summary>
    public double? Consumption { get; set; }

    /// <summary>As <see cref="NeuConsumption.UnreadableFields"/>.</summary>
    internal int UnreadableFields { get; set; }
}
