using System;
using System.Runtime.InteropServices;
using System.Security;

namespace EnergyData.Auth;

public static class SecureStringExtensions
{
    /// <summary>
    /// The plain text of a SecureString. The unmanaged copy is zeroed at once; the returned string cannot be,
    /// so callers convert just before use and drop the reference right after.
    /// </summary>
    public static string ToPlainText(this SecureString value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>A read-only SecureString copy of <paramref name="value"/>.</summary>
    public static SecureString ToSecureString(this string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        var secure = new SecureString();
        foreach (var c in value)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
