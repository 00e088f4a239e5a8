using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Khipu;
using EnergyData.Tests.Http;
using EnergyData.Tests.Neu;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// Khipu bodies that are not UTF-8, as for NEU: a charset declared in Content-Type is honoured (as Invoke-RestMethod
/// honours it), and text that still does not decode is an InvalidResponse error naming the service and the input,
/// not an UnexpectedError ("Cannot transcode invalid UTF-8 JSON text") naming neither.
/// </summary>
public sealed class KhipuBodyEncodingTests : ScriptedKhipuTests
{
    private const string Answer = """{"OperationId":"x","Status":"OK","Data":{"NonconformitiesList":{"TotalDisconformidades":1,"Disconformidades":[{"IdCaso":1,"Estado":"Resolución pendiente"}]}}}""";

    private static readonly Encoding Latin1 = Encoding.GetEncoding("ISO-8859-1");

    [Fact]
    public async Task An_answer_in_the_charset_it_declares_is_read_in_it()
    {
        Server.Enqueue(Raw(200, "application/json; charset=ISO-8859-1", Latin1.GetBytes(Answer)));

        var row = Assert.Single(await Client().GetCenNonconformitiesAsync(Query(), false, null, null, null, CancellationToken.None).ToListAsync());

        Assert.Contains(new KeyValuePair<string, object?>("Estado", "Resolución pendiente"), row.GetFields());
    }

    [Fact]
    public async Task An_answer_that_does_not_decode_is_an_invalid_response_naming_the_input()
    {
        Server.Enqueue(Raw(200, "application/json", Latin1.GetBytes(Answer)));

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => Client().GetCenNonconformitiesAsync(Query(), false, null, null, null, CancellationToken.None).ToListAsync());

        Assert.StartsWith("The Khipu response to CenNonconformity for RutDeudor 76999999", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidResponse", EnergyData.Errors.ErrorMapper.FromException(error, "76999999").ErrorId);
    }

    [Fact]
    public async Task An_error_body_in_the_charset_it_declares_is_quoted_in_it()
    {
        Server.Enqueue(Raw(400, "application/json; charset=ISO-8859-1", Latin1.GetBytes("""{"message":"Número de cliente inválido"}""")));

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelBillDocumentAsync("9002", "a@b.cl", null, null, CancellationToken.None));

        Assert.Contains("'Número de cliente inválido'", error.Message, StringComparison.Ordinal);
    }

    private static CenQuery Query() => new() { RutDeudor = "76999999", From = new DateTime(2020, 1, 1), To = new DateTime(2020, 2, 1) };

    private static Func<HttpContext, Task> Raw(int status, string contentType, byte[] body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(body);
    };
}
