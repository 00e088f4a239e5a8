using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Tests.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// Bodies that are not UTF-8. Found by an independent server: a body declared ISO-8859-1 failed as an UnexpectedError
/// ("Cannot transcode invalid UTF-8 JSON text") naming neither the route nor the status. A declared charset is now
/// honoured, as Invoke-RestMethod honours it; text that still does not decode is an InvalidResponse error that names
/// the answer, as any other body that cannot be read.
/// </summary>
public sealed class NeuBodyEncodingTests
{
    private static readonly Encoding Latin1 = Encoding.GetEncoding("ISO-8859-1");

    [Fact]
    public async Task A_body_in_the_charset_it_declares_is_read_in_it()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(Raw(200, "application/json; charset=ISO-8859-1", Latin1.GetBytes("[{\"id_account\":41,\"account_name\":\"Casa Ñandú\"}]")));
        var trace = new RecordingTrace();

        var account = Assert.Single(await NeuPagingTests.Client(server).GetAccountsAsync(null, trace, CancellationToken.None).ToListAsync());

        Assert.Equal("Casa Ñandú", account.Account.AccountName);
        Assert.Contains(trace.VerboseLines, line => line.Contains("declared iso-8859-1, not UTF-8", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json; charset=us-ascii")]
    [InlineData("application/json; charset=no-such-charset")]
    [InlineData("application/json")]
    public async Task A_body_declared_UTF_8_or_ASCII_or_nothing_known_is_read_as_UTF_8(string contentType)
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(Raw(200, contentType, Encoding.UTF8.GetBytes("[{\"id_account\":41,\"account_name\":\"Casa Ñandú\"}]")));

        var account = Assert.Single(await NeuPagingTests.Client(server).GetAccountsAsync(null, null, CancellationToken.None).ToListAsync());

        Assert.Equal("Casa Ñandú", account.Account.AccountName);
    }

    [Fact]
    public async Task Text_that_does_not_decode_is_an_invalid_response_naming_the_answer()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(Raw(200, "application/json", Latin1.GetBytes("[{\"id_account\":41,\"account_name\":\"Casa Ñandú\"}]")));

        var error = await Assert.ThrowsAsync<NeuProtocolException>(() => NeuPagingTests.Client(server).GetAccountsAsync(null, null, CancellationToken.None).ToListAsync());

        Assert.StartsWith("NEU answered 200 OK to Accounts (GET accounts/) with a body that cannot be read:", error.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", EnergyData.Errors.ErrorMapper.FromException(error, 41).ErrorId);
    }

    /// <summary>Half a surrogate pair has no .NET string: the text is kept as written, with a warning, and the row stays.</summary>
    [Fact]
    public async Task A_text_with_half_a_surrogate_pair_is_kept_as_written_with_a_warning()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(Raw(200, "application/json", Encoding.UTF8.GetBytes("[{\"id_account\":41,\"account_name\":\"Casa \\ud800\"}]")));
        var context = new RecordingContext();

        var account = Assert.Single(await NeuPagingTests.Client(server).GetAccountsAsync(null, context, CancellationToken.None).ToListAsync());

        Assert.Equal(41, account.Account.AccountId);
        Assert.Equal("Casa \\ud800", account.Account.AccountName);
        Assert.StartsWith("NEU Accounts: field account_name is not valid text ('Casa \\ud800'", Assert.Single(context.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_body_in_the_charset_it_declares_is_quoted_in_it()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Enqueue(Raw(400, "application/json; charset=ISO-8859-1", Latin1.GetBytes("{\"detail\":\"Número de cuenta inválido\"}")));

        var error = await Assert.ThrowsAsync<NeuException>(() => NeuPagingTests.Client(server).GetNeugetsAsync(41, null, CancellationToken.None).ToListAsync());

        Assert.Contains("Número de cuenta inválido.", error.Message, StringComparison.Ordinal);
    }

    private static Func<HttpContext, Task> Raw(int status, string contentType, byte[] body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(body);
    };
}
