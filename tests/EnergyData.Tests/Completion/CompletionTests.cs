using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using EnergyData.Completion;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Completion;

public sealed class CompletionTests
{
    private static readonly CompletionCandidate[] Intervals = { new("Hourly"), new("Daily"), new("Monthly") };

    [Theory]
    [InlineData("", new[] { "Hourly", "Daily", "Monthly" })]
    [InlineData("d", new[] { "Daily" })]
    [InlineData("MON", new[] { "Monthly" })]
    [InlineData("'Hou", new[] { "Hourly" })]
    [InlineData("\"daily\"", new[] { "Daily" })]
    [InlineData("*ly", new[] { "Hourly", "Daily", "Monthly" })]
    [InlineData("?ai*", new[] { "Daily" })]
    [InlineData("x", new string[0])]
    public void Candidates_match_the_typed_word_by_prefix_or_wildcard_in_their_order(string word, string[] expected)
    {
        Assert.Equal(expected, CompletionMatcher.Match(Intervals, word).Select(match => match.CompletionText));
    }

    [Fact]
    public void Values_powershell_would_split_are_quoted_and_tooltips_carry_the_description()
    {
        var matches = CompletionMatcher.Match(new[] { new CompletionCandidate("Casa Norte", "account"), new CompletionCandidate("O'Higgins 12"), new CompletionCandidate("1234") }, null);
        Assert.Equal(new[] { "'Casa Norte'", "'O''Higgins 12'", "1234" }, matches.Select(match => match.CompletionText));
        Assert.Equal(new[] { "Casa Norte", "O'Higgins 12", "1234" }, matches.Select(match => match.ListItemText));
        Assert.Equal("Casa Norte: account", matches[0].ToolTip);
        Assert.Equal("1234", matches[2].ToolTip);
    }

    [Fact]
    public void Duplicate_candidates_are_offered_once()
    {
        var matches = CompletionMatcher.Match(new[] { new CompletionCandidate("77"), new CompletionCandidate("77", "again"), new CompletionCandidate("78") }, "7");
        Assert.Equal(new[] { "77", "78" }, matches.Select(match => match.CompletionText));
    }

    [Fact]
    public void Recent_values_are_most_recent_first_without_duplicates_and_bounded()
    {
        var store = new RecentValues(capacityPerKind: 3);
        store.Remember(RecentValueKinds.NeuAccountId, "1", "Casa");
        store.Remember(RecentValueKinds.NeuAccountId, "2");
        store.Remember(RecentValueKinds.NeuAccountId, "3");
        store.Remember(RecentValueKinds.NeuAccountId, "1", "Casa Norte");
        store.Remember(RecentValueKinds.NeuAccountId, "4");
        store.Remember(RecentValueKinds.NeuAccountId, "  ");
        store.Remember(RecentValueKinds.NeuServiceId, "900");

        var accounts = store.Get(RecentValueKinds.NeuAccountId);
        Assert.Equal(new[] { "4", "1", "3" }, accounts.Select(value => value.Value));
        Assert.Equal("Casa Norte", accounts[1].Description);
        Assert.Equal(new[] { "900" }, store.Get(RecentValueKinds.NeuServiceId).Select(value => value.Value));
        Assert.Empty(store.Get("unknown"));

        store.Clear(RecentValueKinds.NeuAccountId);
        Assert.Empty(store.Get(RecentValueKinds.NeuAccountId));
        Assert.Single(store.Get(RecentValueKinds.NeuServiceId));
    }

    [Fact]
    public void Recent_values_take_writers_and_readers_on_many_threads()
    {
        var store = new RecentValues(capacityPerKind: 50);
        Parallel.For(0, 2000, index =>
        {
            store.Remember(RecentValueKinds.NeuServiceId, (index % 120).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var snapshot = store.Get(RecentValueKinds.NeuServiceId);
            Assert.True(snapshot.Count <= 50);
        });

        var values = store.Get(RecentValueKinds.NeuServiceId).Select(value => value.Value).ToList();
        Assert.Equal(50, values.Count);
        Assert.Equal(values.Count, values.Distinct().Count());
    }

    [Fact]
    public void Every_argument_completer_of_the_module_is_a_concrete_completer()
    {
        var used = 0;
        foreach (var cmdlet in ModuleMetadata.Instance.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters)
            {
                foreach (var attribute in parameter.Property.GetCustomAttributesData().Where(data => data.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute"))
                {
                    used++;
                    var type = attribute.ConstructorArguments.Single().Value as Type;
                    Assert.True(type is not null, $"{cmdlet.Name} -{parameter.Name}: the completer is a script block, not a completer class");
                    Assert.Contains(type!.GetInterfaces(), candidate => candidate.FullName == "System.Management.Automation.IArgumentCompleter");
                    Assert.False(type.IsAbstract, $"{type.Name} is abstract");
                    Assert.NotNull(type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null));
                }
            }
        }

        Assert.True(used > 0, "no parameter has an argument completer");
    }

    [Fact]
    public void Neu_id_parameters_complete_from_recent_ids_and_route_names_from_the_route_table()
    {
        var idParameters = ModuleMetadata.Instance.Cmdlets.Where(cmdlet => cmdlet.Noun.StartsWith("Neu", StringComparison.Ordinal))
            .SelectMany(cmdlet => cmdlet.Parameters.Where(parameter => parameter.Name is "AccountId" or "ServiceId" || (parameter.Name == "Id" && parameter.TypeName.StartsWith("Int64", StringComparison.Ordinal)))
                .Select(parameter => (cmdlet, parameter)))
            .ToList();
        Assert.NotEmpty(idParameters);
        Assert.All(idParameters, pair => Assert.Equal("NeuIdCompleter", CompleterName(pair.cmdlet.Name, pair.parameter.Name)));
        Assert.Equal("NeuRouteNameCompleter", CompleterName("Get-NeuRoute", "Name"));
    }

    [Fact]
    public void Invoke_KhipuRequest_completes_its_path()
    {
        Assert.Equal("KhipuServicePathCompleter", CompleterName("Invoke-KhipuRequest", "Path"));
    }

    private static string? CompleterName(string cmdletName, string parameterName) =>
        ModuleMetadata.Instance.Cmdlet(cmdletName).Parameter(parameterName).Property.GetCustomAttributesData()
            .Where(data => data.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute")
            .Select(data => (data.ConstructorArguments.Single().Value as Type)?.Name)
            .SingleOrDefault();

    [Fact]
    public void Neu_accounts_and_services_emitted_feed_the_id_completers()
    {
        var store = new RecentValues();

        NeuRecentIds.Remember(new EnergyData.Neu.NeuAccount { AccountId = 42, AccountName = "Planta Norte" }, store);
        NeuRecentIds.Remember(new EnergyData.Neu.NeuService { ServiceId = 7001, AccountId = 43, AccountName = "Sede", Name = "Medidor 1", Address = "Calle 10" }, store);
        NeuRecentIds.Remember("not an id", store);

        Assert.Equal(new[] { "43", "42" }, store.Get(RecentValueKinds.NeuAccountId).Select(candidate => candidate.Value).OrderByDescending(value => value));
        var service = Assert.Single(store.Get(RecentValueKinds.NeuServiceId));
        Assert.Equal("7001", service.Value);
        Assert.Contains("Medidor 1", service.Description, System.StringComparison.Ordinal);
    }

    /// <summary>Found in a real engine: after Get-NeuAccount, -AccountId completed but -ServiceId offered nothing.</summary>
    [Fact]
    public void An_account_offers_its_service_ids()
    {
        var store = new RecentValues();

        NeuRecentIds.Remember(new EnergyData.Neu.NeuAccount { AccountId = 41, AccountName = "Casa", ServiceIds = "282;450" }, store);
        NeuRecentIds.Remember(new EnergyData.Neu.NeuAccount { AccountId = 42, ServiceIds = string.Empty }, store);

        var services = store.Get(RecentValueKinds.NeuServiceId).OrderBy(candidate => candidate.Value, System.StringComparer.Ordinal).ToList();
        Assert.Equal(["282", "450"], services.Select(candidate => candidate.Value));
        Assert.All(services, candidate => Assert.Equal("account 41: Casa", candidate.Description));
    }
}
