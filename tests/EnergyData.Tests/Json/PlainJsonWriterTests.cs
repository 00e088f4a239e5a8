using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;
using EnergyData.Khipu;
using EnergyData.Neu;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Json;

/// <summary>
/// The writer of request bodies (Invoke-KhipuRequest -RequestData, Invoke-NeuRequest -Body): what it writes for the
/// plain values the cmdlets hand it, and that it refuses, naming the parameter, what it has no JSON form for instead of
/// writing its ToString() (an unconverted [pscustomobject] used to go out as "", in a billed request).
/// </summary>
public sealed class PlainJsonWriterTests
{
    private enum Colour
    {
        Red,
        DarkBlue,
    }

    [Fact]
    public void A_pscustomobject_made_into_ordered_maps_is_written_as_nested_objects_also_inside_lists()
    {
        // What the cmdlets make of @{ Filtros = (Get-Content f.json -Raw | ConvertFrom-Json) } on Windows PowerShell 5.1.
        var filtros = new Dictionary<string, object?>
        {
            ["Comuna"] = "Santiago",
            ["Tramos"] = new List<object?>
            {
                new Dictionary<string, object?> { ["Desde"] = 1, ["Hasta"] = 10 },
                new Dictionary<string, object?> { ["Desde"] = 11, ["Hasta"] = null },
            },
            ["Vacio"] = new Dictionary<string, object?>(),
        };

        var json = Encoding.UTF8.GetString(KhipuRequestWriter.Write(new KhipuRequest(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["Filtros"] = filtros })));

        Assert.Equal("{\"RequestData\":{\"Filtros\":{\"Comuna\":\"Santiago\",\"Tramos\":[{\"Desde\":1,\"Hasta\":10},{\"Desde\":11,\"Hasta\":null}],\"Vacio\":{}}}}", json);
    }

    [Fact]
    public void Scalars_with_a_plain_json_form_are_written_as_such()
    {
        var id = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");
        var body = new NeuBody()
            .Add("Letter", 'x')
            .Add("Id", id)
            .Add("Colour", Colour.DarkBlue)
            .Add("Missing", DBNull.Value)
            .Add("Big", ulong.MaxValue)
            .Add("Ratio", 0.5)
            .Add("Flag", true);

        var json = Encoding.UTF8.GetString(body.ToJson());

        Assert.Equal("{\"Letter\":\"x\",\"Id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"Colour\":\"DarkBlue\",\"Missing\":null,\"Big\":18446744073709551615,\"Ratio\":0.5,\"Flag\":true}", json);
    }

    [Fact]
    public void A_BigInteger_from_ConvertFrom_Json_is_written_as_a_number_with_all_its_digits()
    {
        // PowerShell 7's ConvertFrom-Json gives a BigInteger for an integer beyond Int64 and decimal.
        var large = BigInteger.Parse("123456789012345678901234567890", CultureInfo.InvariantCulture);
        var filtros = new Dictionary<string, object?> { ["NumeroCuenta"] = large, ["Saldos"] = new List<object?> { -large } };

        var khipu = Encoding.UTF8.GetString(KhipuRequestWriter.Write(new KhipuRequest(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["Filtros"] = filtros })));
        var neu = Encoding.UTF8.GetString(new NeuBody().Add("Id", large).ToJson());
        var query = new NeuBody().Add("Id", large).ToQueryString();

        Assert.Equal("{\"RequestData\":{\"Filtros\":{\"NumeroCuenta\":123456789012345678901234567890,\"Saldos\":[-123456789012345678901234567890]}}}", khipu);
        Assert.Equal("{\"Id\":123456789012345678901234567890}", neu);
        Assert.Equal("Id=123456789012345678901234567890", query);
    }

    [Fact]
    public void A_float_is_written_as_its_shortest_float_text_not_widened_to_double()
    {
        var json = Encoding.UTF8.GetString(new NeuBody().Add("Ratio", 0.1f).Add("Price", 12.3f).ToJson());

        Assert.Equal("{\"Ratio\":0.1,\"Price\":12.3}", json);
    }

    public static TheoryData<object> ValuesWithoutJsonForm() => new()
    {
        new object(),
        new FileInfo("clients.json"),
        new StringBuilder("text"),
        TimeSpan.FromMinutes(5),
        new Version(1, 2),
    };

    [Theory]
    [MemberData(nameof(ValuesWithoutJsonForm))]
    public void A_value_without_a_json_form_is_refused_naming_the_parameter_not_written_as_text(object value)
    {
        var type = value.GetType().FullName!;
        var request = new KhipuRequest(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["List"] = new List<object?> { 1, new Dictionary<string, object?> { ["Value"] = value } } });

        var khipu = Assert.Throws<ParameterValidationException>(() => KhipuRequestWriter.Write(request));
        var redacted = Assert.Throws<ParameterValidationException>(() => KhipuRequestWriter.WriteRedacted(request));
        var neu = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Value", value).ToJson());

        Assert.Equal("RequestData", khipu.ParamName);
        Assert.Equal("RequestData", redacted.ParamName);
        Assert.Equal("Body", neu.ParamName);
        Assert.Contains("cannot hold a value of type " + type, khipu.Message, StringComparison.Ordinal);
        Assert.Contains("cannot hold a value of type " + type, neu.Message, StringComparison.Ordinal);
        Assert.Contains("Field 'List[1].Value' holds one.", khipu.Message, StringComparison.Ordinal);
        Assert.Contains("Field 'List[1].Value' holds one.", redacted.Message, StringComparison.Ordinal);
        Assert.Contains("Field 'Value' holds one.", neu.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_value_in_a_nested_map_of_a_list_is_named_by_its_field_path()
    {
        var request = new KhipuRequest(KhipuServices.EnelDebtStatus, new Dictionary<string, object?>
        {
            ["Filtros"] = new Dictionary<string, object?> { ["Tramos"] = new List<object?> { new Dictionary<string, object?> { ["Desde"] = double.NaN } } },
        });
        var whole = new KhipuRequest(KhipuServices.EnelDebtStatus, new Dictionary<string, object?> { ["Top"] = new object() });

        var error = Assert.Throws<ParameterValidationException>(() => KhipuRequestWriter.Write(request));
        var top = Assert.Throws<ParameterValidationException>(() => KhipuRequestWriter.Write(whole));

        Assert.Equal("Parameter 'RequestData' cannot hold NaN or infinity. Field 'Filtros.Tramos[0].Desde' holds one. JSON has no such number.", error.Message);
        Assert.Equal("Parameter 'RequestData' cannot hold a value of type System.Object. Field 'Top' holds one. Give strings, numbers, booleans, dates, hashtables, [pscustomobject]s or arrays of them.", top.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinity_are_refused_naming_the_parameter(double number)
    {
        var error = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Limit", number).ToJson());
        var single = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Limit", (float)number).ToJson());

        Assert.Equal("Body", error.ParamName);
        Assert.Equal("Body", single.ParamName);
    }

    [Fact]
    public void A_GET_query_string_takes_scalars_and_lists_of_them_but_refuses_nested_objects_and_lists_of_lists()
    {
        Assert.Equal("Id=1&Id=2&Name=Sur", new NeuBody().Add("Id", new List<object?> { 1L, 2L }).Add("Name", "Sur").ToQueryString());

        var nested = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Filter", new Dictionary<string, object?> { ["Name"] = "Sur" }).ToQueryString());
        var inList = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Filters", new List<object?> { new Dictionary<string, object?> { ["Name"] = "Sur" } }).ToQueryString());
        var listOfLists = Assert.Throws<ParameterValidationException>(() => new NeuBody().Add("Pairs", new List<object?> { new List<object?> { 1, 2 } }).ToQueryString());

        Assert.All(new[] { nested, inList, listOfLists }, error => Assert.Equal("Body", error.ParamName));
        Assert.Contains("'Filter'", nested.Message, StringComparison.Ordinal);
    }
}
