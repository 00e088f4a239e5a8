using System;
using EnergyData.Validation;

namespace EnergyData.Http;

/// <summary>
/// Timeouts, retry, circuit breaker and buffering limits of <see cref="ResilienceHandler"/>. The handler copies
/// the options when it is built, so changing an instance afterwards does not affect a running client.
/// </summary>
public sealed class ResilienceOptions
{
    // The bounds below are the ones Polly.Core itself enforces, so Validate fails with an option name the user
    // knows instead of Polly's ValidationException about its own option types.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinCircuitDuration = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromMinutes(10);
    private TimeSpan? totalTimeout;

    /// <summary>
    /// The budget of one call, every attempt and wait included. Unless it is set, 10 minutes, or one attempt's
    /// <see cref="AttemptTimeout"/> when that is longer: Connect-EnergyData -TimeoutSec accepts up to an hour, and a
    /// user who allows one attempt an hour must not have it cut at 10 minutes (nor be refused).
    /// </summary>
    public TimeSpan TotalTimeout
    {
        get => totalTimeout ?? (AttemptTimeout > DefaultTotalTimeout ? AttemptTimeout : DefaultTotalTimeout);
        set => totalTimeout = value;
    }

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan BodyIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    public bool UseJitter { get; set; } = true;

    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    public long MaxErrorBodyBytes { get; set; } = 64 * 1024;

    public void Validate()
    {
        RequireRange(nameof(TotalTimeout), TotalTimeout, MinTimeout, MaxTimeout);
        RequireRange(nameof(AttemptTimeout), AttemptTimeout, MinTimeout, MaxTimeout);
        if (AttemptTimeout > TotalTimeout)
        {
            throw new ParameterValidationException(nameof(AttemptTimeout), "must not be longer than TotalTimeout", $"It is {AttemptTimeout}; TotalTimeout is {TotalTimeout}.");
        }

        RequireRange(nameof(BodyIdleTimeout), BodyIdleTimeout, MinTimeout, MaxTimeout);
        if (MaxRetryAttempts is < 0 or > 10)
        {
            throw new ParameterValidationException(nameof(MaxRetryAttempts), "must be between 0 and 10", $"It is {MaxRetryAttempts}.");
        }

        RequireRange(nameof(BaseDelay), BaseDelay, TimeSpan.Zero, MaxTimeout);
        RequireRange(nameof(MaxDelay), MaxDelay, TimeSpan.Zero, MaxTimeout);
        if (MaxDelay < BaseDelay)
        {
            throw new ParameterValidationException(nameof(MaxDelay), "must not be shorter than BaseDelay", $"It is {MaxDelay}; BaseDelay is {BaseDelay}.");
        }

        RequireRange(nameof(MaxRetryAfter), MaxRetryAfter, TimeSpan.Zero, MaxTimeout);
        if (double.IsNaN(CircuitBreakerFailureRatio) || CircuitBreakerFailureRatio <= 0 || CircuitBreakerFailureRatio > 1)
        {
            throw new ParameterValidationException(nameof(CircuitBreakerFailureRatio), "must be greater than 0 and at most 1", $"It is {CircuitBreakerFailureRatio}.");
        }

        if (CircuitBreakerMinimumThroughput < 2)
        {
            throw new ParameterValidationException(nameof(CircuitBreakerMinimumThroughput), "must be at least 2", $"It is {CircuitBreakerMinimumThroughput}.");
        }

        RequireRange(nameof(CircuitBreakerSamplingDuration), CircuitBreakerSamplingDuration, MinCircuitDuration, MaxTimeout);
        RequireRange(nameof(CircuitBreakerBreakDuration), CircuitBreakerBreakDuration, MinCircuitDuration, MaxTimeout);
        if (MaxErrorBodyBytes is < 0 or > 16 * 1024 * 1024)
        {
            throw new ParameterValidationException(nameof(MaxErrorBodyBytes), "must be between 0 and 16777216", $"It is {MaxErrorBodyBytes}.");
        }
    }

    public ResilienceOptions Clone() => (ResilienceOptions)MemberwiseClone();

    private static void RequireRange(string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw new ParameterValidationException(name, $"must be between {Describe(min)} and {Describe(max)}", $"It is {value}.");
        }
    }

    private static string Describe(TimeSpan value) =>
        value == TimeSpan.Zero ? "0" : TimeFormat.Duration(value);
}
