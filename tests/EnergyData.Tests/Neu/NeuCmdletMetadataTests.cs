using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>Static checks of the NEU cmdlets: present, paged where the API pages, and chained by property name.</summary>
public sealed class NeuCmdletMetadataTests
{
    private static readonly string[] NeuCmdlets =
    [
        "Get-NeuAccount", "Get-NeuService", "Get-NeuPqrs", "Get-NeuConsumption", "Get-NeuBill", "Get-NeuBillDueDate",
        "Get-NeuBillOverdue", "Get-NeuNotification", "Get-NeuNotificationInteraction", "Get-NeuRule", "Get-NeuRuleHistory",
        "Get-NeuNeuget", "Get-NeuNeugetPayment", "Get-NeuFrontierConsumption", "Invoke-NeuRequest", "Get-NeuRoute",
    ];

    private static ModuleMetadata Module => ModuleMetadata.Instance;

    [Fact]
    public void Every_NEU_cmdlet_exists_and_takes_a_connection()
    {
        var names = Module.Cmdlets.Select(cmdlet => cmdlet.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(NeuCmdlets, name =>
        {
            Assert.Contains(name, names);
            Assert.Equal("EnergyDataConnection", Module.Cmdlet(name).Parameter("Connection").TypeName);
        });
    }

    [Theory]
    [InlineData("Get-NeuBill")]
    [InlineData("Get-NeuBillDueDate")]
    [InlineData("Get-NeuNotification")]
    [InlineData("Get-NeuNotificationInteraction")]
    [InlineData("Get-NeuRule")]
    [InlineData("Get-NeuRuleHistory")]
    public void Paged_endpoints_support_First_and_Skip(string name)
    {
        Assert.Equal(true, Module.Cmdlet(name).Named["SupportsPaging"]);
    }

    [Fact]
    public void Days_overdue_is_a_floating_point_number_as_the_document_gives_it()
    {
        // "days": number in the document; as an int, 12.5 became $null.
        var output = Assert.Single(Module.Cmdlet("Get-NeuBillOverdue").OutputTypes);
        var days = output.GetProperty("Days")!.PropertyType;

        Assert.Equal("System.Nullable`1", days.GetGenericTypeDefinition().FullName);
        Assert.Equal("System.Double", days.GetGenericArguments()[0].FullName);
    }

    [Theory]
    [InlineData("Get-NeuConsumption", "AccountId", "id_account")]
    [InlineData("Get-NeuConsumption", "ServiceId", "id_service")]
    [InlineData("Get-NeuConsumption", "ServiceId", "Id_services")]
    [InlineData("Get-NeuService", "Id", "ServiceId")]
    [InlineData("Get-NeuService", "AccountId", "id_account")]
    [InlineData("Get-NeuAccount", "Id", "AccountId")]
    [InlineData("Get-NeuBill", "ServiceId", "Id_service")]
    [InlineData("Get-NeuRule", "ProjectId", "Id_project")]
    [InlineData("Get-NeuNeuget", "AccountId", "id_account")]
    [InlineData("Get-NeuFrontierConsumption", "SicCode", "sic_code")]
    [InlineData("Invoke-NeuRequest", "Path", "Route")]
    public void Parameters_bind_from_csv_columns_and_api_names(string cmdletName, string parameterName, string alias)
    {
        var parameter = Module.Cmdlet(cmdletName).Parameter(parameterName);

        Assert.True(parameter.FromPipelineByPropertyName, $"{cmdletName} -{parameterName} does not bind by property name");
        // The engine matches a property to a name or alias ignoring case (and rejects aliases differing only in case).
        Assert.Contains(alias, parameter.BindingNames, StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("NeuAccount", "Get-NeuConsumption", "AccountId")]
    [InlineData("NeuService", "Get-NeuConsumption", "ServiceId")]
    [InlineData("NeuAccount", "Get-NeuService", "AccountId")]
    [InlineData("NeuService", "Get-NeuService", "Id")]
    [InlineData("NeuAccount", "Get-NeuNeuget", "AccountId")]
    [InlineData("NeuAccount", "Get-NeuNeugetPayment", "AccountId")]
    [InlineData("NeuService", "Get-NeuBill", "ServiceId")]
    [InlineData("NeuRouteInfo", "Get-NeuRoute", "Name")]
    public void Results_feed_the_next_cmdlet_by_property_name(string outputTypeName, string cmdletName, string parameterName)
    {
        var outputType = Module.Cmdlets.SelectMany(cmdlet => cmdlet.OutputTypes).First(type => type.Name == outputTypeName);
        var parameter = Module.Cmdlet(cmdletName).Parameter(parameterName);
        var properties = outputType.GetProperties().Select(property => property.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.True(parameter.FromPipelineByPropertyName);
        Assert.True(parameter.BindingNames.Any(properties.Contains), $"{outputTypeName} has no property that binds to {cmdletName} -{parameterName}");
    }

    /// <summary>
    /// An optional id that binds from the pipeline gets $null from an object whose id property is empty (an account
    /// NEU sent without id_account). Left out, such an id means "every one", so each of them must be checked with
    /// IsBoundToNull (that input's InvalidParameter error) or one input would fetch everything. The check is in the
    /// cmdlet's ProcessRecord, which cannot run here, so its source is read.
    /// </summary>
    [Fact]
    public void Optional_ids_from_the_pipeline_refuse_an_empty_value_instead_of_asking_for_every_one()
    {
        var checkedIds = 0;
        foreach (var cmdlet in Module.Cmdlets.Where(cmdlet => NeuCmdlets.Contains(cmdlet.Name)))
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => !parameter.Mandatory && (parameter.FromPipeline || parameter.FromPipelineByPropertyName)))
            {
                var type = parameter.Property.PropertyType;
                var isId = type.FullName == "System.Int64[]"
                    || (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" && type.GetGenericArguments()[0].FullName == "System.Int64");
                if (!isId)
                {
                    continue;
                }

                var source = File.ReadAllText(Path.Combine(Module.RepositoryRoot, "src", "EnergyData", "Commands", cmdlet.Type.Name + ".cs"));
                checkedIds++;
                if (cmdlet.Name == "Get-NeuConsumption")
                {
                    // Its -AccountId and -ServiceId are optional only because one of the two is required: left out,
                    // neither means "every one". The core decides per input (NeuConsumptionQuery.ForInput keeps a piped
                    // empty service id given, and the endpoint refuses it, or neither id); see NeuConsumptionInputTests.
                    Assert.Contains("NeuConsumptionQuery.ForInput(", source, StringComparison.Ordinal);
                    continue;
                }

                Assert.True(source.Contains($"IsBoundToNull(nameof({parameter.Name}))", StringComparison.Ordinal), $"{cmdlet.Name} -{parameter.Name} does not refuse an empty piped value");
            }
        }

        // Get-NeuAccount -Id, Get-NeuService -Id, Get-NeuBill/-BillDueDate -ServiceId, Get-NeuNeuget/-NeugetPayment -AccountId,
        // Get-NeuRule/-RuleHistory -ProjectId.
        Assert.True(checkedIds >= 8, $"{checkedIds} optional ids found");
    }

    /// <summary>
    /// Get-NeuService without arguments lists every service: its default set has no mandatory parameter, so the engine
    /// takes it without prompting (it prompted for -Id). That set is also where -Id binds a piped ServiceId: the binder
    /// tries the default set first for each piped object, so a NeuService, which carries an AccountId too, binds -Id
    /// and never reaches -AccountId; with an id-less default set both would bind at once and the input would fail as
    /// ambiguous. ProcessRecord, which cannot run here, refuses an empty piped -Id (see the optional ids test above).
    /// </summary>
    [Fact]
    public void Get_NeuService_lists_every_service_in_its_default_set_which_has_no_mandatory_parameter_and_binds_a_piped_ServiceId_first()
    {
        var cmdlet = Module.Cmdlet("Get-NeuService");
        var defaultSet = Assert.IsType<string>(cmdlet.Named.GetValueOrDefault("DefaultParameterSetName"));

        var inDefaultSet = cmdlet.Parameters
            .SelectMany(parameter => parameter.Sets.Select(set => (parameter.Name, Set: set)))
            .Where(entry => entry.Set.GetValueOrDefault("ParameterSetName") is null or "__AllParameterSets" || Equals(entry.Set.GetValueOrDefault("ParameterSetName"), defaultSet))
            .ToList();
        Assert.Contains(inDefaultSet, entry => entry.Name == "Id");
        Assert.All(inDefaultSet, entry => Assert.False(entry.Set.GetValueOrDefault("Mandatory") is true, $"-{entry.Name} is mandatory in the default set {defaultSet}"));

        var id = cmdlet.Parameter("Id");
        var idInDefaultSet = Assert.Single(id.Sets, set => Equals(set.GetValueOrDefault("ParameterSetName"), defaultSet));
        Assert.Equal(true, idInDefaultSet.GetValueOrDefault("ValueFromPipelineByPropertyName"));
        Assert.Equal(true, idInDefaultSet.GetValueOrDefault("ValueFromPipeline"));
        Assert.Equal(0, idInDefaultSet.GetValueOrDefault("Position"));
        Assert.Contains("ServiceId", id.BindingNames);
        Assert.All(cmdlet.Parameter("AccountId").Sets, set =>
        {
            Assert.NotEqual(defaultSet, set.GetValueOrDefault("ParameterSetName"));
            Assert.Equal(true, set.GetValueOrDefault("Mandatory"));
        });
    }

    [Fact]
    public void Invoke_NeuRequest_supports_WhatIf_and_Confirm_at_medium_impact()
    {
        // It sends PUT, PATCH and DELETE; the cmdlet asks ShouldProcess for those (see NeuInput.ChangesData).
        var cmdlet = Module.Cmdlet("Invoke-NeuRequest");

        Assert.Equal(true, cmdlet.Named["SupportsShouldProcess"]);
        Assert.Equal(2, cmdlet.Named["ConfirmImpact"]); // ConfirmImpact.Medium: -Confirm or $ConfirmPreference = 'Medium' prompts.

        // Declaring it is not enough: -WhatIf would be accepted and ignored. ProcessRecord (which cannot run here) asks
        // for the methods that change data, and for every method under -WhatIf, after the input's own checks.
        var source = File.ReadAllText(Path.Combine(Module.RepositoryRoot, "src", "EnergyData", "Commands", cmdlet.Type.Name + ".cs"));
        Assert.Contains("(NeuInput.ChangesData(method) || WhatIfRequested()) && !ShouldProcess(", source, StringComparison.Ordinal);
        Assert.InRange(source.IndexOf("NeuClient.CheckInvokeRequest(method, path, body);", StringComparison.Ordinal), 0, source.IndexOf("!ShouldProcess(", StringComparison.Ordinal));
    }

    /// <summary>
    /// Get-NeuConsumption has one parameter set. With an account set and a default service set, the binder tried the
    /// default set first at each pipeline stage and, as -Interval, -From and -To (in every set) bound there, settled on
    /// it: a CSV row with Id_account,Interval,From,To or an object with AccountId, From and To failed every time for
    /// want of -ServiceId. Both ids are optional instead; the core refuses neither and both, per input.
    /// </summary>
    [Fact]
    public void Consumption_has_one_parameter_set_where_account_and_services_are_both_optional()
    {
        var cmdlet = Module.Cmdlet("Get-NeuConsumption");

        Assert.False(cmdlet.Named.ContainsKey("DefaultParameterSetName"), "a default set is where piped rows get locked");
        Assert.All(cmdlet.Parameters, parameter => Assert.All(parameter.Sets, set => Assert.True(
            set.GetValueOrDefault("ParameterSetName") is null or "__AllParameterSets",
            $"-{parameter.Name} is in parameter set {set.GetValueOrDefault("ParameterSetName")}")));
        Assert.All(new[] { "AccountId", "ServiceId" }, name =>
        {
            Assert.False(cmdlet.Parameter(name).Mandatory, $"-{name} is mandatory");
            Assert.True(cmdlet.Parameter(name).FromPipelineByPropertyName);
        });
        Assert.All(new[] { "From", "To" }, name =>
        {
            Assert.True(cmdlet.Parameter(name).Mandatory);
            Assert.True(cmdlet.Parameter(name).FromPipelineByPropertyName);
        });
        Assert.True(cmdlet.Parameter("Interval").FromPipelineByPropertyName);
        Assert.Equal("Int64[]", cmdlet.Parameter("ServiceId").TypeName);
        var accountType = cmdlet.Parameter("AccountId").Property.PropertyType;
        Assert.Equal("System.Nullable`1", accountType.GetGenericTypeDefinition().FullName);
        Assert.Equal("System.Int64", accountType.GetGenericArguments()[0].FullName);
    }

    [Fact]
    public void Consumption_columns_of_the_API_document_all_bind_by_property_name()
    {
        // The body fields of NEU's consumption request (its document's example: Id_account, Interval, From, To; the
        // other way, Id_services): a CSV with those columns binds every one of them, ignoring case.
        var cmdlet = Module.Cmdlet("Get-NeuConsumption");
        var bindingNames = cmdlet.Parameters.Where(parameter => parameter.FromPipelineByPropertyName).SelectMany(parameter => parameter.BindingNames).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(new[] { "Id_account", "Id_services", "Interval", "From", "To" }, column => Assert.Contains(column, bindingNames));
    }
}
