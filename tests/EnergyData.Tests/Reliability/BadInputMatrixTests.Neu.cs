using System.Collections.Generic;
using System.Linq;

namespace EnergyData.Tests.Reliability;

public sealed partial class BadInputMatrixTests
{
    // NEU parameters and settings join the matrix with the NEU client.
    private static IEnumerable<BadInput> NeuCases() => Enumerable.Empty<BadInput>();
}
