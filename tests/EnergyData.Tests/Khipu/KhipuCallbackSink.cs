using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using EnergyData.Emulator;

namespace EnergyData.Tests.Khipu;

/// <summary>The emulator's own callback sink: a CallbackUrl the tests can point at and read back.</summary>
internal static class KhipuCallbackSink
{
    public static Uri Url(EmulatorServer server) => new(server.BaseUri, KhipuEndpoints.CallbackSinkPath);

    /// <summary>The delivered body with this OperationId; waits for the delivery (bounded, not a timing assertion).</summary>
    public static async Task<JsonElement> WaitForAsync(EmulatorServer server, string operationId)
    {
        for (var tries = 0; tries < 400; tries++)
        {
            foreach (var body in server.State.KhipuCallbackBodies)
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.GetProperty("OperationId").GetString() == operationId)
                {
                    return document.RootElement.Clone();
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"No callback for {operationId}; received: {string.Join(", ", server.State.KhipuCallbackBodies.Select(b => b.Length))}.");
    }
}
