using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using Xunit;

namespace EnergyData.Tests.Callbacks;

public sealed class CallbackReceiverTests : IDisposable
{
    private readonly TemporaryInbox folder = new();
    private readonly CallbackReceiver receiver;
    private readonly HttpClient http = new();

    public CallbackReceiverTests()
    {
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root, MaxBodyBytes = 4096, ReadTimeout = TimeSpan.FromMilliseconds(500) });
    }

    public void Dispose()
    {
        http.Dispose();
        receiver.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task An_accepted_result_is_in_the_inbox_when_the_200_arrives()
    {
        var body = Envelopes.DebtStatus("op-1", "1234567-8", 10000);

        using var response = await PostAsync(receiver.CallbackUrl, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, File.ReadAllText(Path.Combine(folder.Root, "op-1.json")));
        Assert.Equal(1, receiver.GetStatus().Accepted);
        Assert.Equal(1, receiver.GetStatus().Unsolicited);
    }

    [Fact]
    public async Task A_duplicate_delivery_is_answered_200_and_does_not_rewrite_the_result()
    {
        var first = Envelopes.DebtStatus("op-dup", "1234567-8", 10000);
        var second = Envelopes.DebtStatus("op-dup", "1234567-8", 99999);

        using var one = await PostAsync(receiver.CallbackUrl, first);
        using var two = await PostAsync(receiver.CallbackUrl, second);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(first, File.ReadAllText(folder.Inbox.ResultPath("op-dup")));
        var status = receiver.GetStatus();
        Assert.Equal(1, status.Accepted);
        Assert.Equal(1, status.Duplicates);
    }

    [Fact]
    public async Task Forged_oversized_malformed_and_wrong_method_requests_are_refused_counted_and_the_listener_keeps_serving()
    {
        var forged = new Uri(receiver.PublicBaseUri, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        var prefixOfSecret = new Uri(receiver.PublicBaseUri, receiver.CallbackUrl.Segments.Last().Substring(0, 10));
        using var wrongSecret = await PostAsync(forged, Envelopes.DebtStatus("f-1", "1", 1));
        using var partialSecret = await PostAsync(prefixOfSecret, Envelopes.DebtStatus("f-2", "1", 1));
        using var noSecret = await PostAsync(receiver.PublicBaseUri, Envelopes.DebtStatus("f-3", "1", 1));
        using var oversized = await PostAsync(receiver.CallbackUrl, "{\"OperationId\":\"big\",\"Pad\":\"" + new string('x', 5000) + "\"}");
        using var notJson = await PostAsync(receiver.CallbackUrl, "hello, this is not JSON", "text/plain");
        using var truncated = await PostAsync(receiver.CallbackUrl, "{\"OperationId\":\"cut\",\"Status\":");
        using var noOperationId = await PostAsync(receiver.CallbackUrl, "{\"Status\":\"OK\",\"Data\":null}");
        using var numericOperationId = await PostAsync(receiver.CallbackUrl, "{\"OperationId\":42}");
        using var array = await PostAsync(receiver.CallbackUrl, "[{\"OperationId\":\"x\"}]");
        using var get = await http.GetAsync(receiver.CallbackUrl);

        Assert.Equal(HttpStatusCode.NotFound, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, partialSecret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSecret.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noOperationId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, numericOperationId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);

        using var valid = await PostAsync(receiver.CallbackUrl, Envelopes.DebtStatus("after", "1234567-8", 1));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);

        var status = receiver.GetStatus();
        Assert.Equal(3, status.RejectedForged);
        Assert.Equal(1, status.RejectedTooLarge);
        Assert.Equal(5, status.RejectedMalformed);
        Assert.Equal(1, status.RejectedMethod);
        Assert.Equal(1, status.Accepted);
        Assert.Equal(11, status.Received);
        Assert.True(receiver.IsListening);
        Assert.Equal(new[] { "after.json" }, Directory.GetFiles(folder.Root).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public async Task A_body_over_the_cap_without_a_content_length_is_refused()
    {
        var chunked = new StringContent("{\"OperationId\":\"chunky\",\"Pad\":\"" + new string('y', 8000) + "\"}", Encoding.UTF8, "application/json");
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, receiver.CallbackUrl) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(folder.Inbox.HasResult("chunky"));
    }

    [Fact]
    public async Task With_the_default_limit_a_result_of_several_mebibytes_is_stored()
    {
        // A bill document as base64 or a CEN page of many rows: well over the 1 MiB the receiver used to accept.
        using var inbox = new TemporaryInbox();
        using var defaults = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = inbox.Root });
        var body = "{\"OperationId\":\"large\",\"Status\":\"OK\",\"Data\":{\"Bill\":{\"Document\":\"" + new string('A', 5 * 1024 * 1024) + "\"}}}";

        using var response = await http.PostAsync(defaults.CallbackUrl, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(inbox.Inbox.HasResult("large"));
        Assert.Equal(Encoding.UTF8.GetByteCount(body), new FileInfo(inbox.Inbox.ResultPath("large")).Length);
    }

    [Fact]
    public void The_default_body_limit_is_the_synchronous_response_limit()
    {
        Assert.Equal(new EnergyData.Khipu.KhipuClientOptions().MaxResponseBytes, new CallbackReceiverOptions().MaxBodyBytes);
        Assert.Equal(CallbackReceiverOptions.LargestMaxBodyBytes, CallbackReceiverOptions.DefaultMaxBodyBytes);
    }

    [Theory]
    [InlineData(CallbackReceiverOptions.SmallestMaxBodyBytes - 1)]
    [InlineData(CallbackReceiverOptions.LargestMaxBodyBytes + 1)]
    public void A_body_limit_outside_the_accepted_range_is_refused(int limit)
    {
        using var inbox = new TemporaryInbox();

        var error = Assert.Throws<EnergyData.Validation.ParameterValidationException>(() => CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = inbox.Root, MaxBodyBytes = limit }));

        Assert.Contains("'MaxBodySize' must be between", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cmdlet_accepts_the_same_body_limits_as_the_receiver()
    {
        var range = Cmdlets.ModuleMetadata.Instance.Cmdlet("Start-KhipuCallbackReceiver").Parameter("MaxBodySize").Property
            .GetCustomAttributesData().Single(attribute => attribute.AttributeType.Name == "ValidateRangeAttribute");

        Assert.Equal(CallbackReceiverOptions.SmallestMaxBodyBytes, Convert.ToInt32(Unwrap(range.ConstructorArguments[0].Value), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(CallbackReceiverOptions.LargestMaxBodyBytes, Convert.ToInt32(Unwrap(range.ConstructorArguments[1].Value), System.Globalization.CultureInfo.InvariantCulture));

        // ValidateRange(object, object): each bound is stored as an argument typed object that wraps the int.
        static object? Unwrap(object? value) => value is System.Reflection.CustomAttributeTypedArgument inner ? inner.Value : value;
    }

    [Fact]
    public async Task A_sender_that_stalls_gets_408_and_the_listener_keeps_serving()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(receiver.CallbackUrl.Host, receiver.CallbackUrl.Port);
        var stream = socket.GetStream();
        var head = $"POST {receiver.CallbackUrl.AbsolutePath} HTTP/1.1\r\nHost: {receiver.CallbackUrl.Authority}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"OperationId\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var answer = Encoding.ASCII.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        using var valid = await PostAsync(receiver.CallbackUrl, Envelopes.DebtStatus("after-stall", "1234567-8", 1));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(1, receiver.GetStatus().RejectedTimedOut);
    }

    [Fact]
    public async Task A_slow_sender_that_keeps_sending_is_accepted_past_the_read_timeout()
    {
        // The read timeout is for a pause, not for the whole body: a large result on a slow link arrives over longer
        // than that, a few bytes at a time. Pauses of 250 ms against a timeout of 2 s: on a loaded machine a 100 ms
        // pause against 500 ms stretched past the timeout (a broken pipe in CI-like runs), which is not what is tested.
        using var patientFolder = new TemporaryInbox();
        using var patient = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = patientFolder.Root, MaxBodyBytes = 4096, ReadTimeout = TimeSpan.FromSeconds(2) });
        var body = Encoding.UTF8.GetBytes(Envelopes.DebtStatus("slow-but-steady", "1234567-8", 1));
        using var socket = new TcpClient();
        await socket.ConnectAsync(patient.CallbackUrl.Host, patient.CallbackUrl.Port);
        var stream = socket.GetStream();
        var head = $"POST {patient.CallbackUrl.AbsolutePath} HTTP/1.1\r\nHost: {patient.CallbackUrl.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var pieces = 10;
        var size = (body.Length + pieces - 1) / pieces;
        for (var offset = 0; offset < body.Length; offset += size)
        {
            await Task.Delay(250);
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(size, body.Length - offset)));
            await stream.FlushAsync();
        }

        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(started.Elapsed > TimeSpan.FromSeconds(2), "the body must take longer than the read timeout for this test to mean anything");
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.True(patientFolder.Inbox.HasResult("slow-but-steady"));
    }

    [Fact]
    public async Task A_stopped_receiver_refuses_connections_and_the_inbox_keeps_what_it_acknowledged()
    {
        using var accepted = await PostAsync(receiver.CallbackUrl, Envelopes.DebtStatus("kept", "1234567-8", 1));
        receiver.Stop();

        Assert.False(receiver.IsListening);
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(receiver.CallbackUrl, Envelopes.DebtStatus("late", "1", 1)));
        Assert.True(folder.Inbox.HasResult("kept"));
    }

    [Fact]
    public void The_callback_url_carries_a_43_character_base64url_secret_and_the_redacted_form_hides_it()
    {
        var secret = receiver.CallbackUrl.Segments.Last();

        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.DoesNotContain(secret, receiver.RedactedCallbackUrl, StringComparison.Ordinal);
        Assert.EndsWith("/***", receiver.RedactedCallbackUrl, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", receiver.CallbackUrl.Host);
        Assert.NotEqual(0, receiver.CallbackUrl.Port);
    }

    [Fact]
    public void A_public_base_uri_is_what_the_callback_url_starts_with()
    {
        using var other = new TemporaryInbox();
        using var behindProxy = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = other.Root, PublicBaseUri = new Uri("https://hooks.example.com/khipu") });

        Assert.StartsWith("https://hooks.example.com/khipu/", behindProxy.CallbackUrl.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("https://hooks.example.com/khipu/***", behindProxy.RedactedCallbackUrl);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:0/", "Prefix")]
    [InlineData("not a prefix", "Prefix")]
    public void A_bad_prefix_is_refused_before_listening(string prefix, string parameter)
    {
        var error = Assert.Throws<EnergyData.Validation.ParameterValidationException>(() => CallbackReceiver.Start(new CallbackReceiverOptions { Prefix = prefix, InboxPath = folder.Root }));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void Secret_comparison_needs_every_byte()
    {
        var secret = Encoding.ASCII.GetBytes("abcdef");

        Assert.True(CallbackReceiver.FixedTimeEquals(secret, Encoding.ASCII.GetBytes("abcdef")));
        Assert.False(CallbackReceiver.FixedTimeEquals(secret, Encoding.ASCII.GetBytes("abcdeg")));
        Assert.False(CallbackReceiver.FixedTimeEquals(secret, Encoding.ASCII.GetBytes("abcde")));
        Assert.False(CallbackReceiver.FixedTimeEquals(secret, Encoding.ASCII.GetBytes("abcdefg")));
        Assert.False(CallbackReceiver.FixedTimeEquals(secret, Array.Empty<byte>()));
    }

    /// <summary>
    /// Khipu's document does not say how a callback body is encoded. A gzip body was refused as "not a JSON object",
    /// and a Latin-1 one was acknowledged, then stopped Wait-KhipuOperation: what is stored is now UTF-8 JSON.
    /// </summary>
    [Fact]
    public async Task A_compressed_or_latin1_body_is_stored_as_utf8_json()
    {
        var json = Envelopes.DebtStatus("op-gzip", "1234567-8", 10);
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        using var gzipContent = new ByteArrayContent(compressed.ToArray());
        gzipContent.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        gzipContent.Headers.ContentEncoding.Add("gzip");
        using var gzipped = await http.PostAsync(receiver.CallbackUrl, gzipContent);

        var latin1Json = "{\"OperationId\":\"op-latin1\",\"Status\":\"OK\",\"Data\":{\"Comuna\":\"ÑUÑOA\"}}";
        using var latin1Content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1Json));
        latin1Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");
        using var latin1 = await http.PostAsync(receiver.CallbackUrl, latin1Content);

        Assert.Equal(HttpStatusCode.OK, gzipped.StatusCode);
        Assert.Equal(json, File.ReadAllText(Path.Combine(folder.Root, "op-gzip.json")));
        Assert.Equal(HttpStatusCode.OK, latin1.StatusCode);
        Assert.Equal(latin1Json, File.ReadAllText(Path.Combine(folder.Root, "op-latin1.json"), Encoding.UTF8));
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_and_names_no_charset_is_refused_and_not_stored()
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes("{\"OperationId\":\"op-bad\",\"Status\":\"OK\",\"Data\":{\"Comuna\":\"ÑUÑOA\"}}"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync(receiver.CallbackUrl, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(folder.Inbox.HasResult("op-bad"));
    }

    private Task<HttpResponseMessage> PostAsync(Uri url, string body, string mediaType = "application/json") =>
        http.PostAsync(url, new StringContent(body, Encoding.UTF8, mediaType));
}
