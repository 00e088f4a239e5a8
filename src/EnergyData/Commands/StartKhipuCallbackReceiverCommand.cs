using System;
using System.Management.Automation;
using System.Net;
using System.Threading;
using EnergyData.Callbacks;
using EnergyData.Errors;

namespace EnergyData.Commands;

/// <summary>
/// Start-KhipuCallbackReceiver: listens for Khipu's asynchronous results and stores each in a durable inbox;
/// -Async on the Khipu cmdlets then uses its CallbackUrl.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "KhipuCallbackReceiver", SupportsShouldProcess = true)]
[OutputType(typeof(CallbackReceiverStatus))]
public sealed class StartKhipuCallbackReceiverCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>The HttpListener prefix; default loopback on a free port.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Prefix { get; set; }

    /// <summary>What Khipu calls: the public address of a tunnel or reverse proxy that forwards to the prefix.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? PublicBaseUri { get; set; }

    /// <summary>The inbox folder; default a per-user data folder (see the help).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InboxPath { get; set; }

    /// <summary>Largest accepted body, in bytes.</summary>
    [Parameter]
    [ValidateRange(CallbackReceiverOptions.SmallestMaxBodyBytes, CallbackReceiverOptions.LargestMaxBodyBytes)]
    public int MaxBodySize { get; set; } = CallbackReceiverOptions.DefaultMaxBodyBytes;

    /// <summary>The longest pause, in seconds, while a body arrives: a sender that stalls that long gets 408.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int ReadTimeoutSeconds { get; set; } = 10;

    public void Dispose() => stopping.Dispose();

    protected override void BeginProcessing() => CallbackReceiverCleanup.WarnIfStoppedByModuleRemoval(this);

    protected override void EndProcessing()
    {
        var options = new CallbackReceiverOptions
        {
            PublicBaseUri = PublicBaseUri,
            InboxPath = InboxPath is null ? CallbackSession.DefaultInboxPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(InboxPath),
            MaxBodyBytes = MaxBodySize,
            ReadTimeout = TimeSpan.FromSeconds(ReadTimeoutSeconds),
        };
        if (Prefix is not null)
        {
            options.Prefix = Prefix;
        }

        // It opens a listening port and may replace (and close) a receiver that stopped listening: -WhatIf shows that.
        if (!ShouldProcess(Prefix ?? "a free loopback port", "Start the Khipu callback receiver"))
        {
            return;
        }

        CallbackReceiver receiver;
        try
        {
            // A receiver that stopped listening is replaced and closed; Ctrl+C ends its wait for deliveries at once.
            receiver = CallbackSession.Start(options, stopping.Token);
        }
        catch (HttpListenerException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "ListenerFailed", ErrorCategory.ResourceUnavailable, options.Prefix)
            {
                ErrorDetails = new ErrorDetails($"Cannot listen on {options.Prefix}: {exception.Message}")
                {
                    RecommendedAction = "Choose a free port. On Windows, a prefix other than http://localhost:<port>/ needs a URL ACL: netsh http add urlacl url=<prefix> user=<you>.",
                },
            });
            return;
        }
        catch (InvalidOperationException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "ReceiverRunning", ErrorCategory.ResourceExists, CallbackSession.Current?.ListenPrefix));
            return;
        }
        catch (Exception exception) when (exception is Validation.ParameterValidationException or System.IO.IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.From(ErrorMapper.FromException(exception, options.InboxPath)));
            return;
        }

        WriteVerbose($"Listening on {receiver.ListenPrefix}; results go to {receiver.Inbox.Root}; Khipu calls {receiver.RedactedCallbackUrl} (*** is the secret segment).");
        WriteObject(receiver.GetStatus());
    }

    protected override void StopProcessing()
    {
        // Ctrl+C, on another thread: only signal (it ends the wait for a replaced receiver's deliveries).
        try
        {
            stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command has already ended.
        }
    }
}
