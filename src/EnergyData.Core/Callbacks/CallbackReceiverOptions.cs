using System;
using System.Runtime.InteropServices;

namespace EnergyData.Callbacks;

/// <summary>Where and how a <see cref="CallbackReceiver"/> listens.</summary>
public sealed class CallbackReceiverOptions
{
    /// <summary>
    /// A delivered result is the synchronous answer sent later (an Enel bill document as base64, a CEN page of many
    /// rows), and the documents describe no redelivery, so a refused body is a lost result: the receiver accepts
    /// as much as the synchronous path reads.
    /// </summary>
    public const int DefaultMaxBodyBytes = (int)Khipu.KhipuClientOptions.DefaultMaxResponseBytes;

    /// <summary>The smallest body limit -MaxBodySize accepts.</summary>
    public const int SmallestMaxBodyBytes = 1024;

    /// <summary>The largest body limit -MaxBodySize accepts: the default, which is what the synchronous path reads.</summary>
    public const int LargestMaxBodyBytes = DefaultMaxBodyBytes;

    /// <summary>
    /// The HttpListener prefix, for example <c>http://127.0.0.1:8080/</c>; port 0 picks a free port. Default:
    /// loopback on a free port (<c>localhost</c> on Windows, where http.sys lets a non-administrator listen on
    /// it without a URL ACL; <c>127.0.0.1</c> elsewhere, so the managed listener never binds to every interface).
    /// </summary>
    public string Prefix { get; set; } = DefaultPrefix(0);

    /// <summary>The address Khipu calls (a tunnel or reverse proxy in front of the listener); the prefix when omitted.</summary>
    public Uri? PublicBaseUri { get; set; }

    public string InboxPath { get; set; } = CallbackSession.DefaultInboxPath;

    /// <summary>Bodies larger than this are refused with 413; the body is held in memory until it is stored.</summary>
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>A request whose body stops arriving for this long gets 408 (a stalled sender); a slow one that keeps sending does not.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests handled at once; further connections wait in the listener's queue.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    public static string DefaultPrefix(int port) =>
        string.Format(
            System.Globalization.CultureInfo.InvariantCulture,
            "http://{0}:{1}/",
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "localhost" : "127.0.0.1",
            port);
}
