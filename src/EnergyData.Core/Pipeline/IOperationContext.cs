using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;

namespace EnergyData.Pipeline;

/// <summary>
/// What background work may use to report, from any thread. Objects and errors keep their input's order
/// when the pump is ordered; messages (verbose, debug, warning, progress) are shown as they happen.
/// </summary>
public interface IOperationContext : IRequestTrace
{
    /// <summary>Cancelled by Ctrl+C, by a downstream command that has had enough, or by a terminating error.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The input this operation works for; errors without an explicit target use it.</summary>
    object? Target { get; }

    /// <summary>Emits one result. Waits when the caller has not yet taken earlier results (backpressure).</summary>
    ValueTask WriteObjectAsync(object item);

    /// <summary>Emits a non-terminating error for this operation's input (or a terminating one).</summary>
    void WriteError(OperationError failure);

    void Warning(string message);

    /// <summary>
    /// True the first time any operation of this command asks for <paramref name="topic"/>: a warning that would repeat
    /// for every row or input (a field in a form the module does not read) is shown once, the rest at Verbose.
    /// </summary>
    bool ClaimWarning(string topic);

    void Progress(ProgressInfo progress);
}
