using Microsoft.AspNetCore.Routing;

namespace EnergyData.Emulator;

/// <summary>The Khipu Open Data services (filled in by the Khipu emulator change).</summary>
public static partial class KhipuEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state)
    {
        MapServices(routes, state);
    }

    static partial void MapServices(IEndpointRouteBuilder routes, EmulatorState state);
}
