namespace EnergyData.Http;

/// <summary>Khipu's <c>Error.Type</c>: the service's own instruction on whether a failed call may be repeated.</summary>
public enum KhipuErrorType
{
    Unknown,
    RetryImmediately,
    DoNotRetry,
    Wait4HoursBeforeRetry,
    RetryAfterNotification,
}
