using Microsoft.AspNetCore.Routing;

namespace EnergyData.Emulator;

/// <summary>The NEU API under neu/ (filled in by the NEU change).</summary>
public static partial class NeuEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state)
    {
        MapServices(routes, state);
    }

    static partial void MapServices(IEndpointRouteBuilder routes, EmulatorState state);
}
