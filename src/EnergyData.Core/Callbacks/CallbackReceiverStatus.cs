using System;

namespace EnergyData.Callbacks;

/// <summary>A receiver's addresses and counters at one moment (flat, for display and Export-Csv). Never the secret.</summary>
public sealed class CallbackReceiverStatus
{
    public string ListenPrefix { get; set; } = string.Empty;

    public Uri? PublicBaseUri { get; set; }

    /// <summary>The CallbackUrl with its secret segment replaced by ***.</summary>
    public string RedactedCallbackUrl { get; set; } = string.Empty;

    public string InboxPath { get; set; } = string.Empty;

    public bool IsListening { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Requests that reached the listener.</summary>
    public long Received { get; set; }

    /// <summary>Results stored in the inbox and answered 200.</summary>
    public long Accepted { get; set; }

    /// <summary>Results already in the inbox, answered 200 and not rewritten.</summary>
    public long Duplicates { get; set; }

    /// <summary>
    /// Accepted results with no pending record (submitted elsewhere, or by another receiver). A result that overtook
    /// Khipu's answer to a submission of this session is counted here only until that submission writes its record.
    /// </summary>
    public long Unsolicited { get; set; }

    /// <summary>Wrong or missing secret path segment (404).</summary>
    public long RejectedForged { get; set; }

    /// <summary>Not a POST (405).</summary>
    public long RejectedMethod { get; set; }

    /// <summary>Body over the size cap (413).</summary>
    public long RejectedTooLarge { get; set; }

    /// <summary>Not JSON, not an object, or no usable OperationId (400 or 415).</summary>
    public long RejectedMalformed { get; set; }

    /// <summary>Bodies that stalled for the read timeout (408).</summary>
    public long RejectedTimedOut { get; set; }

    /// <summary>The inbox could not be written (500: the sender will deliver again).</summary>
    public long Failed { get; set; }

    /// <summary>
    /// Deliveries a stop turned away, not stored (503, so the sender's delivery failed): bodies still arriving when the
    /// stop stopped waiting (Ctrl+C, or its wait ran out), and deliveries that arrived while it waited.
    /// </summary>
    public long Abandoned { get; set; }

    public long Rejected => RejectedForged + RejectedMethod + RejectedTooLarge + RejectedMalformed + RejectedTimedOut;
}
