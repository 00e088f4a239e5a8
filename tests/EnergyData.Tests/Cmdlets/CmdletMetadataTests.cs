using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace EnergyData.Tests.Cmdlets;

public sealed class CmdletMetadataTests
{
    private static readonly string[] ScalarTypes =
    {
        "System.String", "System.Boolean", "System.Int16", "System.Int32", "System.Int64", "System.Decimal", "System.Double",
        "System.Single", "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.Guid", "System.Uri", "System.Byte",
    };

    private static ModuleMetadata Module => ModuleMetadata.Instance;

    [Fact]
    public void The_module_has_the_foundation_cmdlets()
    {
        var names = Module.Cmdlets.Select(cmdlet => cmdlet.Name).ToHashSet();
        foreach (var expected in new[]
        {
            "Connect-EnergyData", "Disconnect-EnergyData", "Get-EnergyDataConnection", "Get-EnelDebtStatus",
            "Get-EnelBillDocument", "Get-CenNonconformity", "Get-TgrExpiredAgreement", "Invoke-KhipuRequest",
        })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void The_manifest_exports_exactly_the_assembly_cmdlets()
    {
        var manifest = File.ReadAllText(Path.Combine(Module.RepositoryRoot, "EnergyData.psd1"));
        var block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.Singleline).Groups["list"].Value;
        var exported = Regex.Matches(block, "'(?<name>[A-Za-z]+-[A-Za-z]+)'").Select(match => match.Groups["name"].Value).OrderBy(name => name, StringComparer.Ordinal).ToArray();
        var declared = Module.Cmdlets.Select(cmdlet => cmdlet.Name).OrderBy(name => name, StringComparer.Ordinal).ToArray();
        Assert.Equal(declared, exported);
        Assert.Matches(@"RootModule\s*=\s*'EnergyData\.dll'", manifest);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Desktop',\s*'Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'5\.1'", manifest);
        foreach (var list in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
        {
            Assert.Matches(list + @"\s*=\s*@\(\)", manifest);
        }
    }

    [Fact]
    public void Every_verb_is_approved()
    {
        var approved = Module.ApprovedVerbs();
        Assert.Contains("Get", approved);
        Assert.All(Module.Cmdlets, cmdlet => Assert.True(approved.Contains(cmdlet.Verb), cmdlet.Name + " uses an unapproved verb"));
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_types()
    {
        Assert.All(Module.Cmdlets, cmdlet => Assert.True(cmdlet.OutputTypes.Count > 0, cmdlet.Name + " has no [OutputType]"));
    }

    [Fact]
    public void Output_types_are_flat_for_export_csv()
    {
        var types = Module.Cmdlets.SelectMany(cmdlet => cmdlet.OutputTypes).Where(type => type.FullName != "System.Void").Distinct().ToList();
        Assert.NotEmpty(types);
        foreach (var type in types)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var propertyType = property.PropertyType;
                if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition().FullName == "System.Nullable`1")
                {
                    propertyType = propertyType.GetGenericArguments()[0];
                }

                Assert.True(
                    propertyType.IsEnum || ScalarTypes.Contains(propertyType.FullName),
                    $"{type.Name}.{property.Name} is {propertyType.FullName}: Export-Csv would write its type name");
            }
        }
    }

    [Fact]
    public void Data_cmdlets_take_a_connection_and_a_throttle_limit()
    {
        // The callback receiver and Wait-KhipuOperation work locally (a listener, an inbox folder) and send nothing.
        var local = new[] { "EnergyData", "EnergyDataConnection", "KhipuCallbackReceiver", "KhipuOperation" };
        foreach (var cmdlet in Module.Cmdlets.Where(cmdlet => !local.Contains(cmdlet.Noun)))
        {
            Assert.Equal("EnergyDataConnection", cmdlet.Parameter("Connection").TypeName);
            Assert.Contains("ValidateRangeAttribute", cmdlet.Parameter("ThrottleLimit").Validators);
        }
    }

    [Fact]
    public void Secrets_are_only_taken_as_secure_string_or_credential()
    {
        foreach (var cmdlet in Module.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => Regex.IsMatch(parameter.Name, "ApiKey|Token$|Secret|Password|Credential")))
            {
                Assert.True(parameter.TypeName is "SecureString" or "PSCredential", $"{cmdlet.Name} -{parameter.Name} is {parameter.TypeName}");
            }
        }
    }

    [Theory]
    [InlineData("Get-EnelDebtStatus", "ClientIdentifier", "NumeroCliente")]
    [InlineData("Get-EnelBillDocument", "ClientIdentifier", "ClientId")]
    [InlineData("Get-EnelBillDocument", "Email", "Correo")]
    [InlineData("Get-CenNonconformity", "DebtorRut", "RutDeudor")]
    [InlineData("Get-CenNonconformity", "From", "FechaCreacionDelCasoDesde")]
    [InlineData("Get-CenNonconformity", "To", "FechaCreacionDelCasoHasta")]
    [InlineData("Invoke-KhipuRequest", "Path", "ServicePath")]
    public void Parameters_bind_from_csv_columns_and_api_names(string cmdletName, string parameterName, string alias)
    {
        var parameter = Module.Cmdlet(cmdletName).Parameter(parameterName);
        Assert.True(parameter.FromPipelineByPropertyName, $"{cmdletName} -{parameterName} does not bind by property name");
        Assert.Contains(alias, parameter.Aliases);
    }

    [Fact]
    public void Get_EnelDebtStatus_takes_plain_strings_from_the_pipeline()
    {
        var parameter = Module.Cmdlet("Get-EnelDebtStatus").Parameter("ClientIdentifier");
        Assert.True(parameter.FromPipeline);
        Assert.True(parameter.Mandatory);
        Assert.Equal("String[]", parameter.TypeName);
    }

    [Fact]
    public void Results_feed_the_next_cmdlet_by_property_name()
    {
        // Get-EnelDebtStatus | Get-EnelBillDocument -Email x, and Get-CenNonconformity rows back into a query.
        AssertBinds("EnelDebtStatus", "Get-EnelBillDocument", "ClientIdentifier");
        AssertBinds("CenNonconformity", "Get-CenNonconformity", "DebtorRut");
        AssertBinds("CenNonconformity", "Get-CenNonconformity", "From");
    }

    /// <summary>
    /// A KhipuOperation, or a CSV row exported from one, gives Wait-KhipuOperation everything a pending record would.
    /// SubmittedAt was missing: an operation submitted with -CallbackUrl (no pending record) whose LifeSpan was earlier
    /// than its submission (the document's example date, echoed) ended the wait at once with LIFESPAN_EXCEEDED.
    /// </summary>
    [Theory]
    [InlineData("OperationId")]
    [InlineData("Service")]
    [InlineData("ServicePath")]
    [InlineData("InputIdentifier")]
    [InlineData("RequestInputs")]
    [InlineData("LifeSpanRaw")]
    [InlineData("SubmittedAt")]
    [InlineData("ResultJson")]
    public void An_operation_feeds_Wait_KhipuOperation_by_property_name(string parameterName) =>
        AssertBinds("KhipuOperation", "Wait-KhipuOperation", parameterName);

    [Fact]
    public void Cen_supports_paging_and_disconnect_supports_whatif()
    {
        Assert.Equal(true, Module.Cmdlet("Get-CenNonconformity").Named["SupportsPaging"]);
        Assert.Equal(true, Module.Cmdlet("Disconnect-EnergyData").Named["SupportsShouldProcess"]);
    }

    /// <summary>
    /// PSScriptAnalyzer's list of verbs that change state (PSUseShouldProcessForStateChangingFunctions): a cmdlet with
    /// one of them takes -WhatIf and -Confirm, so a script run with $WhatIfPreference changes nothing.
    /// </summary>
    [Fact]
    public void Every_cmdlet_with_a_state_changing_verb_supports_whatif()
    {
        string[] changingVerbs = ["New", "Set", "Remove", "Start", "Stop", "Restart", "Reset", "Update"];
        var changing = Module.Cmdlets.Where(cmdlet => changingVerbs.Contains(cmdlet.Name.Split('-')[0])).ToList();
        Assert.Contains(changing, cmdlet => cmdlet.Name == "Start-KhipuCallbackReceiver");
        Assert.Contains(changing, cmdlet => cmdlet.Name == "Stop-KhipuCallbackReceiver");
        foreach (var cmdlet in changing)
        {
            Assert.True(cmdlet.Named.TryGetValue("SupportsShouldProcess", out var supports) && supports is true, cmdlet.Name);
        }
    }

    [Fact]
    public void Asynchronous_cmdlets_derive_from_the_pumping_base_and_are_disposable()
    {
        // Disconnect-EnergyData takes -Connection only to close it: it sends nothing and needs no pump.
        foreach (var cmdlet in Module.Cmdlets.Where(cmdlet => cmdlet.Name != "Disconnect-EnergyData" && cmdlet.Parameters.Any(parameter => parameter.Name == "Connection")))
        {
            var chain = string.Join(" <- ", Ancestors(cmdlet.Type).Select(type => type.Name));
            Assert.Contains("EnergyDataCmdlet", chain, StringComparison.Ordinal);
            Assert.Contains(cmdlet.Type.GetInterfaces(), type => type.FullName == "System.IDisposable");
        }
    }

    [Fact]
    public void Cmdlets_that_send_requests_hold_a_lease_on_their_connection()
    {
        // The session's connection is shared by every runspace: a command that used it without a lease could have its
        // HTTP clients disposed under it by a Connect-EnergyData elsewhere. The base's AcquireConnection takes the lease
        // (released in EndProcessing or Dispose); nothing may resolve the connection around it.
        var folder = Path.Combine(Module.RepositoryRoot, "src", "EnergyData");
        var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

        Assert.All(sources, source => Assert.DoesNotContain("EnergyDataSession.Resolve(", source.Value, StringComparison.Ordinal));
        foreach (var (name, text) in sources.Where(source => source.Value.Contains("GetKhipuClient()", StringComparison.Ordinal) || source.Value.Contains("GetNeuClient()", StringComparison.Ordinal)))
        {
            Assert.True(text.Contains("= AcquireConnection(Connection);", StringComparison.Ordinal), $"{name} takes a client without leasing its connection");
        }

        Assert.Contains("EnergyDataSession.Acquire(", sources["EnergyDataCmdlet.cs"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Stop-KhipuCallbackReceiver")]
    [InlineData("Start-KhipuCallbackReceiver")]
    public void Receiver_cmdlets_that_wait_for_deliveries_can_be_stopped_with_ctrl_c(string name)
    {
        // They derive from PSCmdlet, not the pumping base: each needs its own StopProcessing (Ctrl+C ends the wait for
        // deliveries in progress) and IDisposable (the engine disposes the command, and with it the token source).
        var cmdlet = Module.Cmdlet(name);
        var stopProcessing = cmdlet.Type.GetMethod("StopProcessing", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly);

        Assert.NotNull(stopProcessing);
        Assert.Equal("PSCmdlet", cmdlet.Type.BaseType!.Name);
        Assert.Contains(cmdlet.Type.GetInterfaces(), type => type.FullName == "System.IDisposable");
    }

    /// <summary>
    /// The checks the engine makes when it builds a cmdlet's parameter metadata, the first time the cmdlet is used
    /// (Import-Module does not run them, so a violation shows only as every call failing): names and aliases are
    /// compared ignoring case, and each must be unique across the cmdlet's own parameters, the common parameters and
    /// those that SupportsShouldProcess and SupportsPaging add (MetadataException AliasDeclaredMultipleTimes,
    /// ParameterNameConflictsWithAlias, AliasParameterNameAlreadyExistsForCommand, ParameterNameAlreadyExistsForCommand).
    /// </summary>
    [Fact]
    public void Parameter_metadata_passes_the_checks_the_engine_makes_on_first_use()
    {
        var common = new (string Name, string[] Aliases)[]
        {
            ("Verbose", ["vb"]), ("Debug", ["db"]), ("ErrorAction", ["ea"]), ("WarningAction", ["wa"]),
            ("InformationAction", ["infa"]), ("ProgressAction", ["proga"]), ("ErrorVariable", ["ev"]),
            ("WarningVariable", ["wv"]), ("InformationVariable", ["iv"]), ("OutVariable", ["ov"]),
            ("OutBuffer", ["ob"]), ("PipelineVariable", ["pv"]),
        };
        var shouldProcess = new (string Name, string[] Aliases)[] { ("WhatIf", ["wi"]), ("Confirm", ["cf"]) };
        var paging = new (string Name, string[] Aliases)[] { ("IncludeTotalCount", []), ("Skip", []), ("First", []) };
        var failures = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            var parameters = cmdlet.Parameters.Select(parameter => (parameter.Name, Aliases: parameter.Aliases.ToArray())).Concat(common);
            if (cmdlet.Named.TryGetValue("SupportsShouldProcess", out var supportsShouldProcess) && supportsShouldProcess is true)
            {
                parameters = parameters.Concat(shouldProcess);
            }

            if (cmdlet.Named.TryGetValue("SupportsPaging", out var supportsPaging) && supportsPaging is true)
            {
                parameters = parameters.Concat(paging);
            }

            // ValidateRange's constructor throws (making the cmdlet unusable) unless both bounds have one type and min <= max.
            foreach (var parameter in cmdlet.Parameters)
            {
                foreach (var range in parameter.Property.GetCustomAttributesData().Where(data => data.AttributeType.Name == "ValidateRangeAttribute"))
                {
                    var bounds = range.ConstructorArguments;
                    // The bounds' own types: the constructor's parameters are object, so ArgumentType may say only that.
                    if (bounds.Count == 2 && (bounds[0].Value?.GetType() != bounds[1].Value?.GetType() || Convert.ToDecimal(bounds[0].Value, System.Globalization.CultureInfo.InvariantCulture) > Convert.ToDecimal(bounds[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        failures.Add($"{cmdlet.Name} -{parameter.Name}: ValidateRange({bounds[0]}, {bounds[1]}) needs two bounds of one type, min <= max");
                    }
                }
            }

            // Tab completion creates the completer with its public parameterless constructor and calls IArgumentCompleter.
            foreach (var parameter in cmdlet.Parameters)
            {
                foreach (var completer in parameter.Property.GetCustomAttributesData().Where(data => data.AttributeType.Name == "ArgumentCompleterAttribute"))
                {
                    if (completer.ConstructorArguments.Count == 1 && completer.ConstructorArguments[0].Value is Type type
                        && (type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true } || !type.GetInterfaces().Any(contract => contract.FullName == "System.Management.Automation.IArgumentCompleter")))
                    {
                        failures.Add($"{cmdlet.Name} -{parameter.Name}: completer {type.Name} needs a public parameterless constructor and IArgumentCompleter");
                    }
                }
            }

            // The binder sets a parameter through its public setter.
            failures.AddRange(cmdlet.Parameters.Where(parameter => parameter.Property.SetMethod is not { IsPublic: true }).Select(parameter => $"{cmdlet.Name} -{parameter.Name} has no public setter"));
            var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, aliases) in parameters)
            {
                if (name.Equals("SelectProperty", StringComparison.OrdinalIgnoreCase) || name.Equals("SelectObject", StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{cmdlet.Name} -{name} is a reserved parameter name");
                }

                foreach (var key in new[] { name }.Concat(aliases))
                {
                    if (!owners.TryAdd(key, name))
                    {
                        failures.Add($"{cmdlet.Name}: '{key}' of -{name} is already the name or an alias of -{owners[key]}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// The binder's order for a piped object: by value, then by property name, each first without type conversion and
    /// then with it. At each of those stages it tries the default parameter set first; when anything binds there (a
    /// parameter of every set counts) it tries no other set at that stage, and narrows to the sets of what it bound. So
    /// a parameter of every set that binds by property name takes a row into the default set before another set's own
    /// parameters are tried, and a row meant for that other set fails for want of the default set's mandatory
    /// parameter. Import-Csv rows meet it always: their cells are text, so every non-text parameter binds at the same,
    /// converting, stage. That was Get-NeuConsumption, with sets ByService (default) and ByAccount and -Interval,
    /// -From and -To in both: no Id_account row ever reached ByAccount.
    /// </summary>
    [Fact]
    public void Piped_rows_can_reach_every_parameter_set_that_takes_them()
    {
        var failures = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            if (cmdlet.Named.GetValueOrDefault("DefaultParameterSetName") is not string defaultSet)
            {
                continue;
            }

            var shared = cmdlet.Parameters
                .Where(parameter => parameter.FromPipelineByPropertyName && parameter.Sets.Any(set => SetName(set) is null or "__AllParameterSets"))
                .Select(parameter => "-" + parameter.Name)
                .ToList();
            var otherSets = cmdlet.Parameters
                .SelectMany(parameter => parameter.Sets)
                .Where(set => SetName(set) is { } name && name != "__AllParameterSets" && name != defaultSet
                    && (set.GetValueOrDefault("ValueFromPipelineByPropertyName") is true || set.GetValueOrDefault("ValueFromPipeline") is true))
                .Select(set => SetName(set)!)
                .Distinct(StringComparer.Ordinal);
            if (shared.Count > 0)
            {
                failures.AddRange(otherSets.Select(set => $"{cmdlet.Name}: {string.Join(", ", shared)} (every set) bind by property name, so piped rows settle on the default set {defaultSet} before set {set} is tried"));
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        static string? SetName(IReadOnlyDictionary<string, object?> set) => set.GetValueOrDefault("ParameterSetName") as string;
    }

    /// <summary>
    /// A text parameter that takes pipeline input both by value and by property name gets, from an object whose
    /// property of that name holds a number (a DataRow of Invoke-Sqlcmd, ConvertFrom-Json, Import-Excel), the WHOLE
    /// object as text: by property name without conversion fails (a number is not text), and by value with conversion
    /// comes next and turns anything into text ("System.Data.DataRow", "@{ClientIdentifier=1234567}"). Each such
    /// parameter carries the transformation that turns a piped object into its property's value first, with exactly the
    /// names the binder would match: the parameter's and its aliases (in that order).
    /// </summary>
    [Fact]
    public void Text_parameters_piped_by_value_and_by_property_name_take_the_property_of_a_piped_object()
    {
        var found = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => parameter.FromPipeline && parameter.FromPipelineByPropertyName))
            {
                var type = parameter.Property.PropertyType;
                var element = type.IsArray ? type.GetElementType()! : type;
                if (element.FullName is not ("System.String" or "System.Object"))
                {
                    continue; // Other types: converting a whole object to them fails, and the binder goes on by property name.
                }

                var where = $"{cmdlet.Name} -{parameter.Name}";
                found.Add(where);
                var transformation = parameter.Property.GetCustomAttributesData().SingleOrDefault(data => data.AttributeType.Name == "TextFromPipelineAttribute");
                Assert.True(transformation is not null, $"{where} takes a piped object's text instead of its property");
                Assert.Equal("System.Management.Automation.ArgumentTransformationAttribute", transformation.AttributeType.BaseType!.FullName);
                var names = transformation.ConstructorArguments
                    .SelectMany(argument => argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(item => (string)item.Value!) : new[] { (string)argument.Value! })
                    .ToList();
                Assert.Equal(parameter.BindingNames.ToList(), names);
            }
        }

        Assert.Contains("Get-EnelDebtStatus -ClientIdentifier", found);
        Assert.Contains("Get-NeuFrontierConsumption -SicCode", found);
    }

    /// <summary>
    /// [Credential] prompts for a password per piped text and throws on any other piped object, which at the by-value
    /// stage the binder reports as the input's error: pipeline-bound credentials use AccountCredentialAttribute.
    /// </summary>
    [Fact]
    public void Credential_parameters_that_take_pipeline_input_never_prompt()
    {
        var found = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => parameter.FromPipeline || parameter.FromPipelineByPropertyName))
            {
                var attributes = parameter.Property.GetCustomAttributesData().Select(data => data.AttributeType.FullName).ToList();
                var where = $"{cmdlet.Name} -{parameter.Name}";
                Assert.DoesNotContain("System.Management.Automation.CredentialAttribute", attributes);
                if (parameter.Property.PropertyType.FullName == "System.Management.Automation.PSCredential")
                {
                    found.Add(where);
                    Assert.True(attributes.Contains("EnergyData.Commands.AccountCredentialAttribute"), where);
                }
            }
        }

        Assert.Contains("Get-TgrExpiredAgreement -AccountCredential", found);
        Assert.Contains("Get-CenNonconformity -AccountCredential", found);
    }

    /// <summary>
    /// Binding by property name, PowerShell leaves a compiled cmdlet's parameter unbound, without a word, when a piped
    /// value does not convert (a CSV row's Interval WEEKLY ran as Daily): every pipeline parameter of a type text must
    /// convert to carries CheckedConversionAttribute, which makes such a value that input's error.
    /// </summary>
    [Fact]
    public void Pipeline_parameters_that_text_must_convert_to_refuse_text_that_does_not()
    {
        var found = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => parameter.FromPipeline || parameter.FromPipelineByPropertyName))
            {
                var type = parameter.Property.PropertyType;
                var element = type.IsArray ? type.GetElementType()! : type;
                if (element.IsGenericType && element.GetGenericTypeDefinition().FullName == "System.Nullable`1")
                {
                    element = element.GetGenericArguments()[0];
                }

                if (!element.IsEnum && element.FullName is not ("System.Int64" or "System.Int32" or "System.Double" or "System.Decimal" or "System.DateTime"))
                {
                    continue;
                }

                var where = $"{cmdlet.Name} -{parameter.Name}";
                found.Add(where);
                var check = parameter.Property.GetCustomAttributesData().SingleOrDefault(data => data.AttributeType.FullName == "EnergyData.Commands.CheckedConversionAttribute");
                Assert.True(check is not null, $"{where} refuses text that does not convert");
                Assert.Equal(parameter.Name, (string)check.ConstructorArguments[0].Value!);
                Assert.Equal(element.FullName, ((Type)check.ConstructorArguments[1].Value!).FullName);
                if (element.FullName is "System.Int64" or "System.Int32")
                {
                    CheckEmptyIdText(where, type, check);
                }
            }
        }

        Assert.Contains("Get-NeuConsumption -Interval", found);
        Assert.Contains("Get-NeuConsumption -AccountId", found);
        Assert.Contains("Get-NeuBill -From", found);
        Assert.Contains("Get-CenNonconformity -To", found);
    }

    /// <summary>
    /// An empty CSV cell for an id: the binder makes it 0, which no rule should report as "It was 0". Bound as $null it is
    /// refused by the cmdlet (or read as not given) only where $null can be bound: a nullable id, never an array, which
    /// as $null would mean "not given" and fetch every one.
    /// </summary>
    private static void CheckEmptyIdText(string where, Type parameterType, CustomAttributeData check)
    {
        var rule = check.NamedArguments.Where(argument => argument.MemberName == "EmptyText").Select(argument => (int?)(int)argument.TypedValue.Value!).SingleOrDefault();
        const int Refused = 0, Null = 1, PassedOn = 2;
        var nullable = parameterType.IsGenericType && parameterType.GetGenericTypeDefinition().FullName == "System.Nullable`1";
        if (parameterType.IsArray)
        {
            Assert.True(rule is null or Refused or PassedOn, $"{where}: an empty id of a list is refused or passed on, never bound as $null");
        }
        else if (nullable)
        {
            Assert.True(rule is Null or PassedOn, $"{where}: an empty id is bound as $null, as a $null id property is");
        }
        else
        {
            Assert.True(rule is null or Refused, $"{where}: an empty id is refused");
        }
    }

    /// <summary>PowerShell cannot convert a [pscustomobject] (ConvertFrom-Json) to IDictionary: every dictionary parameter converts it.</summary>
    [Fact]
    public void Dictionary_parameters_take_a_pscustomobject()
    {
        var found = new List<string>();
        foreach (var cmdlet in Module.Cmdlets)
        {
            foreach (var parameter in cmdlet.Parameters.Where(parameter => parameter.Property.PropertyType.FullName == "System.Collections.IDictionary"))
            {
                var where = $"{cmdlet.Name} -{parameter.Name}";
                found.Add(where);
                Assert.True(parameter.Property.GetCustomAttributesData().Any(data => data.AttributeType.FullName == "EnergyData.Commands.DictionaryFromObjectAttribute"), where);
            }
        }

        Assert.Contains("Invoke-KhipuRequest -RequestData", found);
        Assert.Contains("Invoke-NeuRequest -Body", found);
    }

    private static void AssertBinds(string outputTypeName, string cmdletName, string parameterName)
    {
        var outputType = Module.Cmdlets.SelectMany(cmdlet => cmdlet.OutputTypes).First(type => type.Name == outputTypeName);
        var parameter = Module.Cmdlet(cmdletName).Parameter(parameterName);
        var properties = outputType.GetProperties().Select(property => property.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.True(parameter.FromPipelineByPropertyName);
        Assert.True(parameter.BindingNames.Any(properties.Contains), $"{outputTypeName} has no property that binds to {cmdletName} -{parameterName}");
    }

    private static System.Collections.Generic.IEnumerable<Type> Ancestors(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }
}
