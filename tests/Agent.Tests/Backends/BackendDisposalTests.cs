using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Aggregator;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Mptcp;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Agent.Tests.Backends;

/// <summary>
/// Each backend with a link applied, then disposed the way the daemon's host disposes it: the service provider that
/// registered it as itself, as <see cref="ILinkBackend"/> and as <see cref="ILinkEventSource"/> disposes it once per
/// registration (issue 20: the agent exited 1 on SIGTERM after an MPTCP link, ObjectDisposedException). Bond and teql
/// run in the kernel VM guest (<see cref="BackendDisposalVmTests"/>).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class BackendDisposalTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DisposeServiceProvider_MptcpLinkApplied_DisposesWithoutErrorAndStopsTheMonitor()
    {
        Privileged.Require("network namespaces and MPTCP");
        await using var network = TestNetwork.Create("dm");
        var ns = await network.AddNamespaceAsync("a");
        var peer = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(ns, "m1", peer, "p1");
        await network.AddAddressAsync(ns, "m1", "10.64.1.1/24");
        var provider = Provider(network.Context(ns), services => services.AddKernelLinkBackends());
        var backend = provider.GetRequiredService<MptcpBackend>();
        var spec = new LinkSpec
        {
            Kind = LinkKind.Mptcp,
            Name = "mp0",
            Members = [new MemberSpec { Interface = "m1", MptcpFlags = [MptcpEndpointFlag.Signal] }],
        };
        Assert.Equal(ApplyResult.Ok, await backend.ApplyAsync(null, spec, Token));
        Assert.True(backend.Monitor.IsRunning, "ip mptcp monitor runs once a link is applied");

        var disposal = await Record.ExceptionAsync(async () => await provider.DisposeAsync());

        Assert.Null(disposal);
        Assert.False(backend.Monitor.IsRunning, "the monitor is stopped");
        Assert.Equal("", (await network.Runner.RunAsync("ip", ["netns", "pids", ns], cancellationToken: Token)).StandardOutput.Trim());
    }

    [Fact]
    public async Task DisposeServiceProvider_StriperLinkApplied_DisposesWithoutErrorAndDeletesTheTunDevice()
    {
        Privileged.Require("network namespaces and TUN");
        await using var network = TestNetwork.Create("ds");
        var ns = await network.AddNamespaceAsync("a");
        var peer = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(ns, "s1", peer, "p1");
        await network.AddAddressAsync(ns, "s1", "10.64.2.1/24");
        var provider = Provider(network.Context(ns), services => services.AddStriperBackend());
        var backend = provider.GetRequiredService<StriperBackend>();
        var spec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [new MemberSpec { Interface = "s1", Address = "10.64.2.1", Peer = "10.64.2.2:7000" }],
            Addresses = ["10.65.0.1/30"],
            Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
        };
        Assert.Equal(ApplyResult.Ok, await backend.ApplyAsync(null, spec, Token));

        var disposal = await Record.ExceptionAsync(async () => await provider.DisposeAsync());

        Assert.Null(disposal);
        var links = (await network.InAsync(ns, "ip", "-o", "link", "show")).StandardOutput;
        Assert.DoesNotContain("str0", links);
    }

    [Fact]
    public async Task DisposeServiceProvider_AggregatorLinkApplied_DisposesWithoutErrorAndDeletesTheTunDevice()
    {
        Privileged.Require("network namespaces and TUN");
        await using var network = TestNetwork.Create("da");
        var ns = await network.AddNamespaceAsync("a");
        var peer = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(ns, "s1", peer, "p1");
        await network.AddAddressAsync(ns, "s1", "10.64.3.1/24");
        var provider = Provider(network.Context(ns), services => services.AddAggregatorBackend());
        var backend = provider.GetRequiredService<AggregatorBackend>();
        var spec = new LinkSpec
        {
            Kind = LinkKind.Aggregator,
            Name = "agg0",
            Members = [new MemberSpec { Interface = "s1", LocalPort = 7000 }],
            Addresses = ["10.66.0.1/16"],
            Aggregator = new AggregatorOptions
            {
                Sites = [new AggregatorSiteSpec { Id = 1, Paths = 1, Prefixes = ["10.66.1.0/24"], Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) } }],
            },
        };
        Assert.Equal(ApplyResult.Ok, await backend.ApplyAsync(null, spec, Token));

        var disposal = await Record.ExceptionAsync(async () => await provider.DisposeAsync());

        Assert.Null(disposal);
        Assert.DoesNotContain("agg0", (await network.InAsync(ns, "ip", "-o", "link", "show")).StandardOutput);
    }

    /// <summary>A provider like the daemon's: the backends in <paramref name="context"/>, resolved as the reconciler and sampler resolve them.</summary>
    internal static ServiceProvider Provider(KernelContext context, Action<IServiceCollection> addBackends)
    {
        var services = new ServiceCollection();
        services.AddSingleton(context);
        services.AddSingleton(new MptcpizeDropIns(new Fleet.Agent.Processes.CommandRunner(), Path.Combine(Path.GetTempPath(), "fleet-unused-dropins"), null, systemdRunning: false));
        addBackends(services);
        services.AddSingleton<LinkBackends>();
        var provider = services.BuildServiceProvider(validateScopes: true);
        _ = provider.GetRequiredService<LinkBackends>();
        _ = provider.GetServices<ILinkEventSource>().ToList();
        return provider;
    }
}
