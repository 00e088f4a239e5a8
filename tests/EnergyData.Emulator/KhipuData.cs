using System;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EnergyData.Emulator;

/// <summary>What a Khipu service produced: Data, or Status ERROR with Khipu's Error fields.</summary>
internal sealed record KhipuResult(JsonNode? Data, string? ErrorCode = null, string? ErrorType = null, string? ErrorDescription = null, string? AdditionalInformation = null)
{
    public bool IsError => ErrorCode is not null;

    public static KhipuResult Error(string code, string type, string description) => new(null, code, type, description);
}

/// <summary>
/// Deterministic data: every value is derived from the request (a stable hash of the identifier, the row index),
/// so the same request always gives the same answer and tests can predict it. The documents' example
/// identifiers give the documents' example values.
/// </summary>
internal static class KhipuData
{
    /// <summary>The example identifier of the Enel documents and the example RUT of the CEN document.</summary>
    public const string EnelExampleIdentifier = "1234567-8";
    public const string EnelExampleResponseIdentifier = "12345-6";
    public const string CenExampleRut = "76999999";
    public const int CenExampleTotal = 4575;

    /// <summary>A TGR account user name that has no expired agreements; a password that the site rejects.</summary>
    public const string TgrAccountWithoutAgreements = "sin-convenios";
    public const string TgrRejectedPassword = "wrong-password";

    private static readonly string[] Streets = ["AGUSTINAS", "MONJITAS", "HUERFANOS", "BANDERA", "MERCED", "LIRA", "PROVIDENCIA", "IRARRAZAVAL"];
    private static readonly string[] Communes = ["SANTIAGO", "PROVIDENCIA", "NUNOA", "MAIPU", "LAS CONDES", "PUENTE ALTO"];
    private static readonly string[] Companies = ["GENERADORA ANDES SPA", "TRANSMISORA SUR S.A.", "SOLAR NORTE LTDA", "EOLICA AUSTRAL SPA", "HIDRO CORDILLERA S.A."];
    private static readonly string[] CenStates = ["Abierta", "En revision", "Cerrada", "Rechazada"];
    private static readonly string[] Concepts = ["Energia", "Potencia", "Servicios complementarios", "Peajes"];
    private static readonly string[] TgrNames = ["KHIPU SPA", "COMERCIAL LOS ANDES LTDA", "MARIA GONZALEZ", "INVERSIONES PACIFICO SPA"];
    private static readonly string[] TgrStages = ["CONVENIO ACTIVO", "CONVENIO CADUCADO", "CONVENIO VENCIDO"];

    /// <summary>FNV-1a: stable across processes and runs, unlike string.GetHashCode.</summary>
    public static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    /// <summary>
    /// The Enel rules shared by both services, by the number before the check digit:
    /// starting 555 is an unknown client (E301 DO_NOT_RETRY); 9990 the site is down (E201 RETRY_IMMEDIATELY);
    /// 9991 the site asks to wait (E202 WAIT_4_HOURS_BEFORE_RETRY); 9992 the account needs the user (E103 RETRY_AFTER_NOTIFICATION).
    /// </summary>
    public static KhipuResult? EnelError(string clientIdentifier)
    {
        var number = clientIdentifier.Split('-')[0];
        if (number.StartsWith("555", StringComparison.Ordinal))
        {
            return KhipuResult.Error("E301", "DO_NOT_RETRY", "No se encontro informacion para el identificador de cliente.");
        }

        if (number.StartsWith("9990", StringComparison.Ordinal))
        {
            return KhipuResult.Error("E201", "RETRY_IMMEDIATELY", "El servicio destino utilizado para la extraccion de datos no se encuentra disponible.");
        }

        if (number.StartsWith("9991", StringComparison.Ordinal))
        {
            return KhipuResult.Error("E202", "WAIT_4_HOURS_BEFORE_RETRY", "El servicio destino limito las consultas; reintente en 4 horas.");
        }

        if (number.StartsWith("9992", StringComparison.Ordinal))
        {
            return KhipuResult.Error("E103", "RETRY_AFTER_NOTIFICATION", "La cuenta requiere una accion del usuario en el sitio.");
        }

        return null;
    }

    /// <summary>
    /// Data.DebtStatus. The example identifier gives the document's example; a number ending in 0 has no debt
    /// (amounts 0, no due dates); any other gets amounts and dates from its hash.
    /// </summary>
    public static JsonObject DebtStatus(string clientIdentifier)
    {
        if (clientIdentifier is EnelExampleIdentifier or EnelExampleResponseIdentifier)
        {
            return new JsonObject
            {
                ["DebtStatus"] = new JsonObject
                {
                    ["Address"] = "AGUSTINAS 1234, SANTIAGO",
                    ["ClientIdentifier"] = EnelExampleResponseIdentifier,
                    ["Debt"] = new JsonObject { ["Currency"] = "CLP", ["DueDate"] = "2017-07-22", ["TotalAmount"] = 10000 },
                    ["LastPayment"] = new JsonObject { ["Amount"] = 10000, ["Currency"] = "CLP" },
                    ["PreviousDebt"] = new JsonObject { ["Amount"] = 10000, ["Currency"] = "CLP", ["DueDate"] = "2017-07-22" },
                },
            };
        }

        var hash = Hash(clientIdentifier);
        var noDebt = clientIdentifier.Split('-')[0].EndsWith('0');
        var due = new DateTime(2026, 1, 1).AddDays(hash % 365);
        var debt = noDebt ? 0 : 1000 + (int)(hash % 99000 / 10 * 10);
        var previous = noDebt ? 0 : (int)(hash / 7 % 50000 / 10 * 10);
        return new JsonObject
        {
            ["DebtStatus"] = new JsonObject
            {
                ["Address"] = Address(hash),
                ["ClientIdentifier"] = clientIdentifier,
                ["Debt"] = new JsonObject { ["Currency"] = "CLP", ["DueDate"] = noDebt ? null : IsoDate(due), ["TotalAmount"] = debt },
                ["LastPayment"] = new JsonObject { ["Amount"] = 5000 + (int)(hash / 13 % 40000 / 10 * 10), ["Currency"] = "CLP" },
                ["PreviousDebt"] = new JsonObject { ["Amount"] = previous, ["Currency"] = "CLP", ["DueDate"] = noDebt || previous == 0 ? null : IsoDate(due.AddMonths(-1)) },
            },
        };
    }

    /// <summary>Data.Bill: the document is a small PDF naming the client, base64-encoded.</summary>
    public static JsonObject BillDocument(string clientIdentifier)
    {
        var responseIdentifier = clientIdentifier == EnelExampleIdentifier ? EnelExampleResponseIdentifier : clientIdentifier;
        return new JsonObject
        {
            ["Bill"] = new JsonObject
            {
                ["ClientIdentifier"] = responseIdentifier,
                ["Document"] = Convert.ToBase64String(Pdf($"Boleta Enel cliente {clientIdentifier} {Address(Hash(clientIdentifier))}")),
            },
        };
    }

    /// <summary>TotalDisconformidades for a RUT: the document's example RUT gives its 4575; a RUT ending in 000 gives none.</summary>
    public static int CenTotal(string rut) =>
        rut == CenExampleRut ? CenExampleTotal
        : rut.EndsWith("000", StringComparison.Ordinal) ? 0
        : 1 + (int)(Hash(rut) % 1200);

    /// <summary>
    /// Data.NonconformitiesList for page <paramref name="page"/> (zero-based) of <paramref name="pageSize"/> rows.
    /// The item's fields are not public; these are plausible ones, stable per (RUT, position), with a nested object.
    /// With <paramref name="varyingFields"/>, rows differ as <see cref="KhipuEmulatorOptions.CenVaryingFields"/> says.
    /// </summary>
    public static JsonObject Nonconformities(string rut, DateTime from, DateTime to, int pageSize, int page, int total, bool varyingFields = false)
    {
        var items = new JsonArray();
        var first = (long)page * pageSize;
        var span = Math.Max(1, (int)(to - from).TotalDays + 1);
        for (var index = first; index < Math.Min(total, first + pageSize); index++)
        {
            var hash = Hash(rut + "/" + index.ToString(CultureInfo.InvariantCulture));
            var created = from.AddDays(hash % span);
            var item = new JsonObject
            {
                ["IdDisconformidad"] = 100000 + index,
                ["NumeroCaso"] = string.Format(CultureInfo.InvariantCulture, "CEN-{0:yyyy}-{1:D6}", created, index + 1),
                ["FechaCreacion"] = created.ToString("MM'/'dd'/'yyyy", CultureInfo.InvariantCulture),
                ["RutDeudor"] = rut,
                ["Acreedor"] = varyingFields && index % 3 == 0 ? null : new JsonObject
                {
                    ["Rut"] = (76000000 + (hash % 999999)).ToString(CultureInfo.InvariantCulture),
                    ["RazonSocial"] = Companies[hash % Companies.Length],
                },
                ["Estado"] = CenStates[(hash >> 8) % CenStates.Length],
            };
            if (varyingFields && index % 2 == 1)
            {
                item["FechaCierre"] = created.AddDays(1 + (hash % 60)).ToString("MM'/'dd'/'yyyy", CultureInfo.InvariantCulture);
            }

            item["Concepto"] = Concepts[(hash >> 16) % Concepts.Length];
            item["Monto"] = 10000 + (long)(hash % 5000000);
            item["Moneda"] = "CLP";
            if (varyingFields && index % 5 == 4)
            {
                item["Observaciones"] = "Revisar con el acreedor";
            }

            items.Add(item);
        }

        return new JsonObject
        {
            ["NonconformitiesList"] = new JsonObject
            {
                ["TotalDisconformidades"] = total,
                ["Disconformidades"] = items,
            },
        };
    }

    /// <summary>
    /// Data.Resolutions for a TGR account (identified by its credential or token subject): one to three resolutions,
    /// each with one or two debts and three to ten instalments, shaped as the v2 document.
    /// </summary>
    public static JsonObject ExpiredAgreements(string account)
    {
        var resolutions = new JsonArray();
        var accountHash = Hash(account);
        var count = account == TgrAccountWithoutAgreements ? 0 : 1 + (int)(accountHash % 3);
        var debtorIdentifier = FormatRut(10000000 + (accountHash % 15000000));
        var debtorName = TgrNames[accountHash % TgrNames.Length];
        for (var r = 0; r < count; r++)
        {
            var hash = Hash(account + "/resolution/" + r.ToString(CultureInfo.InvariantCulture));
            var resolutionDate = new DateTime(2019, 1, 1).AddDays(hash % 1800);
            var paymentType = r % 2 == 0 ? "CONVENIO CON CONDONACION" : "CONVENIO SIN CONDONACION";
            var debts = new JsonArray();
            var debtCount = 1 + (int)(hash >> 4) % 2;
            long debtTotal = 0;
            for (var d = 0; d < debtCount; d++)
            {
                var amount = 20000 + (long)((hash >> (d + 3)) % 900000);
                debtTotal += amount;
                debts.Add(new JsonObject
                {
                    ["Amount"] = Money(amount),
                    ["ExpireDate"] = IsoDate(resolutionDate.AddMonths(-6 - d)),
                    ["FineWaiverGained"] = r % 2 == 0 ? 50 : 0,
                    ["Form"] = 21 + d,
                    ["Identifier"] = 1000 + (long)(hash % 9000) + d,
                    ["InterestWaiverGained"] = r % 2 == 0 ? 50 : 0,
                    ["Invoice"] = 100 + (long)((hash >> 2) % 900) + d,
                });
            }

            var instalmentCount = 3 + (int)((hash >> 6) % 8);
            var paid = (int)((hash >> 9) % (uint)(instalmentCount + 1));
            var instalmentAmount = debtTotal / instalmentCount;
            var instalments = new JsonArray();
            for (var i = 1; i <= instalmentCount; i++)
            {
                instalments.Add(new JsonObject
                {
                    ["Amount"] = Money(instalmentAmount),
                    ["ExpireDate"] = IsoDate(resolutionDate.AddMonths(i)),
                    ["Number"] = i,
                    ["Status"] = i <= paid ? "Paid" : "Unpaid",
                });
            }

            resolutions.Add(new JsonObject
            {
                ["Debts"] = debts,
                ["ExpirationCode"] = 8,
                ["Instalments"] = instalments,
                ["NetBalance"] = new JsonObject { ["Amount"] = instalmentAmount * (instalmentCount - paid) },
                ["NumberOfDebts"] = debtCount,
                ["NumberOfInstalments"] = instalmentCount,
                ["PaymentType"] = paymentType,
                ["ResolutionDate"] = IsoDate(resolutionDate),
                ["ResolutionDetails"] = new JsonObject
                {
                    ["DealType"] = "Ley 20.780",
                    ["Debtor"] = new JsonObject { ["Identifier"] = debtorIdentifier, ["Name"] = debtorName },
                    ["ExpiredInstalments"] = instalmentCount - paid,
                    ["InitialAmount"] = Money(debtTotal),
                    ["InstalmentCashAmount"] = Money(instalmentAmount),
                    ["PaidInstalments"] = paid,
                    ["PaymentType"] = paymentType,
                    ["PendingInstalments"] = 0,
                    ["SetInstalmentAmount"] = Money(instalmentAmount),
                    ["Stage"] = TgrStages[r % TgrStages.Length],
                },
                ["ResolutionId"] = 1000 + (long)(hash % 900000),
            });
        }

        return new JsonObject { ["Resolutions"] = resolutions };
    }

    private static JsonObject Money(long amount) => new() { ["Amount"] = amount, ["Currency"] = "CLP" };

    private static string Address(uint hash) =>
        string.Format(CultureInfo.InvariantCulture, "{0} {1}, {2}", Streets[hash % Streets.Length], 100 + (hash % 9000), Communes[(hash >> 8) % Communes.Length]);

    private static string IsoDate(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string FormatRut(long number)
    {
        var text = number.ToString("N0", CultureInfo.InvariantCulture).Replace(',', '.');
        return text + "-" + CheckDigit(number);
    }

    private static char CheckDigit(long number)
    {
        var sum = 0L;
        var factor = 2;
        for (var rest = number; rest > 0; rest /= 10)
        {
            sum += rest % 10 * factor;
            factor = factor == 7 ? 2 : factor + 1;
        }

        var digit = 11 - (sum % 11);
        return digit switch
        {
            11 => '0',
            10 => 'K',
            _ => (char)('0' + digit),
        };
    }

    /// <summary>A minimal one-page PDF carrying <paramref name="text"/>, so a client can recognise and save it.</summary>
    private static byte[] Pdf(string text)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({text}) Tj ET";
        var body = new StringBuilder();
        body.Append("%PDF-1.4\n");
        body.Append("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
        body.Append("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
        body.Append("3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n");
        body.Append(CultureInfo.InvariantCulture, $"4 0 obj << /Length {content.Length} >> stream\n{content}\nendstream endobj\n");
        body.Append("trailer << /Root 1 0 R >>\n%%EOF\n");
        return Encoding.ASCII.GetBytes(body.ToString());
    }
}
