using System;
using System.Linq;
using EnergyData.Tests.Cmdlets;
using Xunit;

namespace EnergyData.Tests.Callbacks;

public sealed class AsyncCmdletMetadataTests
{
    private static readonly string[] KhipuCmdlets = { "Get-EnelDebtStatus", "Get-EnelBillDocument", "Get-CenNonconformity", "Get-TgrExpiredAgreement", "Invoke-KhipuRequest" };

    private static ModuleMetadata Module => ModuleMetadata.Instance;

    [Fact]
    public void Every_khipu_cmdlet_takes_async_and_a_callback_url_and_declares_khipu_operation()
    {
        foreach (var name in KhipuCmdlets)
        {
            var cmdlet = Module.Cmdlet(name);
            Assert.Equal("SwitchParameter", cmdlet.Parameter("Async").TypeName);
            Assert.Equal("Uri", cmdlet.Parameter("CallbackUrl").TypeName);
            Assert.Contains(cmdlet.OutputTypes, type => type.Name == "KhipuOperation");
        }
    }

    [Fact]
    public void Wait_KhipuOperation_binds_what_a_khipu_operation_carries_by_property_name()
    {
        var operation = Module.Cmdlets.SelectMany(cmdlet => cmdlet.OutputTypes).First(type => type.Name == "KhipuOperation");
        var properties = operation.GetProperties().Select(property => property.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var wait = Module.Cmdlet("Wait-KhipuOperation");

        foreach (var name in new[] { "OperationId", "Service", "ServicePath", "InputIdentifier", "RequestInputs", "LifeSpanRaw" })
        {
            var parameter = wait.Parameter(name);
            Assert.True(parameter.FromPipelineByPropertyName, "-" + name + " does not bind by property name");
            Assert.True(parameter.BindingNames.Any(properties.Contains), "KhipuOperation has no property for -" + name);
        }

        Assert.True(wait.Parameter("OperationId").Mandatory);
        Assert.Contains(Module.Cmdlets.Single(cmdlet => cmdlet.Name == "Wait-KhipuOperation").Type.GetInterfaces(), type => type.FullName == "System.IDisposable");
    }

    [Fact]
    public void Wait_KhipuOperation_emits_the_synchronous_types()
    {
        var declared = Module.Cmdlet("Wait-KhipuOperation").OutputTypes.Select(type => type.Name).ToHashSet();
        foreach (var name in KhipuCmdlets)
        {
            foreach (var type in Module.Cmdlet(name).OutputTypes.Where(type => type.Name != "KhipuOperation"))
            {
                Assert.Contains(type.Name, declared);
            }
        }
    }
}
