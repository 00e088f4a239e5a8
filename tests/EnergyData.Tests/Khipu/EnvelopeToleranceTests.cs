using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Callbacks;
using EnergyData.Khipu;
using EnergyData.Tests.Callbacks;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Khipu;

/// <summary>
/// Envelopes a server generated from the documents may send that the emulator does not: an empty <c>Error</c>
/// object on success, and envelope names in camelCase. Each is checked on the synchronous answer, the 202 answer
/// and a delivered callback result.
/// </summary>
public sealed class EnvelopeToleranceTests : ScriptedKhipuTests
{
    private const string DebtStatusData = """{"DebtStatus":{"ClientIdentifier":"1234567-8","Address":"AGUSTINAS 1234, SANTIAGO","Debt":{"TotalAmount":777,"Currency":"CLP","DueDate":"2017-07-22"}}}""";
    private const string FilledError = """{"Code":"E201","Type":"RETRY_IMMEDIATELY","Description":"El servicio destino utilizado para la extracción de datos no se encuentra disponible."}""";
    private static readonly Uri ExternalCallback = new("https://hooks.example.com/khipu/abc");

    [Fact]
    public async Task A_200_with_status_ok_and_an_empty_error_object_is_a_result()
    {
        // Error before Data, so the streaming reader has seen it when Data arrives.
        Server.Enqueue(200, $$"""{"OperationId":"op-1","Status":"OK","Error":{},"Data":{{DebtStatusData}},"AdditionalInformation":null,"LifeSpan":null}""");

        var status = await Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal(777m, status.DebtAmount);
        Assert.Equal("op-1", status.OperationId);
    }

    /// <summary>
    /// The document makes Data.DebtStatus a required object. A Data of another shape gave a row of empty fields, which
    /// passed for a client without debt in an export; it is that input's InvalidResponse, synchronously and delivered.
    /// </summary>
    [Theory]
    [InlineData("\"no debt\"", "Data is a text")]
    [InlineData("[]", "Data is a list")]
    [InlineData("""{"DebtStatus":[]}""", "Data is an object whose DebtStatus is a list")]
    [InlineData("""{"Other":{}}""", "Data is an object without DebtStatus")]
    public async Task A_debt_status_data_of_another_shape_is_an_invalid_response(string data, string described)
    {
        var body = $$"""{"OperationId":"op-shape","Status":"OK","Data":{{data}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""";
        Server.Enqueue(200, body);

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));
        var delivered = await Assert.ThrowsAsync<KhipuProtocolException>(() => MapCallbackAsync("op-shape", body));

        foreach (var failure in new[] { error, delivered })
        {
            Assert.Contains("for ClientIdentifier 1234567-8 has no DebtStatus object in its Data (" + described + "); OperationId op-shape.", failure.Message, StringComparison.Ordinal);
            Assert.Equal("InvalidResponse", EnergyData.Errors.ErrorMapper.FromException(failure, null).ErrorId);
        }
    }

    /// <summary>Status OK without Data is valid, but its row of empty debt fields alone passed for "no debt": a warning says so.</summary>
    [Fact]
    public async Task A_debt_status_without_data_is_a_row_with_a_warning_naming_the_client_and_the_note()
    {
        Server.Enqueue(200, """{"OperationId":"op-nodata","Status":"OK","Data":null,"AdditionalInformation":"Cliente sin informacion","Error":null,"LifeSpan":null}""");
        var context = new EnergyData.Tests.Neu.RecordingContext();

        var status = await Client().GetEnelDebtStatusAsync("1234567-8", context, CancellationToken.None);

        Assert.Null(status.DebtAmount);
        Assert.Equal("Khipu gave no debt status for ClientIdentifier 1234567-8 (AdditionalInformation: Cliente sin informacion); the row has no debt fields.", Assert.Single(context.Warnings));
    }

    /// <summary>The documents give Status OK or ERROR; another value without an error is read as a result, with one warning a command.</summary>
    [Fact]
    public async Task A_status_the_documents_do_not_give_is_read_as_a_result_with_one_warning()
    {
        var context = new EnergyData.Tests.Neu.RecordingContext();
        for (var i = 0; i < 2; i++)
        {
            Server.Enqueue(200, $$"""{"OperationId":"op-weird","Status":"WEIRD","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
            Assert.Equal(777m, (await Client().GetEnelDebtStatusAsync("1234567-8", context, CancellationToken.None)).DebtAmount);
        }

        Assert.Equal("Khipu answered Status 'WEIRD' (the documents give OK or ERROR) without an error; the answer was read as a result. Later ones like it in this command are shown with -Verbose.", Assert.Single(context.Warnings));
        Assert.Single(context.VerboseLines, line => line.StartsWith("WARNING: Khipu answered Status 'WEIRD'", StringComparison.Ordinal));
    }

    /// <summary>An unreadable answer to a submission named no input ("The Khipu response is not valid JSON"): in a bulk run, which one?</summary>
    [Theory]
    [InlineData(204, "", "is not valid JSON")]
    [InlineData(200, "[1]", "is not a Khipu envelope: it is not a JSON object.")]
    [InlineData(200, "{\"OperationId\":\"x\"}", "is not a Khipu envelope: it has no Status.")]
    public async Task An_unreadable_answer_to_a_submission_names_the_service_the_input_and_the_status(int status, string body, string problem)
    {
        Server.Enqueue(status, body);

        var error = await Assert.ThrowsAsync<KhipuProtocolException>(() => Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None));

        Assert.StartsWith($"The Khipu response to EnelDebtStatus for ClientIdentifier 1234567-8 (HTTP {status}) {problem}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_202_with_status_ok_and_an_empty_error_object_is_an_accepted_operation()
    {
        Server.Enqueue(202, """{"OperationId":"op-2","Status":"OK","Data":{},"AdditionalInformation":"Data will be sent to the callback URL.","Error":{},"LifeSpan":"2099-07-22T00:00:00-0400"}""");

        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);

        Assert.Equal("op-2", operation.OperationId);
        Assert.Equal("OK", operation.Status);
        Assert.Null(operation.ResultJson);
    }

    [Fact]
    public async Task A_delivered_result_with_an_empty_error_object_gives_its_rows()
    {
        var body = $$"""{"OperationId":"op-3","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":{},"LifeSpan":null}""";

        var rows = await MapCallbackAsync("op-3", body);

        Assert.Equal(777m, Assert.IsType<EnelDebtStatus>(Assert.Single(rows)).DebtAmount);
    }

    [Fact]
    public async Task Status_error_with_an_empty_error_object_is_still_an_error()
    {
        Server.Enqueue(200, """{"OperationId":"op-4","Status":"ERROR","Data":null,"AdditionalInformation":null,"Error":{},"LifeSpan":null}""");

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Null(error.ErrorCode);
        Assert.Contains("empty Error object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ok_with_a_filled_error_object_is_a_result_after_one_request()
    {
        // The documents: Error is "utilizado cuando Status=ERROR. Si Status=OK este campo será nulo". A server generated
        // from the per-field examples fills it anyway; RETRY_IMMEDIATELY would have been retried (each attempt billed).
        Server.Enqueue(200, $$"""{"OperationId":"op-5","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":{{FilledError}},"LifeSpan":null}""");
        var trace = new RecordingTrace();

        var status = await RetryingClient().GetEnelDebtStatusAsync("1234567-8", trace, CancellationToken.None);

        Assert.Equal(777m, status.DebtAmount);
        Assert.Equal("op-5", status.OperationId);
        Assert.Equal(1, Server.RequestCount);
        Assert.Contains("Status OK with an Error object (code E201", trace.VerboseText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_202_with_status_ok_and_a_filled_error_object_is_an_accepted_operation()
    {
        Server.Enqueue(202, $$"""{"OperationId":"op-15","Status":"OK","Data":null,"AdditionalInformation":"Data will be sent to the callback URL.","Error":{{FilledError}},"LifeSpan":"2099-07-22T00:00:00-0400"}""");

        var operation = await RetryingClient().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);

        Assert.Equal("op-15", operation.OperationId);
        Assert.Equal("OK", operation.Status);
        Assert.Null(operation.ResultJson);
        Assert.Equal(1, Server.RequestCount);
    }

    [Theory]
    [InlineData("""{"OperationId":"op-16","Status":"OK","Data":{"Resolutions":[{"ResolutionId":5001},{"ResolutionId":5002}]},"AdditionalInformation":null,"Error":ERR,"LifeSpan":null}""")]
    [InlineData("""{"OperationId":"op-16","Status":"OK","Error":ERR,"Data":{"Resolutions":[{"ResolutionId":5001},{"ResolutionId":5002}]},"AdditionalInformation":null,"LifeSpan":null}""")]
    [InlineData("""{"OperationId":"op-16","Error":ERR,"Data":{"Resolutions":[{"ResolutionId":5001},{"ResolutionId":5002}]},"AdditionalInformation":null,"LifeSpan":null,"Status":"OK"}""")]
    public async Task Tgr_with_status_ok_and_a_filled_error_object_gives_its_rows_and_no_error(string body)
    {
        // The document's order (Error after the rows), Error before Data, and Error before Data with Status after it.
        Server.Enqueue(200, body.Replace("ERR", FilledError, StringComparison.Ordinal));

        var resolutions = new System.Collections.Generic.List<TgrResolution>();
        await foreach (var resolution in RetryingClient().GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None))
        {
            resolutions.Add(resolution);
        }

        Assert.Equal(new long?[] { 5001, 5002 }, resolutions.Select(resolution => resolution.ResolutionId));
        Assert.All(resolutions, resolution => Assert.Equal("op-16", resolution.OperationId));
        Assert.Equal(1, Server.RequestCount);
    }

    [Fact]
    public async Task A_delivered_result_with_status_ok_and_a_filled_error_object_gives_its_rows()
    {
        var body = $$"""{"OperationId":"op-17","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":{{FilledError}},"LifeSpan":null}""";

        var rows = await MapCallbackAsync("op-17", body);

        Assert.Equal(777m, Assert.IsType<EnelDebtStatus>(Assert.Single(rows)).DebtAmount);
    }

    [Theory]
    [InlineData(null, "an error without a Status")]
    [InlineData("", "an error without a Status")]
    [InlineData("PENDING", "Status 'PENDING' with an error")]
    public async Task Without_status_ok_an_error_object_with_a_type_is_still_an_error_synchronously_and_when_delivered(string? status, string described)
    {
        // The older shape has no Status; any other value keeps the rule it had. Data comes after the Error, so it is skipped.
        var statusField = status is null ? string.Empty : ",\"Status\":\"" + status + "\"";
        var body = $$"""{"OperationId":"op-18"{{statusField}},"Error":{"Type":"DO_NOT_RETRY","Description":"down"},"Data":{{DebtStatusData}},"AdditionalInformation":null,"LifeSpan":null}""";
        Server.Enqueue(200, body);

        var error = await Assert.ThrowsAsync<KhipuException>(() => RetryingClient().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));
        var delivered = await Assert.ThrowsAsync<KhipuException>(() => MapCallbackAsync("op-18", body));

        // Synchronous or delivered, the message names the input it failed for (this pending record keeps no field names).
        Assert.StartsWith("Khipu EnelDebtStatus for ClientIdentifier 1234567-8 failed: ", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Khipu EnelDebtStatus for input 1234567-8 failed: ", delivered.Message, StringComparison.Ordinal);

        foreach (var failure in new[] { error, delivered })
        {
            Assert.Equal(EnergyData.Http.KhipuErrorType.DoNotRetry, failure.ErrorType);
            Assert.Equal("op-18", failure.OperationId);
            Assert.Contains(described, failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Status ERROR", failure.Message, StringComparison.Ordinal);

        }

        Assert.Equal(1, Server.RequestCount);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(400)]
    public async Task An_empty_error_object_beside_a_failure_reason_keeps_the_reason_and_its_retry_type(int status)
    {
        Server.Enqueue(status, """{"OperationId":"op-9","Status":"ERROR","Data":null,"Error":{},"FailureReason":"LIFESPAN_EXCEEDED","Message":"not finished in time"}""");

        var error = status == 202
            ? await Assert.ThrowsAsync<KhipuException>(() => Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None))
            : await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal("LIFESPAN_EXCEEDED", error.ErrorCode);
        Assert.Equal(EnergyData.Http.KhipuErrorType.DoNotRetry, error.ErrorType);
        Assert.Contains("not finished in time", error.Description, StringComparison.Ordinal);
        Assert.Equal(1, Server.RequestCount);
    }

    [Fact]
    public async Task Camel_case_names_inside_Data_fill_the_same_columns()
    {
        Server.Enqueue(200, """{"operationId":"op-10","status":"OK","data":{"debtStatus":{"clientIdentifier":"1234567-8","address":"AGUSTINAS 1234, SANTIAGO","debt":{"totalAmount":777,"currency":"CLP","dueDate":"2017-07-22"}}},"error":null}""");
        Server.Enqueue(200, """{"operationId":"op-11","status":"OK","data":{"nonconformitiesList":{"totalDisconformidades":2,"disconformidades":[{"Id":1},{"Id":2}]}},"error":null}""");
        Server.Enqueue(200, """{"operationId":"op-12","status":"OK","data":{"resolutions":[{"resolutionId":5001,"paymentType":"CONVENIO","resolutionDate":"2020-01-02"}]},"error":null}""");

        var status = await Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);
        var cenState = new CenPagingState();
        var cen = new System.Collections.Generic.List<CenNonconformity>();
        await foreach (var row in Client().GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 100 }, false, cenState, null, null, CancellationToken.None))
        {
            cen.Add(row);
        }

        var tgr = new System.Collections.Generic.List<TgrResolution>();
        await foreach (var resolution in Client().GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None))
        {
            tgr.Add(resolution);
        }

        Assert.Equal("AGUSTINAS 1234, SANTIAGO", status.Address);
        Assert.Equal(777m, status.DebtAmount);
        Assert.Equal(2, cen.Count);
        Assert.Equal(2, cenState.TotalCount);
        Assert.Equal(5001, Assert.Single(tgr).ResolutionId);
        Assert.Equal("CONVENIO", tgr[0].PaymentType);
    }

    [Fact]
    public async Task Camel_case_fields_written_after_the_rows_in_sorted_order_still_reach_the_rows()
    {
        Server.Enqueue(200, """{"additionalInformation":null,"data":{"resolutions":[{"resolutionId":5001,"paymentType":"CONVENIO"}]},"error":null,"lifeSpan":null,"operationId":"op-13","status":"OK"}""");
        Server.Enqueue(200, """{"data":{"nonconformitiesList":{"disconformidades":[{"Id":1},{"Id":2}],"totalDisconformidades":2}},"error":null,"operationId":"op-14","status":"OK"}""");

        var tgr = new System.Collections.Generic.List<TgrResolution>();
        await foreach (var resolution in Client().GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None))
        {
            tgr.Add(resolution);
        }

        var cen = new System.Collections.Generic.List<CenNonconformity>();
        await foreach (var row in Client().GetCenNonconformitiesAsync(new CenQuery { RutDeudor = "76999999", From = new DateTime(2019, 11, 14), To = new DateTime(2025, 11, 5), PageSize = 100 }, false, null, null, null, CancellationToken.None))
        {
            cen.Add(row);
        }

        Assert.Equal("op-13", Assert.Single(tgr).OperationId);
        Assert.Equal(2, cen.Count);
        Assert.All(cen, row => Assert.Equal(((string?)"op-14", (int?)2), (row.OperationId, row.TotalCount)));
    }

    [Fact]
    public async Task A_camel_case_200_envelope_is_read_as_the_documented_one()
    {
        Server.Enqueue(200, $$"""{"operationId":"op-6","status":"OK","data":{{DebtStatusData}},"additionalInformation":"note","error":null,"lifeSpan":null}""");

        var status = await Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);

        Assert.Equal(777m, status.DebtAmount);
        Assert.Equal("op-6", status.OperationId);
    }

    [Fact]
    public async Task A_camel_case_status_error_keeps_its_code_type_and_operation_id()
    {
        Server.Enqueue(200, """{"operationId":"op-7","status":"ERROR","data":null,"additionalInformation":null,"error":{"code":"E202","type":"WAIT_4_HOURS_BEFORE_RETRY","description":"busy"},"lifeSpan":null}""");

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal("E202", error.ErrorCode);
        Assert.Equal("op-7", error.OperationId);
        Assert.Equal(EnergyData.Http.KhipuErrorType.Wait4HoursBeforeRetry, error.ErrorType);
    }

    [Fact]
    public async Task A_camel_case_http_error_body_keeps_its_code()
    {
        Server.Enqueue(400, """{"operationId":"op-8","status":"ERROR","data":null,"error":{"code":"P001","type":"DO_NOT_RETRY","description":"bad body"}}""");

        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal("P001", error.ErrorCode);
        Assert.Equal("op-8", error.OperationId);
    }

    [Fact]
    public async Task A_camel_case_202_envelope_gives_the_operation_and_its_life_span()
    {
        Server.Enqueue(202, """{"operationId":"op-9","status":"OK","data":null,"additionalInformation":"queued","error":null,"lifeSpan":"2099-07-22T00:00:00-0400"}""");

        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);

        Assert.Equal("op-9", operation.OperationId);
        Assert.Equal(new DateTimeOffset(2099, 7, 22, 0, 0, 0, TimeSpan.FromHours(-4)), operation.LifeSpan);
        Assert.Equal("queued", operation.AdditionalInformation);
    }

    [Fact]
    public async Task A_camel_case_delivered_result_gives_its_rows()
    {
        var body = $$"""{"operationId":"op-10","status":"OK","data":{{DebtStatusData}},"additionalInformation":null,"error":null,"lifeSpan":null}""";

        var rows = await MapCallbackAsync("op-10", body);

        Assert.Equal(777m, Assert.IsType<EnelDebtStatus>(Assert.Single(rows)).DebtAmount);
    }

    [Fact]
    public async Task The_receiver_files_a_camel_case_delivery_under_its_operation_id()
    {
        using var folder = new TemporaryInbox();
        using var receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        var body = $$"""{"operationId":"op-11","status":"OK","data":{{DebtStatusData}},"additionalInformation":null,"error":null,"lifeSpan":null}""";

        using var response = await Http.PostAsync(receiver.CallbackUrl, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(receiver.Inbox.HasResult("op-11"));
    }

    [Theory]
    [InlineData("""{"OperationId":"ack-1","Status":"OK","Data":null,"AdditionalInformation":"Data will be sent to the callback URL.","Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}""")]
    [InlineData("""{"OperationId":"ack-1","Status":"OK","Data":{},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""")]
    [InlineData("""{"OperationId":"ack-1","Status":"OK","AdditionalInformation":null,"Error":null}""")]
    public async Task A_200_acknowledgement_of_a_callback_request_is_not_taken_for_its_result(string body)
    {
        // The Enel and CEN documents list only a 200 answer; a server built from them may acknowledge with it.
        Server.Enqueue(200, body);

        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);

        Assert.Equal("ack-1", operation.OperationId);
        Assert.Null(operation.ResultJson);
    }

    [Fact]
    public async Task A_200_with_data_to_a_callback_request_is_kept_as_its_result()
    {
        Server.Enqueue(200, $$"""{"OperationId":"now-1","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");

        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);

        Assert.Contains("AGUSTINAS", operation.ResultJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_that_start_with_a_byte_order_mark_are_read_on_every_path()
    {
        const string Bom = "\uFEFF";
        Server.Enqueue(200, Bom + $$"""{"OperationId":"bom-1","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}""");
        Server.Enqueue(202, Bom + """{"OperationId":"bom-2","Status":"OK","Data":null,"AdditionalInformation":null,"Error":null,"LifeSpan":"2099-07-22T00:00:00-0400"}""");
        Server.Enqueue(400, Bom + """{"OperationId":"bom-3","Status":"ERROR","Data":null,"Error":{"Code":"P001","Type":"DO_NOT_RETRY","Description":"bad body"}}""");

        var status = await Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None);
        var operation = await Client().SubmitAsync(KhipuClient.EnelDebtStatusRequest("1234567-8", ExternalCallback), "1234567-8", null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<KhipuException>(() => Client().GetEnelDebtStatusAsync("1234567-8", null, CancellationToken.None));

        Assert.Equal(777m, status.DebtAmount);
        Assert.Equal("bom-2", operation.OperationId);
        Assert.Equal("P001", error.ErrorCode);
        Assert.Equal(EnergyData.Http.KhipuErrorType.DoNotRetry, EnergyData.Http.KhipuErrorClassifier.ParseEnvelope(Encoding.UTF8.GetBytes(Bom + ServerKhipuError())));
    }

    [Fact]
    public async Task The_receiver_files_a_delivery_that_starts_with_a_byte_order_mark()
    {
        using var folder = new TemporaryInbox();
        using var receiver = CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = folder.Root });
        var body = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble()
            .Concat(Encoding.UTF8.GetBytes($$"""{"OperationId":"bom-4","Status":"OK","Data":{{DebtStatusData}},"AdditionalInformation":null,"Error":null,"LifeSpan":null}"""))
            .ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await Http.PostAsync(receiver.CallbackUrl, content);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(receiver.Inbox.HasResult("bom-4"));
        using var stored = Assert.IsAssignableFrom<Stream>(receiver.Inbox.OpenResult("bom-4"));
        var rows = await KhipuClient.MapCallbackResultAsync(Envelopes.DebtOperation("bom-4", "1234567-8"), stored, null, CancellationToken.None);
        Assert.Equal(777m, Assert.IsType<EnelDebtStatus>(Assert.Single(rows)).DebtAmount);
    }

    [Fact]
    public async Task Camel_case_amounts_and_currencies_fill_the_tgr_columns()
    {
        Server.Enqueue(200, """{"operationId":"op-13","status":"OK","data":{"resolutions":[{"resolutionId":5002,"netBalance":{"amount":1000,"currency":"CLP"},"debts":[{"amount":{"amount":20000,"currency":"UF"},"form":21}]}]},"error":null}""");

        var resolutions = new System.Collections.Generic.List<TgrResolution>();
        await foreach (var resolution in Client().GetTgrExpiredAgreementsAsync(null, false, null, CancellationToken.None))
        {
            resolutions.Add(resolution);
        }

        var only = Assert.Single(resolutions);
        Assert.Equal(1000m, only.NetBalanceAmount);
        Assert.Equal("CLP", only.NetBalanceCurrency);
        var debt = Assert.Single(only.GetDebts());
        Assert.Equal(20000m, debt.Amount);
        Assert.Equal("UF", debt.Currency);
    }

    [Theory]
    [InlineData("JVBERi0xLjQ=", "%PDF-1.4")]
    [InlineData("JVBERi0xLjQKJSVFT0Y", "%PDF-1.4\n%%EOF")]
    [InlineData("data:application/pdf;base64,JVBERi0xLjQ=", "%PDF-1.4")]
    [InlineData("  JVBERi0xLjQ=\n", "%PDF-1.4")]
    [InlineData("JVBERi0xLjQKJSVF\r\nT0YK", "%PDF-1.4\n%%EOF\n")]
    [InlineData("__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-__8-", "\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>\u00ff\u00ff>")]
    public void Bill_documents_in_the_usual_base64_variants_are_decoded(string encoded, string expected)
    {
        var bytes = KhipuClient.TryDecodeBase64(encoded);

        Assert.Equal(expected, new string(Array.ConvertAll(Assert.IsType<byte[]>(bytes), b => (char)b)));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("data:text/plain,JVBERi0xLjQ=")]
    [InlineData("N/A")]
    [InlineData("NO-DATA")]
    [InlineData("TEST")]
    [InlineData("document")]
    [InlineData("Document not available")]
    [InlineData("DocumentNotFound")]
    [InlineData("none")]
    [InlineData("")]
    public void Text_that_is_not_base64_is_not_decoded(string text) => Assert.Null(KhipuClient.TryDecodeBase64(text));

    private static string ServerKhipuError() => ScriptedServer.KhipuError("DO_NOT_RETRY");

    private static async Task<System.Collections.Generic.IReadOnlyList<object>> MapCallbackAsync(string operationId, string body)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return await KhipuClient.MapCallbackResultAsync(Envelopes.DebtOperation(operationId, "1234567-8"), stream, null, CancellationToken.None);
    }


    /// <summary>With the default attempt budget: a RETRY_IMMEDIATELY error would be sent again.</summary>
    private KhipuClient RetryingClient() => new(Http, Server.BaseUri, new KhipuClientOptions());
}
