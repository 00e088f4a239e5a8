using System;
using System.Text;

namespace EnergyData.Emulator;

/// <summary>Unsigned JWTs shaped like the real ones (header.payload.signature, base64url), with an <c>exp</c> claim.</summary>
public static class EmulatorTokens
{
    public static string CreateJwt(string subject, DateTimeOffset expires)
    {
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        var payload = Base64Url($"{{\"sub\":\"{subject}\",\"exp\":{expires.ToUnixTimeSeconds()}}}");
        var signature = Base64Url(Guid.NewGuid().ToString("N"));
        return $"{header}.{payload}.{signature}";
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
