using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using EnergyData.Validation;
using Xunit;

namespace EnergyData.Tests.Validation;

/// <summary>
/// The decision behind [TextFromPipeline] (Get-EnelDebtStatus -ClientIdentifier, Get-NeuFrontierConsumption -SicCode),
/// with plain objects, dictionaries and a stand-in for PowerShell's PSObject: a wrapper whose properties are its own
/// (note properties) and whose base object may be an empty placeholder, as a [pscustomobject]'s is.
/// </summary>
public sealed class TextArgumentTests
{
    private static readonly string[] ClientNames = ["ClientIdentifier", "ClientId", "Client", "AccountNumber", "NumeroCliente", "NumeroDeCliente", "NumeroCuenta", "Cuenta"];

    public static TheoryData<object, string> Scalars() => new()
    {
        { "1234567-8", "1234567-8" },
        { 1234567, "1234567" },
        { 1234567L, "1234567" },
        { (short)778, "778" },
        { 4294967295u, "4294967295" },
        { 1234567m, "1234567" },
        { 1234567.0, "1234567" },
        { 1234567.0f, "1234567" },
        { 0.1, "0.1" },
        { BigInteger.Parse("12345678901234567890123", CultureInfo.InvariantCulture), "12345678901234567890123" },
        { 'K', "K" },
        { string.Empty, string.Empty },
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Text_and_numbers_are_taken_as_their_invariant_text(object value, string expected)
    {
        Assert.Equal([expected], Texts(value));
        Assert.Equal([expected], Texts(new Wrapper(value)));
    }

    [Fact]
    public void Numbers_do_not_follow_the_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(["1.5", "1234567"], Texts(new object[] { 1.5, 1234567m }));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void An_object_whose_property_holds_a_number_is_that_number_not_its_type_name()
    {
        // What Invoke-Sqlcmd, ConvertFrom-Json and Import-Excel pipe: the binder, left alone, sent
        // "System.Data.DataRow" or "@{ClientIdentifier=1234567}".
        Assert.Equal(["1234567"], Texts(new Wrapper(new Placeholder(), ("ClientIdentifier", 1234567))));
        Assert.Equal(["1234567"], Texts(new Wrapper(new Placeholder(), ("clientidentifier", new Wrapper(1234567L)))));
        Assert.Equal(["1234567"], Texts(new { ClientIdentifier = 1234567.0, Region = "RM" }));
        Assert.Equal(["1234567-8"], Texts(new Wrapper(new { ClientIdentifier = "1234567-8" })));
    }

    [Fact]
    public void Aliases_are_looked_for_after_the_name_in_order()
    {
        Assert.Equal(["778899"], Texts(new Wrapper(new Placeholder(), ("NumeroCliente", "778899"))));
        Assert.Equal(["1"], Texts(new Wrapper(new Placeholder(), ("Cuenta", "2"), ("ClientId", "3"), ("ClientIdentifier", "1"))));
        Assert.Equal(["3"], Texts(new Wrapper(new Placeholder(), ("Cuenta", "2"), ("ClientId", "3"))));
    }

    [Fact]
    public void Dictionaries_are_bags_of_named_values_ignoring_case()
    {
        Assert.Equal(["1234567"], Texts(new Hashtable { ["clientidentifier"] = 1234567 }));
        Assert.Equal(["42"], Texts(new Dictionary<string, object?> { ["NumeroCuenta"] = 42L }));
        var error = Assert.Throws<ParameterValidationException>(() => Texts(new Dictionary<string, object?> { ["Count"] = 1 }));
        Assert.Contains("System.Collections.Generic.Dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_give_the_texts_of_their_items_and_a_property_may_hold_a_list()
    {
        // -ClientIdentifier 1234567, '7654321-K', (Import-Csv clients.csv): an object[] of mixed items.
        var row = new Wrapper(new Placeholder(), ("NumeroCliente", "555"));
        Assert.Equal(["1234567", "7654321-K", "555"], Texts(new object[] { 1234567, new Wrapper("7654321-K"), row }));
        Assert.Equal(["1", "2"], Texts(new Wrapper(new Placeholder(), ("ClientIdentifier", new object[] { 1, "2" }))));
        Assert.Equal(["1", "2"], Texts(new Wrapper(new object[] { "1", 2 })));
        Assert.Empty(Texts(Array.Empty<object>()));
    }

    [Fact]
    public void An_empty_value_is_empty_text_for_the_parameter_rules_to_refuse_and_null_itself_is_left_to_the_binder()
    {
        Assert.Equal([string.Empty], Texts(new Wrapper(new Placeholder(), ("ClientIdentifier", null))));
        Assert.Equal([string.Empty], Texts(new Wrapper(new Placeholder(), ("ClientIdentifier", DBNull.Value))));
        Assert.Equal(["1", string.Empty], Texts(new object?[] { 1, null }));
        Assert.Null(TextsOrNull(null));
    }

    public static TheoryData<object, string> Refused() => new()
    {
        { new Wrapper(new Placeholder(), ("Name", "x")), "A EnergyData.Tests.Validation.TextArgumentTests+Placeholder has none of them." },
        { new Uri("https://example.com/"), "A System.Uri has none of them." },
        { true, "A System.Boolean has none of them." },
        { new DateTime(2025, 1, 1), "A System.DateTime has none of them." },
        { DayOfWeek.Monday, "A System.DayOfWeek has none of them." },
        { new Wrapper(new Placeholder(), ("Client", new Hashtable { ["Id"] = 1 })), "The Client property of a EnergyData.Tests.Validation.TextArgumentTests+Placeholder holds a System.Collections.Hashtable." },
        { new Wrapper(new Placeholder(), ("Client", new object[] { 1, new Uri("https://example.com/") })), "holds a System.Uri." },
        { new object[] { "1", new object[] { "2" } }, "A list inside a list is not taken" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Anything_else_is_refused_naming_the_parameter_and_the_properties_looked_for(object value, string detail)
    {
        var error = Assert.Throws<ParameterValidationException>(() => Texts(value));

        Assert.Equal("ClientIdentifier", error.ParamName);
        Assert.StartsWith(
            "Parameter 'ClientIdentifier' takes text, a number, or an object with a property named ClientIdentifier, ClientId, Client, AccountNumber, NumeroCliente, NumeroDeCliente, NumeroCuenta or Cuenta.",
            error.Message,
            StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_xml_element_is_one_object_whose_child_elements_are_its_properties_not_a_list()
    {
        // ([xml]$x).Clientes.Cliente | Get-EnelDebtStatus: PowerShell hands each XmlElement on as one object, and its
        // XML adapter shows <NumeroCliente> as a property. An XmlElement also enumerates its child nodes, which must
        // not make it a list ("a list inside a list" or no text at all).
        var document = new System.Xml.XmlDocument();
        document.LoadXml("<Clientes><Cliente><NumeroCliente>1234567-8</NumeroCliente></Cliente></Clientes>");
        var element = document.DocumentElement!.FirstChild!;

        Assert.Equal(["1234567-8"], Texts(new Wrapper(element, ("NumeroCliente", "1234567-8"))));
    }

    [Fact]
    public void A_single_name_reads_without_a_list()
    {
        var error = Assert.Throws<ParameterValidationException>(() => TextArgument.ToTexts(new Uri("https://example.com/"), "SicCode", ["SicCode"], PlainObjectReader.Instance));

        Assert.StartsWith("Parameter 'SicCode' takes text, a number, or an object with a property named SicCode.", error.Message, StringComparison.Ordinal);
        Assert.Equal(["FRT00123"], TextArgument.ToTexts(new { sic_code = "FRT00123" }, "SicCode", ["SicCode", "sic_code"], PlainObjectReader.Instance)!);
    }

    private static string[] Texts(object value) => TextsOrNull(value) ?? throw new InvalidOperationException("null for a value that is not null");

    private static string[]? TextsOrNull(object? value) => TextArgument.ToTexts(value, "ClientIdentifier", ClientNames, WrapperReader.Instance);

    /// <summary>What a [pscustomobject]'s BaseObject is: an object with no data of its own.</summary>
    private sealed class Placeholder
    {
    }

    /// <summary>A stand-in for PSObject: a base object, plus properties of the wrapper's own (note properties).</summary>
    private sealed class Wrapper
    {
        public Wrapper(object baseObject, params (string Name, object? Value)[] notes)
        {
            BaseObject = baseObject;
            Notes = notes;
        }

        public object BaseObject { get; }

        public IReadOnlyList<(string Name, object? Value)> Notes { get; }
    }

    /// <summary>Reads a <see cref="Wrapper"/> as PowerShell reads a PSObject: its own properties, then its base object's.</summary>
    private sealed class WrapperReader : IObjectReader
    {
        public static WrapperReader Instance { get; } = new();

        public object? Unwrap(object? value) => value is Wrapper wrapper ? wrapper.BaseObject : value;

        public bool TryGetProperty(object value, string name, out object? propertyValue)
        {
            if (value is Wrapper wrapper)
            {
                foreach (var (noteName, noteValue) in wrapper.Notes)
                {
                    if (string.Equals(noteName, name, StringComparison.OrdinalIgnoreCase))
                    {
                        propertyValue = noteValue;
                        return true;
                    }
                }

                value = wrapper.BaseObject;
            }

            return PlainObjectReader.Instance.TryGetProperty(value, name, out propertyValue);
        }
    }
}
