using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace EnergyData.Http;

/// <summary>
/// Copies a request for another attempt: a sent HttpRequestMessage must not be sent again, and a streamed body
/// could not be replayed anyway, so the body is buffered once and each copy gets its own content over it.
/// </summary>
internal static class HttpRequestCloner
{
    public static async Task<byte[]?> BufferContentAsync(HttpRequestMessage request)
    {
        return request.Content is null
            ? null
            : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    public static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
        };

        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var property in request.Properties)
        {
            clone.Properties[property.Key] = property.Value;
        }

        if (body is not null)
        {
            var content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                // ByteArrayContent computes its own length; a copied one could disagree.
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            clone.Content = content;
        }

        return clone;
    }

    /// <summary>
    /// Method and URI without query or fragment, for trace lines and messages, followed by the call's
    /// <see cref="RequestContext.Label"/> in parentheses when it has one ("POST https://host/bills/ (page 3 of 6)").
    /// </summary>
    public static string Describe(HttpRequestMessage request)
    {
        var uri = request.RequestUri;
        var target = uri is null ? "(no URI)" : uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString.Split('?')[0];
        var label = request.GetRequestContext()?.Label;
        return request.Method.Method + " " + target + (string.IsNullOrEmpty(label) ? string.Empty : " (" + label + ")");
    }
}
