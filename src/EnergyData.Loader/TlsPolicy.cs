using System;
using System.Net;
using System.Runtime.InteropServices;

namespace EnergyData.Loading;

/// <summary>
/// Windows PowerShell 5.1 on an older .NET Framework configuration may offer only SSL 3 and TLS 1.0, which
/// the APIs refuse ("Could not create SSL/TLS secure channel"). TLS 1.2 is added at import; nothing the
/// session enabled is removed.
/// </summary>
internal static class TlsPolicy
{
    // SecurityProtocolType.SystemDefault (0, .NET Framework 4.7+) lets the OS choose, which already includes
    // TLS 1.2; OR-ing a flag into it would pin the list and drop TLS 1.3.
    private const SecurityProtocolType SystemDefault = 0;

    public static SecurityProtocolType WithTls12(SecurityProtocolType current) =>
        current == SystemDefault ? current : current | SecurityProtocolType.Tls12;

    /// <summary>On .NET Framework only: .NET Core ignores ServicePointManager for HttpClient and negotiates TLS 1.2+ itself.</summary>
    public static void EnableTls12OnNetFramework()
    {
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            ServicePointManager.SecurityProtocol = WithTls12(ServicePointManager.SecurityProtocol);
        }
    }
}
