using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Auth;
using EnergyData.Emulator;
using EnergyData.Khipu;
using EnergyData.Tests.Emulator;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>The three Khipu authentication modes against the emulator's key check and token endpoint.</summary>
[Collection(EmulatorGroup.Name)]
public sealed class AuthenticationEndToEndTests
{
    private readonly EmulatorServer server;

    public AuthenticationEndToEndTests(EmulatorFixture fixture)
    {
        server = fixture.Reset();
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_401_with_code_a000_sent_once()
    {
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.KhipuApiKey = "not-the-key".ToSecureString());

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("A000", error.ErrorCode);
        Assert.Contains("API key", error.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_bearer_token_given_directly_is_accepted()
    {
        using var connection = KhipuTestConnections.WithBearer(server, server.State.IssueKhipuToken());

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal("Bearer", connection.KhipuAuthenticationScheme);
        Assert.Equal(0, server.State.KhipuTokenRequests);
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer  {0}")]
    [InlineData("  {0}\n")]
    public async Task A_bearer_token_pasted_with_its_scheme_or_a_newline_is_sent_once_cleaned(string pasted)
    {
        var token = server.State.IssueKhipuToken();
        using var connection = KhipuTestConnections.WithBearer(server, string.Format(System.Globalization.CultureInfo.InvariantCulture, pasted, token));

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
    }

    [Fact]
    public async Task An_expired_bearer_token_given_directly_fails_with_a000_and_is_not_refreshed()
    {
        using var connection = KhipuTestConnections.WithBearer(server, server.State.IssueExpiredKhipuToken());

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("A000", error.ErrorCode);
        Assert.Contains("expired", error.Description, StringComparison.Ordinal);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_token_the_emulator_never_issued_is_refused()
    {
        using var connection = KhipuTestConnections.WithBearer(server, EmulatorTokens.CreateJwt("forged", DateTimeOffset.UtcNow.AddHours(1)));

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal("A000", error.ErrorCode);
    }

    [Theory]
    [InlineData(ClientAuthenticationMethod.Body)]
    [InlineData(ClientAuthenticationMethod.Basic)]
    public async Task Client_credentials_fetch_one_token_for_many_calls(ClientAuthenticationMethod method)
    {
        using var connection = KhipuTestConnections.WithClientCredentials(server, method);
        var client = connection.GetKhipuClient();

        for (var call = 0; call < 5; call++)
        {
            await client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);
        }

        Assert.Equal(1, server.State.KhipuTokenRequests);
        Assert.Equal(5, server.State.Counters.Total);
    }

    [Fact]
    public async Task The_token_url_is_used_exactly_as_given_without_a_slash_added_and_with_its_query()
    {
        var tokenUri = new Uri(server.BaseUri, KhipuEndpoints.TokenPath + "?tenant=energy&policy=b2c_1");
        using var connection = KhipuTestConnections.WithClientCredentials(server, configure: settings => settings.KhipuTokenUri = tokenUri);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal("?tenant=energy&policy=b2c_1", Assert.Single(server.State.KhipuTokenRequestQueries));
        // Shown without its query, which may carry a key: Get-EnergyDataConnection output is often logged or exported.
        Assert.Equal(new Uri(server.BaseUri, KhipuEndpoints.TokenPath).AbsoluteUri + "?***", connection.KhipuTokenUri!.AbsoluteUri);
        Assert.DoesNotContain("tenant", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_emulator_token_endpoint_refuses_the_path_with_a_trailing_slash()
    {
        using var http = new System.Net.Http.HttpClient { BaseAddress = server.BaseUri };
        using var form = new System.Net.Http.FormUrlEncodedContent(new[] { new System.Collections.Generic.KeyValuePair<string, string>("grant_type", "client_credentials") });

        using var response = await http.PostAsync(new Uri(KhipuEndpoints.TokenPath + "/", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, server.State.KhipuTokenRequests);
    }

    [Fact]
    public async Task Debug_output_never_shows_the_client_secret_or_the_access_token()
    {
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var trace = new RecordingTrace();

        await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        var everything = trace.DebugText + "\n" + trace.VerboseText;
        Assert.Contains("Authorization", trace.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain(server.State.Options.KhipuClientSecret, everything, StringComparison.Ordinal);

        // Every emulator token starts with the base64url of {"alg":"HS256",...}.
        Assert.DoesNotContain("eyJhbGci", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_first_calls_share_one_token_request()
    {
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var client = connection.GetKhipuClient();

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => client.GetEnelDebtStatusAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "00", null, CancellationToken.None)));

        Assert.Equal(8, results.Length);
        Assert.Equal(1, server.State.KhipuTokenRequests);
    }

    [Fact]
    public async Task A_secret_with_reserved_characters_survives_basic_encoding()
    {
        server.State.Options.KhipuClientId = "client:with space";
        server.State.Options.KhipuClientSecret = "s3cr:t+/=%&é";
        using var connection = KhipuTestConnections.WithClientCredentials(server, ClientAuthenticationMethod.Basic);

        var status = await connection.GetKhipuClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(1, server.State.KhipuTokenRequests);
    }

    [Fact]
    public async Task A_revoked_token_is_refreshed_once_and_the_call_succeeds()
    {
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var client = connection.GetKhipuClient();
        var trace = new RecordingTrace();
        await client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        server.State.RevokeKhipuTokens();
        var status = await client.GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(2, server.State.KhipuTokenRequests);
        Assert.Equal(3, server.State.Counters.Total);
        Assert.Contains("401", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_rejected_again_after_the_refresh_fails_without_a_second_refresh()
    {
        server.State.KhipuOptions.IssueExpiredTokens = true;
        using var connection = KhipuTestConnections.WithClientCredentials(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("A000", error.ErrorCode);
        Assert.Equal(2, server.State.KhipuTokenRequests);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_token_rejected_with_status_error_a000_is_refreshed_once_and_the_call_succeeds()
    {
        server.State.KhipuOptions.RejectedTokenAsStatusError = true;
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var client = connection.GetKhipuClient();
        await client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        server.State.RevokeKhipuTokens();
        var status = await client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(2, server.State.KhipuTokenRequests);
        Assert.Equal(3, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_submit_answered_with_status_error_a000_is_refreshed_once()
    {
        server.State.KhipuOptions.RejectedTokenAsStatusError = true;
        server.State.Options.CallbackDelayMilliseconds = 0;
        using var connection = KhipuTestConnections.WithClientCredentials(server);
        var client = connection.GetKhipuClient();
        await client.GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);
        server.State.RevokeKhipuTokens();

        var operation = await client.SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", KhipuCallbackSink.Url(server)), "1234567-8", null, CancellationToken.None);

        Assert.True(Guid.TryParse(operation.OperationId, out _));
        Assert.Equal(2, server.State.KhipuTokenRequests);
        Assert.Equal(3, server.State.Counters.Total);
    }

    [Fact]
    public async Task Status_error_a000_that_persists_after_the_refresh_is_reported_without_a_second_refresh()
    {
        server.State.KhipuOptions.RejectedTokenAsStatusError = true;
        server.State.KhipuOptions.IssueExpiredTokens = true;
        using var connection = KhipuTestConnections.WithClientCredentials(server);

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Equal("A000", error.ErrorCode);
        Assert.Equal(2, error.Attempts);
        Assert.Equal(2, server.State.KhipuTokenRequests);
        Assert.Equal(2, server.State.Counters.Total);
    }

    [Fact]
    public async Task Status_error_a000_with_a_token_that_cannot_be_renewed_is_not_resent()
    {
        server.State.KhipuOptions.RejectedTokenAsStatusError = true;
        using var connection = KhipuTestConnections.WithBearer(server, server.State.IssueExpiredKhipuToken());

        var error = await Assert.ThrowsAsync<KhipuException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Equal("A000", error.ErrorCode);
        Assert.Equal(1, server.State.Counters.Total);
    }

    [Fact]
    public async Task A_wrong_client_secret_fails_at_the_token_endpoint_and_sends_no_api_request()
    {
        using var connection = KhipuTestConnections.WithClientCredentials(server, configure: settings => settings.KhipuClientSecret = "wrong-secret-value".ToSecureString());

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => connection.GetKhipuClient().GetEnelDebtStatusAsync("1", null, CancellationToken.None));

        Assert.Contains("invalid_client", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, server.State.KhipuTokenRequests);
        Assert.Equal(0, server.State.Counters.Total);
    }

    [Fact]
    public async Task The_account_credential_is_passed_through_and_selects_the_tgr_account()
    {
        using var connection = KhipuTestConnections.WithApiKey(server, settings => settings.KhipuAccountCredential = KhipuAccountCredential.FromUserName("sin-convenios", "x".ToSecureString()));
        var count = 0;

        await foreach (var unused in connection.GetKhipuClient().GetTgrExpiredAgreementsAsync(connection.GetKhipuAccountCredential(), connection.KhipuRequiresAccountCredential, null, CancellationToken.None))
        {
            count++;
        }

        // Only the emulator's rule for this user name gives an empty list, so the credential reached it.
        Assert.Equal(0, count);
        Assert.True(connection.KhipuRequiresAccountCredential);
        Assert.Equal(1, server.State.Counters.Total);
    }
}
