namespace EnergyData.Pipeline;

/// <summary>
/// Where results and messages finally go. The cmdlet implements it with WriteObject, WriteError and friends;
/// the pump calls it only on the thread that calls <see cref="OperationPump.Submit"/>, <see cref="OperationPump.Drain"/>
/// and <see cref="OperationPump.Complete"/>, which for a cmdlet is the pipeline thread.
/// </summary>
public interface IPipelineSink
{
    void WriteObject(object item);

    void WriteError(OperationError failure);

    void WriteVerbose(string message);

    void WriteDebug(string message);

    void WriteWarning(string message);

    void WriteProgress(ProgressInfo progress);
}
