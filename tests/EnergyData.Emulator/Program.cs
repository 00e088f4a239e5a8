using System;
using System.Threading;
using EnergyData.Emulator;

// The console emulator for Pester and manual runs: `dotnet run --project tests/EnergyData.Emulator -- --urls http://127.0.0.1:0`.
// It prints "listening on <uri>" once ready (the Pester helpers wait for that line) and runs until stdin closes or Ctrl+C.
var url = "http://127.0.0.1:0";
var options = new EmulatorOptions();
for (var index = 0; index < args.Length; index++)
{
    switch (args[index])
    {
        case "--urls" when index + 1 < args.Length:
            url = args[++index];
            break;
        case "--latency-ms" when index + 1 < args.Length:
            options.LatencyMilliseconds = int.Parse(args[++index], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--callback-delay-ms" when index + 1 < args.Length:
            options.CallbackDelayMilliseconds = int.Parse(args[++index], System.Globalization.CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown argument: {args[index]}");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
await using var server = await EmulatorServer.StartAsync(options, url, stop.Token);
Console.WriteLine($"listening on {server.BaseUri}");
Console.Out.Flush();
try
{
    await System.Threading.Tasks.Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
