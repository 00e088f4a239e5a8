using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using EnergyData.Auth;

namespace EnergyData.Diagnostics;

/// <summary>
/// Hides the session's own secrets by value wherever a server's text is shown: in error messages, warnings, verbose
/// and debug lines. <see cref="Redaction"/> masks values by the name of their field or header, but a server that
/// answers "invalid token eyJ..." or echoes the Authorization header under another name put the token in
/// <c>$_.Exception.Message</c>, in -Debug output and in every transcript and CSV of failures built from them.
/// </summary>
/// <remarks>
/// No plain secret is kept: each registered secret is remembered as a keyed hash (HMAC-SHA256 under a key drawn for this
/// process) and its length; a text is searched by hashing each of its stretches of those lengths that start and end on a
/// word boundary. A secret is remembered in the forms a server may echo it in besides its own: JSON-escaped (a password
/// with 'ñ' or '+' comes back as <c>\u00f1</c> or <c>\u002B</c> from Python's or .NET's serializer) and URL-escaped. A keyed 16-bit code of a secret's first four characters lets almost every position be passed over
/// without hashing (a -Debug body of 16 KiB is searched on every request); 16 bits under a random key say next to
/// nothing about those characters. Secrets shorter than <see cref="MinimumLength"/> are not registered: masking every
/// "1234" in a message would hide more than it protects.
/// </remarks>
public static class KnownSecrets
{
    /// <summary>Shorter secrets are not looked for.</summary>
    public const int MinimumLength = 6;

    private const int PrefixLength = 4;

    private static readonly byte[] HashKey = NewHashKey();
    private static readonly uint PrefixSeed = BitConverter.ToUInt32(NewHashKey(), 0);
    private static readonly bool[] Prefixes = new bool[ushort.MaxValue + 1];
    private static readonly ConcurrentDictionary<string, bool> Digests = new(StringComparer.Ordinal);
    private static readonly object RegisterGate = new();
    private static readonly Regex UnicodeEscape = new(@"\\u[0-9A-F]{4}", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The registered lengths, longest first (so a secret that holds a shorter one is masked whole); replaced, never changed.</summary>
    private static volatile int[] lengthsLongestFirst = [];

    /// <summary>Remembers a secret the session sends (a token, an API key, a client secret, an account password).</summary>
    public static void Register(string? secret)
    {
        if (secret is null || secret.Length < MinimumLength)
        {
            return;
        }

        using var hash = new HMACSHA256(HashKey);
        foreach (var form in EchoedForms(secret))
        {
            if (form.Length < MinimumLength || !Digests.TryAdd(Digest(hash, form, 0, form.Length, clear: true), true))
            {
                continue;
            }

            // The prefix before the length: a search that sees the length must also see the prefix.
            Volatile.Write(ref Prefixes[PrefixCode(form, 0)], true);
            lock (RegisterGate)
            {
                if (Array.IndexOf(lengthsLongestFirst, form.Length) < 0)
                {
                    lengthsLongestFirst = lengthsLongestFirst.Concat([form.Length]).OrderByDescending(length => length).ToArray();
                }
            }
        }
    }

    /// <inheritdoc cref="Register(string)"/>
    public static void Register(SecureString? secret)
    {
        if (secret is not null && secret.Length >= MinimumLength)
        {
            Register(secret.ToPlainText());
        }
    }

    /// <summary>The text with every occurrence of a registered secret replaced by <see cref="Redaction.Mask"/>.</summary>
    public static string Redact(string text)
    {
        var lengths = lengthsLongestFirst;
        if (string.IsNullOrEmpty(text) || lengths.Length == 0)
        {
            return text;
        }

        HMACSHA256? hash = null;
        StringBuilder? redacted = null;
        var copied = 0;
        try
        {
            for (var start = 0; start + MinimumLength <= text.Length; start++)
            {
                if (SplitsWord(text, start) || !Volatile.Read(ref Prefixes[PrefixCode(text, start)]))
                {
                    continue;
                }

                foreach (var length in lengths)
                {
                    var end = start + length;
                    if (end > text.Length || SplitsWord(text, end))
                    {
                        continue;
                    }

                    hash ??= new HMACSHA256(HashKey);
                    if (!Digests.ContainsKey(Digest(hash, text, start, length, clear: false)))
                    {
                        continue;
                    }

                    redacted ??= new StringBuilder(text.Length);
                    redacted.Append(text, copied, start - copied).Append(Redaction.Mask);
                    copied = end;
                    start = end - 1;
                    break;
                }
            }
        }
        finally
        {
            hash?.Dispose();
        }

        return redacted is null ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The forms a server may echo a secret in: as it is, JSON-escaped (upper- and lower-case hex), URL-escaped.</summary>
    private static IEnumerable<string> EchoedForms(string secret)
    {
        // .NET's default encoder escapes non-ASCII and HTML-sensitive characters ('+', '<', '&'); Python's json.dumps
        // escapes non-ASCII only, in lower-case hex; the relaxed encoder escapes only what JSON requires.
        var escaped = JsonEncodedText.Encode(secret).ToString();
        var relaxed = JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        var asciiOnly = EscapeNonAscii(relaxed);
        return new[]
        {
            secret,
            escaped,
            UnicodeEscape.Replace(escaped, match => match.Value.ToLowerInvariant()),
            relaxed,
            asciiOnly,
            UnicodeEscape.Replace(asciiOnly, match => match.Value.ToLowerInvariant()),
            Uri.EscapeDataString(secret),
        }.Distinct(StringComparer.Ordinal);
    }

    private static string EscapeNonAscii(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c > '\u007E')
            {
                escaped.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A position between two letters or digits: no secret starts or ends inside a word. The end of a JSON escape such
    /// as <c>\u0022</c> (a quote, as .NET's serializer writes it) or <c>\n</c> is not inside a word: a secret quoted in
    /// JSON that is itself quoted as text, or starting a line of an escaped text, follows one.
    /// </summary>
    private static bool SplitsWord(string text, int position) =>
        position > 0 && position < text.Length && char.IsLetterOrDigit(text[position - 1]) && char.IsLetterOrDigit(text[position])
        && !EndsUnicodeEscape(text, position) && !(position >= 2 && text[position - 2] == '\\');

    private static bool EndsUnicodeEscape(string text, int position) =>
        position >= 6 && text[position - 6] == '\\' && text[position - 5] == 'u'
        && IsHexDigit(text[position - 4]) && IsHexDigit(text[position - 3]) && IsHexDigit(text[position - 2]) && IsHexDigit(text[position - 1]);

    private static bool IsHexDigit(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    /// <summary>FNV-1a of the first <see cref="PrefixLength"/> characters from a random seed, folded to 16 bits.</summary>
    private static int PrefixCode(string text, int start)
    {
        var code = PrefixSeed;
        for (var i = start; i < start + PrefixLength; i++)
        {
            code = unchecked((code ^ text[i]) * 16777619u);
        }

        return (int)((code ^ (code >> 16)) & 0xFFFF);
    }

    /// <summary>The keyed hash of a stretch of text; with <paramref name="clear"/> (a secret) its UTF-8 copy is zeroed after.</summary>
    private static string Digest(HMACSHA256 hash, string text, int start, int length, bool clear)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(length)];
        try
        {
            var count = Encoding.UTF8.GetBytes(text, start, length, bytes, 0);
            return Convert.ToBase64String(hash.ComputeHash(bytes, 0, count));
        }
        finally
        {
            if (clear)
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }
    }

    private static byte[] NewHashKey()
    {
        var key = new byte[32];
        using var random = RandomNumberGenerator.Create();
        random.GetBytes(key);
        return key;
    }
}
