using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Http;
using EnergyData.Json;
using EnergyData.Validation;

namespace EnergyData.Khipu;

public sealed partial class KhipuClient
{
    // Every extension SaveDocumentAsync gives a bill document: the names it may replace.
    private static readonly string[] DocumentExtensions = { ".pdf", ".txt", ".bin" };

    // Saves of the same client's document take turns; striped, so that the set stays small whatever the clients.
    private static readonly SemaphoreSlim[] DocumentFileGates = CreateGates(32);

    public static KhipuRequest EnelDebtStatusRequest(string? clientIdentifier, Uri? callbackUrl = null) =>
        new(
            KhipuServices.EnelDebtStatus,
            new Dictionary<string, object?> { ["ClientIdentifier"] = InputRules.ClientIdentifier(clientIdentifier) },
            callbackUrl is null ? null : InputRules.CallbackUrl(callbackUrl));

    public static KhipuRequest EnelBillDocumentRequest(string? clientIdentifier, string? email, Uri? callbackUrl = null) =>
        new(
            KhipuServices.EnelBillDocument,
            new Dictionary<string, object?>
            {
                ["ClientIdentifier"] = InputRules.ClientIdentifier(clientIdentifier),
                ["Email"] = InputRules.Email(email),
            },
            callbackUrl is null ? null : InputRules.CallbackUrl(callbackUrl));

    /// <summary>
    /// The request of an asynchronous bill document call. A folder to save into (<c>-OutputPath</c>) is refused, not
    /// ignored: the document arrives later at the callback URL, and <c>Wait-KhipuOperation -OutputPath</c> saves it.
    /// </summary>
    public static KhipuRequest EnelBillDocumentRequest(string? clientIdentifier, string? email, Uri callbackUrl, string? outputDirectory)
    {
        if (outputDirectory is not null)
        {
            throw new ParameterValidationException(
                "OutputPath",
                "cannot be used with an asynchronous call (-Async or -CallbackUrl)",
                "The document arrives later: give -OutputPath to Wait-KhipuOperation, which saves it when it collects the result.");
        }

        return EnelBillDocumentRequest(clientIdentifier, email, callbackUrl);
    }

    /// <summary>Debt status of one Enel client. Validates before sending.</summary>
    public async Task<EnelDebtStatus> GetEnelDebtStatusAsync(string? clientIdentifier, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var request = EnelDebtStatusRequest(clientIdentifier);
        var info = await CallForDataAsync(request, trace, cancellationToken).ConfigureAwait(false);
        return MapDebtStatus((string)request.RequestData["ClientIdentifier"]!, info, trace);
    }

    /// <summary>
    /// The bill document of one Enel client. With <paramref name="outputDirectory"/> the decoded document is
    /// written there (atomically: a temporary file renamed into place) and the result names the file.
    /// </summary>
    public async Task<EnelBillDocument> GetEnelBillDocumentAsync(string? clientIdentifier, string? email, string? outputDirectory, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var request = EnelBillDocumentRequest(clientIdentifier, email);
        if (outputDirectory is not null && !Directory.Exists(outputDirectory))
        {
            throw new ParameterValidationException("OutputPath", "must be an existing folder", $"'{outputDirectory}' does not exist.");
        }

        var info = await CallForDataAsync(request, trace, cancellationToken).ConfigureAwait(false);
        var document = MapBillDocument((string)request.RequestData["ClientIdentifier"]!, (string)request.RequestData["Email"]!, info, trace);
        if (outputDirectory is not null && document.Document is not null)
        {
            document.Path = await SaveDocumentAsync(document, outputDirectory, trace, cancellationToken).ConfigureAwait(false);
            trace?.Verbose($"Saved the bill document of {document.ClientIdentifier} to {document.Path}.");
            document.Document = null;
        }

        return document;
    }

    public static EnelDebtStatus MapDebtStatus(string clientIdentifier, KhipuCallInfo info, IRequestTrace? trace)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }

        var result = new EnelDebtStatus
        {
            ClientIdentifier = clientIdentifier,
            OperationId = info.OperationId,
            AdditionalInformation = info.AdditionalInformation,
            RetrievedAt = DateTimeOffset.UtcNow,
        };

        if (info.Data is not { } data)
        {
            // Status OK without Data is a valid answer (the source had nothing to give), but a row of empty debt fields
            // alone would pass for "no debt" in a bulk export.
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "Khipu gave no debt status for ClientIdentifier {0}{1}; the row has no debt fields.",
                clientIdentifier,
                string.IsNullOrWhiteSpace(info.AdditionalInformation) ? string.Empty : " (AdditionalInformation: " + info.AdditionalInformation!.Trim() + ")"));
            return result;
        }

        // The document makes Data.DebtStatus a required object: anything else is an answer of another shape, not a row of
        // empty fields that would pass for a client without debt.
        var map = new FieldMapper(data, "Data", trace);
        if (data.ValueKind != JsonValueKind.Object || map.Element("DebtStatus") is not { ValueKind: JsonValueKind.Object } debt)
        {
            throw new KhipuProtocolException(string.Format(
                CultureInfo.InvariantCulture,
                "The EnelDebtStatus answer for ClientIdentifier {0} has no DebtStatus object in its Data (Data is {1}); OperationId {2}.",
                clientIdentifier,
                data.ValueKind != JsonValueKind.Object ? DescribeKind(data.ValueKind)
                    : map.Element("DebtStatus") is { } other ? "an object whose DebtStatus is " + DescribeKind(other.ValueKind) : "an object without DebtStatus",
                info.OperationId ?? "none"));
        }

        var fields = new FieldMapper(debt, "Data.DebtStatus", trace);
        result.RawJson = debt.GetRawText();
        result.ResponseClientIdentifier = fields.String("ClientIdentifier");
        result.Address = fields.String("Address");
        result.DebtAmount = fields.Decimal("Debt", "TotalAmount");
        result.DebtCurrency = fields.String("Debt", "Currency");
        result.DebtDueDate = fields.Date("Debt", "DueDate");
        result.LastPaymentAmount = fields.Decimal("LastPayment", "Amount");
        result.LastPaymentCurrency = fields.String("LastPayment", "Currency");
        if (fields.Element("LastPayment") is { ValueKind: JsonValueKind.Object } lastPayment && JsonProperties.TryGetIgnoringCase(lastPayment, "Date", out _))
        {
            // Not in the document, but seen in public use of the API.
            result.LastPaymentDate = fields.Date("LastPayment", "Date");
        }

        result.PreviousDebtAmount = fields.Decimal("PreviousDebt", "Amount");
        result.PreviousDebtCurrency = fields.String("PreviousDebt", "Currency");
        result.PreviousDebtDueDate = fields.Date("PreviousDebt", "DueDate");
        fields.ReportUnknownFields();
        map.ReportUnknownFields();
        return result;
    }

    private static SemaphoreSlim[] CreateGates(int count)
    {
        var gates = new SemaphoreSlim[count];
        for (var i = 0; i < count; i++)
        {
            gates[i] = new SemaphoreSlim(1, 1);
        }

        return gates;
    }

    /// <summary>A JSON token kind as messages name a value of the wrong shape ("a list").</summary>
    private static string DescribeKind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a text",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "an object",
    };

    private static string DescribeKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "an object",
    };

    public static EnelBillDocument MapBillDocument(string clientIdentifier, string email, KhipuCallInfo info, IRequestTrace? trace)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }

        var result = new EnelBillDocument
        {
            ClientIdentifier = clientIdentifier,
            Email = email,
            OperationId = info.OperationId,
            AdditionalInformation = info.AdditionalInformation,
            RetrievedAt = DateTimeOffset.UtcNow,
        };
        if (info.Data is { } data)
        {
            var map = new FieldMapper(data, "Data", trace);
            result.ResponseClientIdentifier = map.String("Bill", "ClientIdentifier");

            // An empty Document is no document: nothing to decode, and no empty file to save.
            result.Document = map.String("Bill", "Document") is { Length: > 0 } text ? text : null;
            map.ReportUnknownFields();
        }

        if (result.Document is { } document)
        {
            var bytes = TryDecodeBase64(document);
            result.ContentType = bytes is null ? "text/plain" : IsPdf(bytes) ? "application/pdf" : "application/octet-stream";
            result.Length = bytes?.LongLength ?? document.Length;
        }
        else
        {
            // Status OK without a document ("no data"): the row alone would pass for a success in a bulk run.
            trace.Warn(string.Format(
                CultureInfo.InvariantCulture,
                "Khipu gave no bill document for ClientIdentifier {0}{1}; no file was saved.",
                clientIdentifier,
                string.IsNullOrWhiteSpace(info.AdditionalInformation) ? string.Empty : " (AdditionalInformation: " + info.AdditionalInformation!.Trim() + ")"));
        }

        return result;
    }

    /// <summary>
    /// Writes the document as <c>enel-bill-&lt;ClientIdentifier&gt;</c> with the extension of its type, and removes the
    /// files of the same client under the other extensions this module writes: a second document for a client replaces
    /// the first whatever their types, so a PDF from an earlier run does not stay beside a newer text answer and pass for
    /// the current one. Only those exact names are touched; a file that cannot be removed is named in a warning.
    /// </summary>
    private static async Task<string> SaveDocumentAsync(EnelBillDocument document, string outputDirectory, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var bytes = TryDecodeBase64(document.Document!) ?? System.Text.Encoding.UTF8.GetBytes(document.Document!);
        var extension = DocumentExtension(document.ContentType);
        var safeName = string.Join("_", document.ClientIdentifier.Split(Path.GetInvalidFileNameChars()));
        var stem = Path.Combine(Path.GetFullPath(outputDirectory), "enel-bill-" + safeName);
        var target = stem + extension;

        // One client's writes and removals in turn: two inputs for the same client in one command (or two commands in
        // this session) must not each remove the other's new file.
        var gate = DocumentFileGates[(StringComparer.OrdinalIgnoreCase.GetHashCode(stem) & int.MaxValue) % DocumentFileGates.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await AtomicFile.WriteAllBytesAsync(target, bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException exception)
            {
                throw new Errors.OutputFileException(target, exception);
            }

            foreach (var otherExtension in DocumentExtensions)
            {
                var earlier = stem + otherExtension;
                if (otherExtension == extension || !File.Exists(earlier))
                {
                    continue;
                }

                try
                {
                    File.Delete(earlier);
                    trace?.Verbose($"Removed {earlier}, the earlier bill document of ClientIdentifier {document.ClientIdentifier}: {target} replaces it.");
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    trace.Warn($"The earlier bill document of ClientIdentifier {document.ClientIdentifier}, {earlier}, could not be removed ({exception.Message}); {target} is the current one.");
                }
            }
        }
        finally
        {
            gate.Release();
        }

        return target;
    }

    private static string DocumentExtension(string? contentType) => contentType switch
    {
        "application/pdf" => ".pdf",
        "text/plain" => ".txt",
        _ => ".bin",
    };

    /// <summary>
    /// The document's bytes. The Enel document does not say how Document is encoded; base64 is what is seen, and a
    /// data URL prefix (<c>data:application/pdf;base64,</c>), the URL-safe alphabet and missing padding are accepted
    /// too, so that such a PDF is not saved as its encoded text.
    /// </summary>
    internal static byte[]? TryDecodeBase64(string text)
    {
        const int MinimumUnpaddedLength = 16;

        // Below this (48 bytes decoded) no bill document of any format fits; only a PDF's own start is taken as one.
        const int MinimumDocumentLength = 64;
        var encoded = text.Trim();
        if (encoded.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = encoded.IndexOf(',');
            if (comma < 0 || encoded.LastIndexOf(";base64", comma, StringComparison.OrdinalIgnoreCase) < 0)
            {
                return null;
            }

            encoded = encoded.Substring(comma + 1);
        }

        encoded = encoded.Replace('-', '+').Replace('_', '/');
        // Padding is supplied only for texts long enough to be a document: a short placeholder such as "N/A" or
        // "NO-DATA" would otherwise decode to a few bytes of garbage and be saved as a binary file.
        var unpadded = encoded.Length % 4;
        if (unpadded != 0 && encoded.Length >= MinimumUnpaddedLength && encoded.IndexOf('=') < 0 && encoded.IndexOfAny([' ', '\r', '\n', '\t']) < 0)
        {
            encoded += new string('=', 4 - unpadded);
        }

        byte[] bytes;
        try
        {
            if (encoded.Length == 0)
            {
                return null;
            }

            bytes = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            return null;
        }

        // A short word that happens to be valid base64 ("TEST", "DocumentNotFound") is a placeholder, not a document of a
        // few bytes, and so is a sentence ("Document not available": the decoder skips its spaces); base64 never holds a
        // space, only line breaks. Either stays text unless its bytes are the start of a PDF.
        var placeholder = encoded.Length < MinimumDocumentLength || encoded.IndexOf(' ') >= 0;
        return placeholder && !IsPdf(bytes) ? null : bytes;
    }

    private static bool IsPdf(byte[] bytes) =>
        bytes.Length >= 4 && bytes[0] == (byte)'%' && bytes[1] == (byte)'P' && bytes[2] == (byte)'D' && bytes[3] == (byte)'F';

    private async Task<KhipuCallInfo> CallForDataAsync(KhipuRequest request, IRequestTrace? trace, CancellationToken cancellationToken)
    {
        var info = new KhipuCallInfo();
        await foreach (var unused in CallAsync(request, KeepData, info, null, trace, cancellationToken).ConfigureAwait(false))
        {
            // KeepData yields nothing: the Data value is kept on info and mapped once the envelope is complete.
        }

        return info;
    }
}
