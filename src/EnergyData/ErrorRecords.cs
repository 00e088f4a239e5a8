using System;
using System.Management.Automation;
using EnergyData.Pipeline;

namespace EnergyData;

/// <summary>The one way an <see cref="OperationError"/> of the core becomes PowerShell's error record.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(OperationError error)
    {
        // Errors written directly, not through the pump, are masked here too.
        error = error.WithoutKnownSecrets();
        var category = Enum.TryParse<ErrorCategory>(error.Kind.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(error.Exception, error.ErrorId, category, error.Target);
        if (error.Message is not null || error.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(error.Message ?? error.Exception.Message) { RecommendedAction = error.RecommendedAction };
        }

        return record;
    }
}
