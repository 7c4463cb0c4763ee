using System.Diagnostics;
using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>
/// Kernel bonding for real, inside the Debian kernel booted under qemu (the build machine's kernel has no bonding):
/// bonds over veth pairs between two namespaces, traffic, member failure, mode changes, teardown.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class BondBackendVmTests
{
    [KernelVmGuestFact]
    public async Task Apply_BalanceRrBothEnds_PassesTrafficAndReportsMemberDownAndBack()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("br");
        var a = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.0.1/24");
        var b = pair.Spec("b", BondMode.BalanceRoundRobin, "10.61.0.2/24");
        Assert.Empty(LinkSpecValidator.Validate(a));

        Assert.Equal(Ok, await pair.A.ApplyAsync(null, a, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(null, b, Token));
        var up = await WaitForAsync(pair.A, a, o => o.Members.All(m => m.Health == MemberHealth.Up), "both members up");
        await WaitForAsync(pair.B, b, o => o.Members.All(m => m.Health == MemberHealth.Up), "both of B's members up");
        Assert.True(up.Info?.Mode == "balance-rr", Describe(up));
        Assert.True(up.Link.Drift is null, Describe(up));
        await pair.AssertNoPingLossAsync("10.61.0.2", a, b);

        var observed = await pair.A.ObserveBondAsync(a, Token);
        foreach (var member in observed.Members)
        {
            Assert.True(member.Enslaved, $"{member.Interface} enslaved: {Describe(observed)}");
            Assert.True(member.SpeedMbps == 10000 && member.Duplex == "full", $"{member.Interface} 10000 Mb/s full duplex (veth): {Describe(observed)}");
            Assert.True(member.Counters.TxPackets > 0, $"{member.Interface} sent packets (round robin uses both): {Describe(observed)}");
        }

        // The peer's end of a2's veth goes down: a2 loses carrier, MII monitoring marks it down, traffic goes on over a1.
        // Both ends must have seen it before the ping: B's bond would otherwise still send half its replies into b2.
        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b2", "down");
        var failed = await WaitForAsync(pair.A, a, o => o.Member("a2").Health == MemberHealth.Down && o.Member("a1").Health == MemberHealth.Up, "a2 down, a1 up");
        await WaitForAsync(pair.B, b, o => o.Member("b2").Health == MemberHealth.Down, "b2 down on B's side");
        Assert.True(failed.Member("a2").MiiStatus == "DOWN" && failed.Member("a2").LinkFailureCount >= 1, $"a2 MII down with a link failure counted: {Describe(failed)}");
        await pair.AssertNoPingLossAsync("10.61.0.2", a, b);
        AssertEvent(pair.A.TakeEvents(a), AgentEventKind.MemberDown, "a2");

        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b2", "up");
        await WaitForAsync(pair.A, a, o => o.Member("a2").Health == MemberHealth.Up, "a2 back up");
        AssertEvent(pair.A.TakeEvents(a), AgentEventKind.MemberUp, "a2");

        await pair.RemoveBothAsync(a, b);
    }

    [KernelVmGuestFact]
    public async Task Apply_ActiveBackupWithBackupMember_FailsOverAndBack()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("ba");
        var a = pair.Spec("a", BondMode.ActiveBackup, "10.61.1.1/24", backupSecond: true);
        var b = pair.Spec("b", BondMode.ActiveBackup, "10.61.1.2/24", backupSecond: true);

        Assert.Equal(Ok, await pair.A.ApplyAsync(null, a, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(null, b, Token));
        var up = await WaitForAsync(pair.A, a, o => o.Members.All(m => m.Health == MemberHealth.Up), "both members up");
        await WaitForAsync(pair.B, b, o => o.Members.All(m => m.Health == MemberHealth.Up) && o.ActiveMember == "b1", "B's members up, b1 active");
        Assert.True(
            up.Info?.Primary == "a1" && up.ActiveMember == "a1" && up.Member("a1").State == "ACTIVE" && up.Member("a2").State == "BACKUP",
            $"primary a1 active, a2 backup: primary {up.Info?.Primary}; {Describe(up)}");
        Assert.True(up.Link.Drift is null, Describe(up));
        await pair.AssertNoPingLossAsync("10.61.1.2", a, b);

        // B takes b1 down: a1 loses carrier and both ends fail over to their second member.
        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b1", "down");
        var failedOver = await WaitForAsync(
            pair.A, a, o => o.ActiveMember == "a2" && o.Member("a1").Health == MemberHealth.Down && o.Member("a2").Health == MemberHealth.Up, "a2 becomes active, a1 down");
        Assert.True(failedOver.Member("a2").State == "ACTIVE", $"a2 is the active member: {Describe(failedOver)}");
        await WaitForAsync(pair.B, b, o => o.ActiveMember == "b2", "b2 becomes active on B's side");
        await pair.AssertNoPingLossAsync("10.61.1.2", a, b);
        var events = pair.A.TakeEvents(a);
        AssertEvent(events, AgentEventKind.Failover, "a2");
        AssertEvent(events, AgentEventKind.MemberDown, "a1");

        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b1", "up");
        await WaitForAsync(pair.A, a, o => o.ActiveMember == "a1" && o.Member("a1").Health == MemberHealth.Up, "the primary a1 takes over again");
        AssertEvent(pair.A.TakeEvents(a), AgentEventKind.Failover, "a1");

        await pair.RemoveBothAsync(a, b);
    }

    [KernelVmGuestFact]
    public async Task Apply_ModeChangeInsideCommitConfirm_AppliesRollsBackAndConfirms()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bm");
        var previousA = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.2.1/24");
        var previousB = pair.Spec("b", BondMode.BalanceRoundRobin, "10.61.2.2/24");
        var nextA = pair.Spec("a", BondMode.ActiveBackup, "10.61.2.1/24");
        var nextB = pair.Spec("b", BondMode.ActiveBackup, "10.61.2.2/24");
        Assert.Equal(Ok, await pair.A.ApplyAsync(null, previousA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(null, previousB, Token));
        await WaitForAsync(pair.A, previousA, o => o.Members.All(m => m.Health == MemberHealth.Up), "rr members up");
        var exists = await pair.A.ObserveBondAsync(previousA, Token);
        Assert.True(exists.Link.Exists, Describe(exists));

        // Commit-confirm, step 1: apply the new generation (a mode change: members released, bond down, mode, re-enslaved).
        Assert.Equal(Ok, await pair.A.ApplyAsync(previousA, nextA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(previousB, nextB, Token));
        var applied = await WaitForAsync(pair.A, nextA, o => o.Members.All(m => m.Health == MemberHealth.Up), "active-backup members up");
        await WaitForAsync(pair.B, nextB, o => o.Members.All(m => m.Health == MemberHealth.Up), "B's active-backup members up");
        Assert.True(applied.Info?.Mode == "active-backup" && applied.ActiveMember == "a1" && applied.Link.Drift is null, $"active-backup with a1 active, no drift: {Describe(applied)}");
        await pair.AssertNoPingLossAsync("10.61.2.2", nextA, nextB);

        // No confirmation: the agent restores the previous generation by applying it.
        Assert.Equal(Ok, await pair.A.ApplyAsync(nextA, previousA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(nextB, previousB, Token));
        var rolledBack = await WaitForAsync(pair.A, previousA, o => o.Members.All(m => m.Health == MemberHealth.Up), "rr members up again");
        await WaitForAsync(pair.B, previousB, o => o.Members.All(m => m.Health == MemberHealth.Up), "B's rr members up again");
        Assert.True(rolledBack.Info?.Mode == "balance-rr" && rolledBack.Link.Drift is null, $"balance-rr again, no drift: {Describe(rolledBack)}");
        await pair.AssertNoPingLossAsync("10.61.2.2", previousA, previousB);

        // The operator tries again and this time confirms: the new generation stays, with nothing drifting.
        Assert.Equal(Ok, await pair.A.ApplyAsync(previousA, nextA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(previousB, nextB, Token));
        var confirmed = await WaitForAsync(pair.A, nextA, o => o.Members.All(m => m.Health == MemberHealth.Up), "active-backup members up");
        await WaitForAsync(pair.B, nextB, o => o.Members.All(m => m.Health == MemberHealth.Up), "B's active-backup members up");
        Assert.True(confirmed.Info?.Mode == "active-backup" && confirmed.Link.Drift is null, $"active-backup, no drift: {Describe(confirmed)}");
        await pair.AssertNoPingLossAsync("10.61.2.2", nextA, nextB);

        await pair.RemoveBothAsync(nextA, nextB);
    }

    [KernelVmGuestFact]
    public async Task Apply_EachModeInTurn_BondTakesEveryOption()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bo");
        LinkSpec? current = null;
        var variants = new (string What, BondOptions Options, string? Mac, int? Mtu)[]
        {
            ("balance-rr, MII with delays, MAC, MTU", new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100, UpdelayMs = 200, DowndelayMs = 300 }, "02:00:00:00:61:01", 1400),
            ("active-backup, ARP monitor", new BondOptions { Mode = BondMode.ActiveBackup, ArpIntervalMs = 200, ArpIpTargets = ["10.61.3.2", "10.61.3.3"], Primary = "a2" }, null, null),
            ("balance-xor, layer3+4", new BondOptions { Mode = BondMode.BalanceXor, MiimonMs = 50, XmitHashPolicy = BondXmitHashPolicy.Layer34 }, null, null),
            ("802.3ad, fast LACP, layer2+3", new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, LacpRate = BondLacpRate.Fast, XmitHashPolicy = BondXmitHashPolicy.Layer23 }, null, null),
            ("802.3ad, slow LACP", new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100 }, null, null),
            ("balance-tlb, primary", new BondOptions { Mode = BondMode.BalanceTlb, MiimonMs = 100, Primary = "a2", XmitHashPolicy = BondXmitHashPolicy.Layer34 }, null, null),
            ("balance-alb", new BondOptions { Mode = BondMode.BalanceAlb, MiimonMs = 100 }, null, null),
            ("active-backup, MII, no primary", new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, UpdelayMs = 100 }, null, null),
        };

        for (var i = 0; i < variants.Length; i++)
        {
            var (what, options, mac, mtu) = variants[i];
            var spec = pair.Spec("a", options.Mode, "10.61.3.1/24") with { Bond = options with { MacAddress = mac }, Mtu = mtu };
            Assert.Empty(LinkSpecValidator.Validate(spec));
            var result = await pair.A.ApplyAsync(current, spec, Token);
            Assert.True(result.Succeeded, $"{what}: {result.Error}");

            var observed = await pair.A.ObserveBondAsync(spec, Token);
            Assert.True(observed.Link.Drift is null, $"{what}: {Describe(observed)}");
            Assert.True(observed.Info?.Mode == LinkSpecValidator.ModeName(options.Mode), $"{what}: {Describe(observed)}");
            Assert.All(observed.Members, m => Assert.True(m.Enslaved, $"{what}: {m.Interface} enslaved: {Describe(observed)}"));
            if (mac is not null)
            {
                var address = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/address")).StandardOutput.Trim();
                Assert.True(address == mac, $"{what}: bond0 has MAC {address}, not {mac}");
            }

            if (i % 2 == 0)
            {
                // Idempotent: applying the same spec again changes nothing (the bond is not recreated).
                var index = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput;
                Assert.Equal(Ok, await pair.A.ApplyAsync(spec, spec, Token));
                var again = await pair.A.ObserveBondAsync(spec, Token);
                Assert.True(again.Link.Drift is null, $"{what}, applied twice: {Describe(again)}");
                var indexAfter = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput;
                Assert.True(index == indexAfter, $"{what}: applying the same spec again recreated bond0 (ifindex {index.Trim()} -> {indexAfter.Trim()})");
            }

            current = spec;
        }

        Assert.Equal(Ok, await pair.A.RemoveAsync(current!, Token));
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");
    }

    [KernelVmGuestFact]
    public async Task Apply_8023adBothEnds_ReportsLacpAggregation()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bl");
        var lacp = new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, LacpRate = BondLacpRate.Fast };
        var a = pair.Spec("a", BondMode.Ieee8023ad, "10.61.5.1/24") with { Bond = lacp };
        var b = pair.Spec("b", BondMode.Ieee8023ad, "10.61.5.2/24") with { Bond = lacp };
        Assert.Equal(Ok, await pair.A.ApplyAsync(null, a, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(null, b, Token));

        var aggregated = await WaitForAsync(pair.A, a, o => o.Members.All(m => m.Health == MemberHealth.Up), "LACP converges", TimeSpan.FromSeconds(150));
        await WaitForAsync(pair.B, b, o => o.Members.All(m => m.Health == MemberHealth.Up), "LACP converges on B's side", TimeSpan.FromSeconds(150));
        var aggregator = aggregated.Info?.ActiveAggregatorId;
        Assert.True(aggregator is not null && aggregated.Info!.PartnerMac is not null && aggregated.Status is not null, $"an active aggregator with a partner: {Describe(aggregated)}");
        foreach (var member in aggregated.Members)
        {
            Assert.True(member.AggregatorId == aggregator, $"{member.Interface} in aggregator {aggregator}: {Describe(aggregated)}");
            Assert.True(member.ActorState is { } actor && LacpPortStates.IsCarrying(actor), $"{member.Interface} actor {member.ActorState}: {Describe(aggregated)}");
            Assert.True(member.PartnerState is { } partner && LacpPortStates.IsCarrying(partner), $"{member.Interface} partner {member.PartnerState}: {Describe(aggregated)}");
            Assert.True((member.ActorState!.Value & LacpPortState.ShortTimeout) != 0, $"{member.Interface} fast LACP rate (actor {member.ActorState})");
            Assert.Contains($"aggregator {aggregator}", member.Detail, StringComparison.Ordinal);
            Assert.True(aggregated.Status!.Member(member.Interface)?.Partner is not null, $"{member.Interface} has a partner in /proc/net/bonding: {Describe(aggregated)}");
        }

        await pair.AssertNoPingLossAsync("10.61.5.2", a, b);
        await pair.RemoveBothAsync(a, b);
    }

    [KernelVmGuestFact]
    public async Task Apply_UnusableMembers_FailsWithoutCreatingAnything()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bf");
        var missing = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.6.1/24") with
        {
            Members = [new MemberSpec { Interface = "a1" }, new MemberSpec { Interface = "nosuch0" }],
        };

        var result = await pair.A.ApplyAsync(null, missing, Token);

        Assert.False(result.Succeeded);
        Assert.Equal("member nosuch0 does not exist", result.Error);
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");

        // A member that already belongs to another bond is refused too, and the other bond is left alone.
        var other = pair.Spec("a", BondMode.ActiveBackup, "10.61.7.1/24") with { Name = "bond1" };
        Assert.Equal(Ok, await pair.A.ApplyAsync(null, other, Token));
        var taken = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.6.1/24");
        var refused = await pair.A.ApplyAsync(null, taken, Token);
        Assert.False(refused.Succeeded);
        Assert.Equal("member a1 is already enslaved to bond1", refused.Error);
        var untouched = await pair.A.ObserveBondAsync(other, Token);
        Assert.True(untouched.Link.Drift is null, $"bond1 left alone: {Describe(untouched)}");
        var notCreated = await pair.A.ObserveBondAsync(taken, Token);
        Assert.False(notCreated.Link.Exists, $"bond0 was not created: {Describe(notCreated)}");
        Assert.Equal(Ok, await pair.A.RemoveAsync(other, Token));
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");
    }

    private static Fleet.Agent.Backends.ApplyResult Ok => Fleet.Agent.Backends.ApplyResult.Ok;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Observes until <paramref name="condition"/> holds. The kernel reacts within miimon (100 ms); the generous default
    /// only absorbs how slowly an observation (several processes) runs in an emulated guest on a loaded machine.
    /// </summary>
    private static async Task<BondObservation> WaitForAsync(BondBackend backend, LinkSpec spec, Func<BondObservation, bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        for (var observations = 1; ; observations++)
        {
            var observation = await backend.ObserveBondAsync(spec, Token);
            if (condition(observation))
            {
                return observation;
            }

            Assert.True(
                clock.Elapsed < limit,
                $"timed out after {clock.Elapsed.TotalSeconds:0} s ({observations} observations) waiting until {what}: {Describe(observation)}");
            await Task.Delay(500, Token);
        }
    }

    /// <summary>Everything observed about a bond, for failure messages.</summary>
    private static string Describe(BondObservation o) =>
        $"{(o.Link.Exists ? "" : "NO BOND; ")}mode {o.Info?.Mode ?? "?"}, active {o.ActiveMember ?? "none"}, members: "
        + string.Join(" | ", o.Members.Select(m => $"{m.Interface} {m.Health}{(m.Enslaved ? "" : " not enslaved")} {m.State}: {m.Detail}"))
        + $"; drift: {o.Link.Drift ?? "none"}";

    private static void AssertEvent(IReadOnlyList<LinkEvent> events, AgentEventKind kind, string member) =>
        Assert.True(
            events.Any(e => e.Kind == kind && e.Member == member),
            $"no {kind} event for {member}; events: {(events.Count == 0 ? "none" : string.Join(" | ", events.Select(e => $"{e.Kind} {e.Member}: {e.Message}")))}");

    /// <summary>Namespaces A and B joined by veths a1–b1 and a2–b2, with a bond backend in each.</summary>
    private sealed class BondPair : IAsyncDisposable
    {
        private BondPair(TestNetwork network, string a, string b)
        {
            Network = network;
            NsA = a;
            NsB = b;
            var features = new KernelFeatures();
            A = new BondBackend(network.Context(a), features, TimeProvider.System, NullLogger<BondBackend>.Instance);
            B = new BondBackend(network.Context(b), features, TimeProvider.System, NullLogger<BondBackend>.Instance);
        }

        public TestNetwork Network { get; }

        public string NsA { get; }

        public string NsB { get; }

        public BondBackend A { get; }

        public BondBackend B { get; }

        public static async Task<BondPair> CreateAsync(string kind)
        {
            var network = TestNetwork.Create(kind);
            try
            {
                var a = await network.AddNamespaceAsync("a");
                var b = await network.AddNamespaceAsync("b");
                await network.AddVethAsync(a, "a1", b, "b1");
                await network.AddVethAsync(a, "a2", b, "b2");
                return new BondPair(network, a, b);
            }
            catch
            {
                await network.DisposeAsync();
                throw;
            }
        }

        public LinkSpec Spec(string side, BondMode mode, string address, bool backupSecond = false) => new()
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members =
            [
                new MemberSpec { Interface = side + "1" },
                new MemberSpec { Interface = side + "2", AdminState = backupSecond ? MemberAdminState.Backup : MemberAdminState.Active },
            ],
            Addresses = [address],
            Bond = new BondOptions { Mode = mode, MiimonMs = 100 },
        };

        /// <summary>Pings from A to B and fails, showing both ends' bond state, unless every packet is answered.</summary>
        public Task AssertNoPingLossAsync(string target, LinkSpec a, LinkSpec b) =>
            Network.AssertNoPingLossAsync(NsA, target, async () =>
                $"A: {Describe(await A.ObserveBondAsync(a, Token))}; B: {Describe(await B.ObserveBondAsync(b, Token))}");

        public async Task RemoveBothAsync(LinkSpec a, LinkSpec b)
        {
            Assert.Equal(Ok, await A.RemoveAsync(a, Token));
            Assert.Equal(Ok, await B.RemoveAsync(b, Token));
            await AssertNoBondLeftAsync(NsA, "a1", "a2");
            await AssertNoBondLeftAsync(NsB, "b1", "b2");

            // Removing twice is harmless.
            Assert.Equal(Ok, await A.RemoveAsync(a, Token));
        }

        /// <summary>No bond device is left in <paramref name="ns"/>; the members are free and up again.</summary>
        public async Task AssertNoBondLeftAsync(string ns, params string[] members)
        {
            var links = IpLink.ParseList((await Network.InAsync(ns, "ip", "-d", "-j", "link", "show")).StandardOutput);
            var left = string.Join(", ", links.Select(l => $"{l.Name} ({l.Kind ?? "-"}{(l.Master is null ? "" : $", master {l.Master}")}, {(l.IsUp ? "up" : "down")})"));
            Assert.False(links.Any(l => l.Kind == "bond"), $"a bond is left in {ns}: {left}");
            foreach (var member in members)
            {
                var link = links.Single(l => l.Name == member);
                Assert.True(link.Master is null && link.IsUp, $"{member} is free and up after release: {left}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await Network.DisposeAsync();
        }
    }
}
