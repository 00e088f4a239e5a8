using System;
using System.IO;
using System.Net;
using System.Reflection;
using System.Runtime.Loader;
using EnergyData.Loading;
using Xunit;

namespace EnergyData.Tests.Loading;

/// <summary>
/// The isolation mechanism against real assemblies: a dependencies folder holding copies of the module's own
/// dlls, requests from the module and from strangers, and the module's load context beside the default one
/// (where this test process has already loaded Polly.Core from its own folder, as another module would).
/// </summary>
public sealed class DependencyIsolationTests : IDisposable
{
    private static readonly AssemblyName Requester = typeof(EnergyData.Khipu.KhipuClient).Assembly.GetName();
    private static readonly AssemblyName Stranger = typeof(Assert).Assembly.GetName();
    private readonly string folder;

    // PowerShell as host: the .NET runtime's own assemblies. (This test process's platform list also holds the
    // test's dependencies, Polly.Core among them, which PowerShell's does not.)
    private static readonly Func<AssemblyName, Version?> RuntimeOnly = name =>
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, name.Name + ".dll");
        return File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null;
    };

    public DependencyIsolationTests()
    {
        folder = Path.Combine(Path.GetTempPath(), "energydata-deps-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var assembly in new[] { typeof(Polly.ResiliencePipeline).Assembly, typeof(EnergyData.Khipu.KhipuClient).Assembly })
        {
            File.Copy(assembly.Location, Path.Combine(folder, Path.GetFileName(assembly.Location)));
        }

        // The host's own System.Text.Json, as the module's copy of an assembly the runtime also ships.
        var hostJson = typeof(System.Text.Json.JsonSerializer).Assembly.Location;
        File.Copy(hostJson, Path.Combine(folder, Path.GetFileName(hostJson)));
        File.WriteAllText(Path.Combine(folder, "native.dll"), "not a managed assembly");
    }

    private static AssemblyName Polly => typeof(Polly.ResiliencePipeline).Assembly.GetName();

    public void Dispose()
    {
        // Files loaded into a non-collectible context stay locked on Windows; the temp folder is left then.
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void The_resolver_indexes_the_managed_assemblies_of_the_folder()
    {
        var resolver = NewResolver();
        Assert.Contains("Polly.Core", resolver.DependencyNames);
        Assert.Contains("EnergyData.Core", resolver.DependencyNames);
        Assert.DoesNotContain("native", resolver.DependencyNames);
    }

    [Fact]
    public void The_module_and_its_dependencies_get_files_from_the_module_folder()
    {
        var resolver = NewResolver();
        var expected = Path.Combine(folder, "Polly.Core.dll");
        Assert.Equal(expected, resolver.FindPath(Polly, Requester));
        Assert.Equal(expected, resolver.FindPath(Polly, new AssemblyName("EnergyData")));
        Assert.Equal(Path.Combine(folder, "EnergyData.Core.dll"), resolver.FindPath(new AssemblyName("EnergyData.Core"), new AssemblyName("EnergyData")));
    }

    [Fact]
    public void Another_modules_request_is_ignored_even_for_a_file_the_module_has()
    {
        var resolver = NewResolver();
        Assert.Null(resolver.FindPath(Polly, Stranger));
        Assert.Null(resolver.FindPath(Polly, new AssemblyName("Az.Accounts")));
    }

    [Fact]
    public void Without_a_requester_only_the_exact_identity_is_answered()
    {
        var resolver = NewResolver();
        Assert.Equal(Path.Combine(folder, "Polly.Core.dll"), resolver.FindPath(Polly, requester: null));
        var older = new AssemblyName(Polly.FullName) { Version = new Version(7, 0, 0, 0) };
        Assert.Null(resolver.FindPath(older, requester: null));
    }

    [Fact]
    public void Versions_resolve_like_binding_redirects_and_foreign_signatures_are_refused()
    {
        var resolver = NewResolver();
        var older = new AssemblyName(Polly.FullName) { Version = new Version(7, 0, 0, 0) };
        var newer = new AssemblyName(Polly.FullName) { Version = new Version(99, 0, 0, 0) };
        var foreign = new AssemblyName("Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef");
        Assert.NotNull(resolver.FindPath(older, Requester));
        Assert.Null(resolver.FindPath(newer, Requester));
        Assert.Null(resolver.FindPath(foreign, Requester));
        Assert.Null(resolver.FindPath(new AssemblyName("Newtonsoft.Json"), Requester));
    }

    [Fact]
    public void The_load_context_loads_the_modules_copy_beside_the_one_already_in_the_default_context()
    {
        var context = new IsolatedLoadContext(folder, RuntimeOnly);
        var isolated = context.LoadDependency(Polly);

        Assert.NotNull(isolated);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(isolated));
        Assert.Equal(Path.Combine(folder, "Polly.Core.dll"), isolated.Location);
        Assert.NotSame(typeof(Polly.ResiliencePipeline).Assembly, isolated);
        Assert.NotEqual(typeof(Polly.ResiliencePipeline), isolated.GetType("Polly.ResiliencePipeline"));
        Assert.Same(isolated, context.LoadDependency(Polly));
    }

    [Fact]
    public void The_load_context_leaves_host_assemblies_and_unknown_names_to_the_default_context()
    {
        var context = new IsolatedLoadContext(folder, RuntimeOnly);
        Assert.Null(context.LoadDependency(typeof(System.Text.Json.JsonSerializer).Assembly.GetName()));
        Assert.Null(context.LoadDependency(Stranger));
    }

    [Fact]
    public void By_default_what_the_host_already_binds_is_shared_so_the_cmdlets_and_the_core_see_one_copy()
    {
        // In this process Polly.Core is a trusted platform assembly (the test's own dependency), as
        // Microsoft.Bcl.AsyncInterfaces may be in PowerShell's: the default context would bind it for the
        // cmdlet assembly, so the module's context must not load a second copy.
        Assert.Equal(Polly.Version, IsolatedLoadContext.TrustedPlatformVersion(Polly));
        Assert.Null(IsolatedLoadContext.TrustedPlatformVersion(new AssemblyName("EnergyData.NotAnAssembly")));
        var context = new IsolatedLoadContext(folder);
        Assert.Null(context.LoadDependency(Polly));
        Assert.Null(context.LoadDependency(typeof(System.Text.Json.JsonSerializer).Assembly.GetName()));
        var newer = new AssemblyName(Polly.FullName) { Version = new Version(Polly.Version!.Major, Polly.Version.Minor, Polly.Version.Build, Polly.Version.Revision + 1) };
        Assert.Null(context.LoadDependency(newer)); // our file is no newer than the host's either: nothing to load
    }

    [Fact]
    public void The_dependencies_of_an_isolated_assembly_resolve_in_the_same_context()
    {
        var context = new IsolatedLoadContext(folder, RuntimeOnly);
        var core = context.LoadDependency(new AssemblyName("EnergyData.Core"))!;
        var pollyReference = Array.Find(core.GetReferencedAssemblies(), name => name.Name == "Polly.Core")!;
        var polly = context.LoadFromAssemblyName(pollyReference);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(polly));
        Assert.Same(context.LoadDependency(Polly), polly);
    }

    [Fact]
    public void The_assembly_resolve_handler_answers_through_the_load_context_only_for_the_module()
    {
        var handler = new DependencyHandler(NewResolver(), new IsolatedLoadContext(folder, RuntimeOnly).LoadDependency);

        var answered = handler.Resolve(null, new ResolveEventArgs(Polly.FullName, typeof(EnergyData.Khipu.KhipuClient).Assembly));
        Assert.NotNull(answered);
        Assert.Equal(Path.Combine(folder, "Polly.Core.dll"), answered.Location);
        Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(answered));
        Assert.Null(handler.Resolve(null, new ResolveEventArgs(Polly.FullName, typeof(Assert).Assembly)));
    }

    [Fact]
    public void The_proxy_reaches_the_load_context_by_reflection()
    {
        // EnergyData.LoadContext.dll sits beside EnergyData.Loader.dll here, as in the module folder.
        var loader = LoadContextProxy.TryCreate(AppContext.BaseDirectory, folder);
        Assert.True(LoadContextProxy.IsSupported);
        var context = Assert.IsType<IsolatedLoadContext>(loader!.Target);
        Assert.Equal("EnergyData", context.Name);
        Assert.NotSame(AssemblyLoadContext.Default, context);
    }

    // TLS 1.0 and 1.1 appear only as what a Windows PowerShell session may start with.
#pragma warning disable CA5364, SYSLIB0039
    [Theory]
    [InlineData(SecurityProtocolType.Tls, SecurityProtocolType.Tls | SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls | SecurityProtocolType.Tls11, SecurityProtocolType.Tls | SecurityProtocolType.Tls11 | SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13, SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13)]
    [InlineData(SecurityProtocolType.SystemDefault, SecurityProtocolType.SystemDefault)]
    public void Tls12_is_added_without_removing_what_the_session_enabled(SecurityProtocolType current, SecurityProtocolType expected)
    {
        Assert.Equal(expected, TlsPolicy.WithTls12(current));
    }
#pragma warning restore CA5364, SYSLIB0039

    private DependencyResolver NewResolver() => new(folder, new[] { "EnergyData", "EnergyData.Loader" });
}
