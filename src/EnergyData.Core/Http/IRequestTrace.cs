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

    /// <summary>
    /// A warning that could come once per row or per input (<paramref name="topic"/> names what it is about, such as a
    /// field): the first of a command is a warning that says the rest follow at Verbose, so a bulk run of thousands of
    /// rows shows one warning rather than thousands, and -Verbose still shows every one.
    /// </summary>
    public static void WarnOnce(this IRequestTrace? trace, string topic, string message)
    {
        if (trace is Pipeline.IOperationContext context && context.ClaimWarning(topic))
        {
            context.Warning(message + " Later ones like it in this command are shown with -Verbose.");
        }
        else
        {
            trace?.Verbose("WARNING: " + message);
        }
    }
}
