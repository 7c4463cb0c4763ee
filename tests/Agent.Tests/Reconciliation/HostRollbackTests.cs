using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Events;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Reconciliation;

/// <summary>
/// Issue 10 (High 2): a rollback must give back the host state the change touched, not only remove the spec. Real
/// kernel state in a namespace: a host whose uplink <c>e0</c> carries the default route to a gateway namespace, and a
/// striper link whose spec routes <c>default</c> through its TUN device (<c>ip route replace default dev str0</c>
/// overwrites the host's default route). The bond variant runs in the kernel VM (<see cref="HostRollbackVmTests"/>).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class HostRollbackTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000901");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfirmWithheld_StriperRoutedDefault_RollbackRestoresTheHostsDefaultRoute()
    {
        Privileged.Require("network namespaces and TUN");
        await using var network = TestNetwork.Create("rb");
        var host = await network.AddNamespaceAsync("h");
        var gateway = await network.AddNamespaceAsync("g");
        await network.AddVethAsync(host, "e0", gateway, "g0");
        await network.AddAddressAsync(host, "e0", "10.70.0.2/24");
        await network.AddAddressAsync(gateway, "g0", "10.70.0.1/24");
        await network.InAsync(host, "ip", "route", "add", "default", "via", "10.70.0.1", "dev", "e0");
        var before = await DefaultRouteAsync(network, host);
        Assert.Contains("via 10.70.0.1 dev e0", before);

        var time = new ManualTimeProvider();
        var context = network.Context(host);
        using var striper = new StriperBackend(context, TimeProvider.System, NullLogger<StriperBackend>.Instance);
        using var reconciler = HostReconciler.Create(context, [striper], time);
        var spec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [new MemberSpec { Interface = "e0", Peer = "10.70.0.1:7000" }],
            Addresses = ["10.72.0.1/30"],
            Routes = [new RouteSpec { Destination = "default" }],
            ConfirmTimeoutSeconds = 5,
            Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
        };

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, spec));
        Assert.True(reconciler.CurrentStates().Single().AwaitingConfirm, reconciler.CurrentStates().Single().Error);
        Assert.Contains("dev str0", await DefaultRouteAsync(network, host));

        time.Advance(TimeSpan.FromSeconds(6));
        await reconciler.DrainAsync();

        var state = reconciler.CurrentStates().Single();
        Assert.True(state.Phase == LinkPhase.RolledBack, $"{state.Phase}: {state.Error}");
        var after = await DefaultRouteAsync(network, host);
        Assert.True(after.Contains("via 10.70.0.1 dev e0", StringComparison.Ordinal), $"the default route before ({before.Trim()}) is back after the rollback: now '{after.Trim()}'");
        Assert.Equal(0, await network.PingLossAsync(host, "10.70.0.1", count: 3));
    }

    private static async Task<string> DefaultRouteAsync(TestNetwork network, string ns) =>
        (await network.InAsync(ns, "ip", "-4", "route", "show", "default")).StandardOutput;
}

/// <summary>A reconciler over real backends acting in one kernel context, with a manual clock for the confirmation deadline.</summary>
internal static class HostReconciler
{
    public static Reconciler Create(KernelContext context, IEnumerable<ILinkBackend> backends, TimeProvider time)
    {
        var reconciler = new Reconciler(new LinkBackends(backends), new KernelHostState(context), new InMemoryLinkStateStore(), new AgentEventLog(time), time, NullLogger<Reconciler>.Instance);
        reconciler.InitializeAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return reconciler;
    }
}

/// <summary>
/// <see cref="HostRollbackTests"/> with a bond, in the kernel VM guest (the build machine has no bonding): the host's
/// uplink <c>e0</c> carries the default route; a bond takes <c>e0</c> as a member (enslaving downs it, which flushes
/// the route) and routes <c>default</c> itself; the confirmation never comes.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class HostRollbackVmTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000902");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [KernelVmGuestFact]
    public async Task ConfirmWithheld_BondOverTheDefaultRoutesMember_RollbackRestoresTheDefaultRouteAndTheGatewayAnswers()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var network = TestNetwork.Create("rv");
        var host = await network.AddNamespaceAsync("h");
        var gateway = await network.AddNamespaceAsync("g");
        await network.AddVethAsync(host, "e0", gateway, "g0");
        await network.AddVethAsync(host, "e1", gateway, "g1");
        await network.AddAddressAsync(host, "e0", "10.73.0.2/24");
        await network.AddAddressAsync(gateway, "g0", "10.73.0.1/24");
        await network.InAsync(host, "ip", "route", "add", "default", "via", "10.73.0.1", "dev", "e0");
        Assert.Equal(0, await network.PingLossAsync(host, "10.73.0.1", count: 2));

        var time = new ManualTimeProvider();
        var context = network.Context(host);
        using var bond = new BondBackend(context, new KernelFeatures(), TimeProvider.System, NullLogger<BondBackend>.Instance);
        using var reconciler = HostReconciler.Create(context, [bond], time);
        var spec = new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members = [new MemberSpec { Interface = "e0" }, new MemberSpec { Interface = "e1" }],
            Addresses = ["10.74.0.2/24"],
            Routes = [new RouteSpec { Destination = "default", Via = "10.74.0.1" }],
            ConfirmTimeoutSeconds = 5,
            Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 },
        };

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, spec));
        var applied = reconciler.CurrentStates().Single();
        Assert.True(applied.AwaitingConfirm, $"{applied.Phase}: {applied.Error}");
        Assert.Contains("via 10.74.0.1 dev bond0", (await network.InAsync(host, "ip", "-4", "route", "show", "default")).StandardOutput);

        time.Advance(TimeSpan.FromSeconds(6));
        await reconciler.DrainAsync();

        var state = reconciler.CurrentStates().Single();
        Assert.True(state.Phase == LinkPhase.RolledBack, $"{state.Phase}: {state.Error}");
        var links = (await network.InAsync(host, "ip", "-br", "link", "show")).StandardOutput;
        Assert.DoesNotContain("bond0", links);
        var routes = (await network.InAsync(host, "ip", "-4", "route", "show")).StandardOutput;
        Assert.True(routes.Contains("default via 10.73.0.1 dev e0", StringComparison.Ordinal), $"the default route via e0 is back: {routes.ReplaceLineEndings(" | ")}; links: {links.ReplaceLineEndings(" | ")}");
        var e1 = IpLink.ParseList((await network.InAsync(host, "ip", "-j", "link", "show", "e1")).StandardOutput).Single();
        Assert.True(e1.IsUp && e1.Master is null, $"e1 is free and up as before: {links.ReplaceLineEndings(" | ")}");

        // The gateway answers over the restored route (the kernel may take a moment to resolve its neighbour again).
        await Eventually.TrueAsync(async () => await network.PingLossAsync(host, "10.73.0.1", count: 2) == 0, "the gateway answers", TimeSpan.FromSeconds(30));
    }
}
