namespace EnergyData.Pipeline;

/// <summary>
/// Error categories the core reports. The names match PowerShell's ErrorCategory members one to one,
/// so the cmdlet layer maps them by name without the core referencing PowerShell.
/// </summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidResult,
    InvalidOperation,
    AuthenticationError,
    PermissionDenied,
    ResourceUnavailable,
    OperationTimeout,
    ConnectionError,
    ObjectNotFound,
    LimitsExceeded,
    QuotaExceeded,
    OperationStopped,
    ProtocolError,
    WriteError,
}
