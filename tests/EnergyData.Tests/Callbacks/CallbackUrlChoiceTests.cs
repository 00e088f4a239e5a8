using System;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Khipu;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>
/// Which CallbackUrl an input is sent with, per input: a piped object's or CSV row's CallbackUrl under -Async, a URL
/// with the receiver's secret hidden, and an empty cell. Each refusal comes before anything is sent (billed).
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class CallbackUrlChoiceTests : IDisposable
{
    private readonly EmulatorServer server;
    private readonly TemporaryInbox folder = new();
    private readonly CallbackReceiver receiver;
    private readonly EnergyDataConnection connection;

    public CallbackUrlChoiceTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
        receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        connection = KhipuTestConnections.WithApiKey(server);
    }

    public void Dispose()
    {
        connection.Dispose();
        receiver.Dispose();
        folder.Dispose();
    }

    [Fact]
    public void An_input_with_its_own_callback_url_under_async_is_refused_naming_async()
    {
        // [pscustomobject]@{ ClientIdentifier = '8001'; CallbackUrl = 'http://.../elsewhere' } | Get-EnelDebtStatus -Async:
        // the binder gives the row's URL to -CallbackUrl, which BeginProcessing never saw.
        var error = Assert.Throws<ParameterValidationException>(() => AsyncSubmission.ChooseCallbackUrl(new Uri("http://127.0.0.1:18931/_cb/elsewhere"), receiver.CallbackUrl));

        Assert.Equal("Async", error.ParamName);
        Assert.StartsWith("Parameter 'Async' cannot be combined with -CallbackUrl. This input carries a CallbackUrl of its own", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_callback_url_cell_counts_as_not_given(string cell)
    {
        var empty = new Uri(cell, UriKind.RelativeOrAbsolute);

        Assert.Equal(receiver.CallbackUrl, AsyncSubmission.ChooseCallbackUrl(empty, receiver.CallbackUrl));
        Assert.Null(AsyncSubmission.ChooseCallbackUrl(empty, null));
    }

    [Fact]
    public void Without_async_an_input_keeps_its_own_callback_url()
    {
        var own = new Uri("https://hooks.example.com/khipu/abc");

        Assert.Same(own, AsyncSubmission.ChooseCallbackUrl(own, null));
        Assert.Null(AsyncSubmission.ChooseCallbackUrl(null, null));
        Assert.Equal(receiver.CallbackUrl, AsyncSubmission.ChooseCallbackUrl(null, receiver.CallbackUrl));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_redacted_receiver_url_is_refused_naming_callback_url_and_nothing_is_sent(bool escaped)
    {
        // The receiver's URL as KhipuOperation rows and RedactedCallbackUrl show it, read back from a CSV; the escaped
        // form is the same text as a proxy or a script may write it.
        var redacted = new Uri(escaped ? receiver.RedactedCallbackUrl.Replace("***", "%2A%2A%2A", StringComparison.Ordinal) : receiver.RedactedCallbackUrl);
        var client = connection.GetKhipuClient();

        var error = Assert.Throws<ParameterValidationException>(() => KhipuClient.EnelDebtStatusRequest("8002", AsyncSubmission.ChooseCallbackUrl(redacted, null)));

        Assert.Equal("CallbackUrl", error.ParamName);
        Assert.Contains("must be a real URL, not one with a secret hidden", error.Message, StringComparison.Ordinal);
        Assert.Contains("use -Async", error.Message, StringComparison.Ordinal);
        Assert.Throws<ParameterValidationException>(() => KhipuClient.EnelBillDocumentRequest("8002", "a@b.cl", redacted));
        Assert.Throws<ParameterValidationException>(() => KhipuClient.TgrRequest(null, false, redacted));
        Assert.Throws<ParameterValidationException>(() => KhipuClient.CenRequest(new CenQuery { RutDeudor = "76999999" }, 0, false, redacted));
        await Assert.ThrowsAsync<ParameterValidationException>(() => client.InvokeAsync("v1/cl/services/enel.cl/debt-status-by-client-identifier", null, redacted, null, CancellationToken.None));
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public void A_public_base_uri_with_the_placeholder_is_refused_before_the_receiver_starts()
    {
        var error = Assert.Throws<ParameterValidationException>(() => CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root, PublicBaseUri = new Uri("https://tunnel.example.com/***/") }));

        Assert.Equal("PublicBaseUri", error.ParamName);
        Assert.DoesNotContain("-Async", error.Message, StringComparison.Ordinal);
    }
}
