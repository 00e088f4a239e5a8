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

    /// <summary>
    /// <paramref name="value"/> without surrounding whitespace (a key read from a file with its newline, or pasted with
    /// spaces): itself when it has none, else a new read-only SecureString. As with the tokens, the plain text lives only
    /// for this call.
    /// </summary>
    public static SecureString Trimmed(this SecureString value)
    {
        var text = value.ToPlainText();
        var trimmed = text.Trim();
        return trimmed.Length == text.Length ? value : trimmed.ToSecureString();
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
