namespace EnergyData.Http;

/// <summary>
/// Where the HTTP layer reports what it does for one logical call. Implementations must be thread-safe:
/// attempts, retry callbacks and token refreshes run on thread-pool threads, never on the pipeline thread,
/// so a cmdlet-backed sink queues the lines for the pipeline thread to write.
/// </summary>
public interface IRequestTrace
{
    void Verbose(string message);

    void Debug(string message);
}
