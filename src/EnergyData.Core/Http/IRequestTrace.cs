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

/// <summary>Warnings through a trace: a cmdlet's operation context shows them as warnings, any other trace as verbose lines.</summary>
public static class RequestTraceWarnings
{
    public static void Warn(this IRequestTrace? trace, string message)
    {
        if (trace is Pipeline.IOperationContext context)
        {
            context.Warning(message);
        }
        else
        {
            trace?.Verbose("WARNING: " + message);
        }
    }
}
