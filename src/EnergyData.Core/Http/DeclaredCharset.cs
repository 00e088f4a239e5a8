using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Http;

/// <summary>
/// A response body in the encoding its Content-Type declares. JSON exchanged between systems is UTF-8 (RFC 8259,
/// section 8.1), and the readers read UTF-8 bytes; a server that declares another charset (<c>ISO-8859-1</c>, as some
/// older stacks do) had its accented text refused as invalid UTF-8. Invoke-RestMethod decodes such a body by its
/// charset, and so does this module: the body is re-encoded as UTF-8 before it is read.
/// </summary>
internal static class DeclaredCharset
{
    /// <summary>
    /// A body in another encoding is read whole to be re-encoded (it cannot be parsed as it arrives): past this size it
    /// is refused rather than held in memory. Such servers answer small lists; consumption bodies are UTF-8.
    /// </summary>
    internal const int MaxReencodedBytes = 64 * 1024 * 1024;

    private const int Utf8CodePage = 65001;

    // US-ASCII is a subset of UTF-8: its bytes read as they are.
    private const int AsciiCodePage = 20127;

    /// <summary>
    /// The encoding the content declares when it is neither UTF-8 nor ASCII; null for those, for none, and for a name
    /// this runtime does not know (the body is then read as UTF-8, and meets the same checks as any other).
    /// </summary>
    public static Encoding? OtherThanUtf8(HttpContent content)
    {
        var name = content.Headers.ContentType?.CharSet?.Trim().Trim('"');
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        try
        {
            var encoding = Encoding.GetEncoding(name);
            return encoding.CodePage is Utf8CodePage or AsciiCodePage ? null : encoding;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// A text of a body that is not valid UTF-8 (a server that writes Latin-1 and declares no charset), or a string
    /// holding half a UTF-16 surrogate pair (<c>"\ud800"</c>): System.Text.Json raises an InvalidOperationException
    /// for both when the text is read (the first with the decoder's exception inside, the second with none), which is
    /// the answer's fault, not the module's. While a body is read, the readers' other calls into System.Text.Json only
    /// fail on what the answer holds too.
    /// </summary>
    public static bool IsUndecodableText(Exception exception) =>
        exception is DecoderFallbackException
        || (exception is InvalidOperationException && (exception.InnerException is DecoderFallbackException || exception.Source == "System.Text.Json"));

    /// <summary>The body re-encoded as UTF-8, read whole; an <see cref="InvalidDataException"/> past <see cref="MaxReencodedBytes"/>.</summary>
    public static async Task<Stream> ToUtf8Async(Stream body, Encoding encoding, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxReencodedBytes)
            {
                throw new InvalidDataException($"The body, in {encoding.WebName} rather than UTF-8, is larger than {MaxReencodedBytes / (1024 * 1024)} MiB, the most that is re-encoded.");
            }

            buffer.Write(chunk, 0, read);
        }

        var text = encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
    }
}
