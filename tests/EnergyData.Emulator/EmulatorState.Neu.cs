using System;
using System.Threading.Tasks;

namespace EnergyData.Emulator;

/// <summary>NEU switches and what the last NEU request carried, for tests to set and check.</summary>
public sealed class NeuEmulatorState
{
    private volatile string? lastBody;
    private volatile string? lastPath;

    /// <summary>When positive, data/consumption answers with this many rows for one account, generated as they are written.</summary>
    public long LargeConsumptionRows { get; set; }

    /// <summary>
    /// When set, the consumption response stops after <see cref="GateAfterRows"/> rows (flushed to the client) and
    /// waits for this task before writing the rest: a test can prove rows arrive before the body ends.
    /// </summary>
    public TaskCompletionSource<bool>? ConsumptionGate { get; set; }

    public int GateAfterRows { get; set; } = 10;

    /// <summary>
    /// Writes the keys of each consumption and frontier group in ordinal order, as a server that sorts keys does
    /// (Flask's jsonify, Go maps, Python's sort_keys): account_name, data, id_account; data, sic_code. The rows keep
    /// the document's order of fields.
    /// </summary>
    public bool SortedGroupKeys { get; set; }

    /// <summary>
    /// When set, bills/ answers every request with page 1, whatever its Page field says: the document marks Page
    /// optional and gives the bills answer no paging fields, so a server may well ignore it.
    /// </summary>
    public bool BillsIgnorePage { get; set; }

    /// <summary>
    /// When set, notifications, interactions and bill due dates carry <c>total</c> as their only paging field, without
    /// <c>nextPage</c> and <c>maxPage</c>: the document lists the three, and a server may send only the count.
    /// </summary>
    public bool PagingTotalOnly { get; set; }

    /// <summary>
    /// When set, a paid bill's <c>platform_payments</c> is a list of two payments (PSE, then Nequi) instead of the
    /// document's one object: a bill paid in parts.
    /// </summary>
    public bool PlatformPaymentsAsList { get; set; }

    /// <summary>
    /// When set, notification interactions carry the user's <c>name</c> once, beside <c>nextPage</c> and <c>data</c>,
    /// instead of in each row: the document lists name among the fields but leaves it out of its example.
    /// </summary>
    public bool InteractionNameAtTop { get; set; }

    /// <summary>
    /// When set, the routes that take an id answer as if none was given: accounts/{id}/ with every account,
    /// services/{id}/ with every service, neugets/{id}/ and neugets/bills/{id}/ with the rows of every account. A server
    /// that reads the id from elsewhere than where it is sent answers that way.
    /// </summary>
    public bool IdRoutesIgnoreId { get; set; }

    private long rowsWritten;

    /// <summary>Rows of the consumption response written so far (large mode).</summary>
    public long RowsWritten => System.Threading.Interlocked.Read(ref rowsWritten);

    /// <summary>The JSON body of the last NEU request (null for GET).</summary>
    public string? LastBody
    {
        get => lastBody;
        internal set => lastBody = value;
    }

    internal void CountRows(long rows) => System.Threading.Interlocked.Add(ref rowsWritten, rows);

    /// <summary>Path and query of the last NEU request.</summary>
    public string? LastPath
    {
        get => lastPath;
        internal set => lastPath = value;
    }
}

public sealed partial class EmulatorState
{
    public NeuEmulatorState Neu { get; private set; } = new();

    /// <summary>Makes the accepted NEU token one that expired an hour ago and returns it: NEU answers 401 to it.</summary>
    public string UseExpiredNeuToken()
    {
        Options.NeuToken = EmulatorTokens.CreateJwt("neu-emulator-expired", DateTimeOffset.UtcNow.AddHours(-1));
        return Options.NeuToken;
    }

    /// <summary>Makes the accepted NEU token one that expires in <paramref name="lifetime"/> and returns it.</summary>
    public string UseNeuTokenExpiringIn(TimeSpan lifetime)
    {
        Options.NeuToken = EmulatorTokens.CreateJwt("neu-emulator", DateTimeOffset.UtcNow + lifetime);
        return Options.NeuToken;
    }

    partial void ResetNeu()
    {
        Neu.ConsumptionGate?.TrySetResult(true);
        Neu = new NeuEmulatorState();
    }
}
