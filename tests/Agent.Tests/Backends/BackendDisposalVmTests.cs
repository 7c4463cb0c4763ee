using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Teql;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Agent.Tests.Backends;

/// <summary>
/// <see cref="BackendDisposalTests"/> for the kinds the build machine's kernel lacks: a bond and a teql link applied in
/// the kernel VM guest, then the service provider disposed as the daemon's host disposes it.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class BackendDisposalVmTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [KernelVmGuestFact]
    public async Task DisposeServiceProvider_BondAndTeqlLinksApplied_DisposesWithoutErrorAndStopsTheProbes()
    {
        Privileged.Require("network namespaces, bonding and teql in the kernel VM");
        await using var network = TestNetwork.Create("dv");
        var ns = await network.AddNamespaceAsync("a");
        var peer = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(ns, "v1", peer, "w1");
        await network.AddVethAsync(ns, "v2", peer, "w2");
        await network.AddVethAsync(ns, "v3", peer, "w3");
        await network.AddAddressAsync(ns, "v3", "10.66.3.1/24");
        await network.AddAddressAsync(peer, "w3", "10.66.3.2/24");
        var provider = BackendDisposalTests.Provider(network.Context(ns), services => services.AddKernelLinkBackends());
        var bond = new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members = [new MemberSpec { Interface = "v1" }, new MemberSpec { Interface = "v2" }],
            Addresses = ["10.66.0.1/24"],
            Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 },
        };
        var teql = new LinkSpec
        {
            Kind = LinkKind.Teql,
            Name = "teql4",
            Members = [new MemberSpec { Interface = "v3", ProbeTarget = "10.66.3.2" }],
            Addresses = ["10.67.0.1/24"],
            Teql = new TeqlOptions { ProbeIntervalMs = 200 },
        };
        Assert.Equal(ApplyResult.Ok, await provider.GetRequiredService<BondBackend>().ApplyAsync(null, bond, Token));
        Assert.Equal(ApplyResult.Ok, await provider.GetRequiredService<TeqlBackend>().ApplyAsync(null, teql, Token));

        var disposal = await Record.ExceptionAsync(async () => await provider.DisposeAsync());

        Assert.Null(disposal);
        // The probe loop is gone with the backend: no ping runs in the namespace any more.
        await Task.Delay(1000, Token);
        Assert.Equal("", (await network.Runner.RunAsync("ip", ["netns", "pids", ns], cancellationToken: Token)).StandardOutput.Trim());
    }
}
