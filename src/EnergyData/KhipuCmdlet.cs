using System;
using System.Management.Automation;
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

    protected override PumpOptions PumpOptions => new() { ThrottleLimit = ThrottleLimit, Ordered = !Unordered.IsPresent };

    protected EnergyDataConnection ResolvedConnection { get; private set; } = null!;

    protected KhipuClient Khipu => client!;

    protected override void BeginProcessing()
    {
        try
        {
            ResolvedConnection = EnergyDataSession.Resolve(Connection);
            client = ResolvedConnection.GetKhipuClient();
        }
        catch (Exception exception) when (exception is NotConnectedException or ObjectDisposedException or Validation.ParameterValidationException)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "NotConnected", ErrorCategory.InvalidOperation, Connection)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "Run Connect-EnergyData first." },
            });
        }
    }

    /// <summary>The account credential for CEN and TGR: the parameter's, else the session's.</summary>
    protected KhipuAccountCredential? AccountCredentialOrDefault(PSCredential? credential) =>
        credential is null ? ResolvedConnection.GetKhipuAccountCredential() : KhipuAccountCredential.FromUserName(credential.UserName, credential.Password);
}
