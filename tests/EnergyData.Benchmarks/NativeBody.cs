using System;
using System.IO;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace EnergyData.Benchmarks;

/// <summary>
/// A response body held in native memory: the stream scenario's ceiling reads it between the measured runs, and a
/// managed array of that size (358 MB) would count in their peak_mb and sit in the collector's large object heap
/// while they run.
/// </summary>
internal sealed class NativeBody : IDisposable
{
    private unsafe byte* bytes;
    private long capacity;

    private NativeBody()
    {
    }

    public int Length { get; private set; }

    public unsafe ReadOnlySpan<byte> Span => new(bytes, Length);

    /// <summary>The body the stream scenario's request gets from the emulator, read once (outside every timing).</summary>
    public static async Task<NativeBody> FetchAsync(Emulator.EmulatorServer server, long rows)
    {
        var body = new NativeBody();
        try
        {
            using var http = new HttpClient { BaseAddress = server.NeuBaseUri, Timeout = TimeSpan.FromMinutes(5) };
            using var response = await StreamScenario.SendAsync(http, server, rows);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var chunk = new byte[1024 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk)) > 0)
            {
                body.Append(chunk.AsSpan(0, read));
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>A read-only stream over the bytes, valid while this body is not disposed.</summary>
    public unsafe Stream OpenRead() => new UnmanagedMemoryStream(bytes, Length);

    public unsafe void Dispose()
    {
        NativeMemory.Free(bytes);
        bytes = null;
        Length = 0;
        capacity = 0;
    }

    private unsafe void Append(ReadOnlySpan<byte> data)
    {
        if (Length + (long)data.Length > int.MaxValue)
        {
            throw new InvalidOperationException("The body is larger than a span can address.");
        }

        if (Length + data.Length > capacity)
        {
            capacity = Math.Min(int.MaxValue, Math.Max(capacity * 2, Length + (long)data.Length));
            bytes = (byte*)NativeMemory.Realloc(bytes, (nuint)capacity);
        }

        data.CopyTo(new Span<byte>(bytes + Length, data.Length));
        Length += data.Length;
    }
}
