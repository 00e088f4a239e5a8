using System;
using System.Management.Automation;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Connection;
using EnergyData.Khipu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>Base of the Khipu cmdlets: the connection, concurrency and the optional CallbackUrl.</summary>
public abstract class KhipuCmdlet : EnergyDataCmdlet
{
    private KhipuClient? client;

    /// <summary>A connection from Connect-EnergyData -PassThru; the session's when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public EnergyDataConnection? Connection { get; set; }

    /// <summary>Requests in flight at once when many inputs arrive (each is still one billed request).</summary>
    [Parameter]
    [ValidateRange(1, PumpOptions.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Emit results as they complete instead of in input order.</summary>
    [Parameter]
    public SwitchParameter Unordered { get; set; }

    /// <summary>
    /// Asynchronous mode through the session's callback receiver (Start-KhipuCallbackReceiver): emits
    /// KhipuOperation objects for Wait-KhipuOperation instead of results.
    /// </summary>
    [Parameter]
    public SwitchParameter Async { get; set; }

    /// <summary>The session receiver's CallbackUrl when -Async is given; null otherwise.</summary>
    protected Uri? AsyncCallbackUrl => receiver?.CallbackUrl;

    private CallbackReceiver? receiver;

    // The OperationIds this command's submissions were given: one given again is that input's error.
    private readonly SubmittedOperations submitted = new();

    protected override PumpOptions PumpOptions => new() { ThrottleLimit = ThrottleLimit, Ordered = !Unordered.IsPresent };

    protected EnergyDataConnection ResolvedConnection { get; private set; } = null!;

    protected KhipuClient Khipu => client!;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Async.IsPresent)
        {
            receiver = CallbackSession.Current;
            if (receiver is not { IsListening: true })
            {
                var error = new Validation.ParameterValidationException("Async", "needs a running callback receiver", "No receiver is running in this session.");
                ThrowTerminatingError(new ErrorRecord(error, "InvalidParameter", ErrorCategory.InvalidOperation, null)
                {
                    ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = "Run Start-KhipuCallbackReceiver first, or pass -CallbackUrl." },
                });
            }

            if (MyInvocation.BoundParameters.ContainsKey("CallbackUrl"))
            {
                var error = new Validation.ParameterValidationException("Async", "cannot be combined with -CallbackUrl", "-Async uses the session receiver's URL.");
                ThrowTerminatingError(new ErrorRecord(error, "InvalidParameter", ErrorCategory.InvalidArgument, null));
            }
        }

        try
        {
            ResolvedConnection = AcquireConnection(Connection);
            client = ResolvedConnection.GetKhipuClient();
        }
        catch (Validation.ParameterValidationException exception)
        {
            // A bad ENERGYDATA_* variable, met when the connection is made from the environment: a setting to correct,
            // named in the message, not a missing Connect-EnergyData.
            ThrowTerminatingError(new ErrorRecord(exception, "InvalidParameter", ErrorCategory.InvalidArgument, exception.ParamName));
        }
        catch (Exception exception) when (exception is NotConnectedException or ObjectDisposedException)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "NotConnected", ErrorCategory.InvalidOperation, Connection)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "Run Connect-EnergyData first." },
            });
        }
    }

    /// <summary>
    /// The CallbackUrl of this input (see <see cref="AsyncSubmission.ChooseCallbackUrl"/>): null for a synchronous call.
    /// False when the input is refused: its error is written and the other inputs go on.
    /// </summary>
    protected bool TryChooseCallbackUrl(Uri? inputCallbackUrl, object? target, out Uri? callbackUrl)
    {
        try
        {
            callbackUrl = AsyncSubmission.ChooseCallbackUrl(inputCallbackUrl, AsyncCallbackUrl);
            return true;
        }
        catch (Validation.ParameterValidationException exception)
        {
            WriteFailure(exception, target);
            callbackUrl = null;
            return false;
        }
    }

    /// <summary>
    /// Submits an asynchronous request; through the session receiver, also records it as pending in the inbox.
    /// <paramref name="detail"/> is kept for mapping the result later (TGR's -Detail).
    /// </summary>
    protected Task<KhipuOperation> SubmitOperationAsync(KhipuRequest request, string? inputIdentifier, IOperationContext context, string? detail = null) =>
        AsyncSubmission.SubmitAsync(Khipu, request, inputIdentifier, detail, receiver, submitted, context, context.CancellationToken);

    /// <summary>
    /// The account credential for CEN and TGR: the parameter's, else the session's ([PSCredential]::Empty, the usual
    /// "no credential" value, counts as none). False when the given one is unusable: that input's error is written
    /// and the other inputs go on.
    /// </summary>
    protected bool TryGetAccountCredential(PSCredential? credential, object? target, out KhipuAccountCredential? accountCredential)
    {
        try
        {
            accountCredential = credential is null || ReferenceEquals(credential, PSCredential.Empty)
                ? ResolvedConnection.GetKhipuAccountCredential()
                : KhipuAccountCredential.FromUserName(credential.UserName, credential.Password);
            return true;
        }
        catch (Validation.ParameterValidationException exception)
        {
            WriteFailure(exception, target);
            accountCredential = null;
            return false;
        }
    }
}
