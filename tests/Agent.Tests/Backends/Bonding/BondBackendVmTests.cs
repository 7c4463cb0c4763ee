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
        Assert.Equal("balance-rr", up.Info!.Mode);
        Assert.Null(up.Link.Drift);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.0.2"));

        var observed = await pair.A.ObserveBondAsync(a, Token);
        foreach (var member in observed.Members)
        {
            Assert.True(member.Enslaved);
            Assert.Equal(10000, member.SpeedMbps);
            Assert.Equal("full", member.Duplex);
            Assert.True(member.Counters.TxPackets > 0, $"{member.Interface} sent packets (round robin uses both)");
        }

        // The peer's end of a2's veth goes down: a2 loses carrier, MII monitoring marks it down, traffic goes on over a1.
        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b2", "down");
        var failed = await WaitForAsync(pair.A, a, o => o.Member("a2").Health == MemberHealth.Down, "a2 down");
        Assert.Equal(MemberHealth.Up, failed.Member("a1").Health);
        Assert.Equal("DOWN", failed.Member("a2").MiiStatus);
        Assert.True(failed.Member("a2").LinkFailureCount >= 1);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.0.2"));
        Assert.Contains(pair.A.TakeEvents(a), e => e.Kind == AgentEventKind.MemberDown && e.Member == "a2");

        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b2", "up");
        await WaitForAsync(pair.A, a, o => o.Member("a2").Health == MemberHealth.Up, "a2 back up");
        Assert.Contains(pair.A.TakeEvents(a), e => e.Kind == AgentEventKind.MemberUp && e.Member == "a2");

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
        Assert.Equal("a1", up.Info!.Primary);
        Assert.Equal("a1", up.ActiveMember);
        Assert.Equal("ACTIVE", up.Member("a1").State);
        Assert.Equal("BACKUP", up.Member("a2").State);
        Assert.Null(up.Link.Drift);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.1.2"));

        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b1", "down");
        var failedOver = await WaitForAsync(pair.A, a, o => o.ActiveMember == "a2", "a2 becomes active");
        Assert.Equal(MemberHealth.Down, failedOver.Member("a1").Health);
        Assert.Equal(MemberHealth.Up, failedOver.Member("a2").Health);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.1.2"));
        var events = pair.A.TakeEvents(a);
        Assert.Contains(events, e => e.Kind == AgentEventKind.Failover && e.Member == "a2");
        Assert.Contains(events, e => e.Kind == AgentEventKind.MemberDown && e.Member == "a1");

        await pair.Network.InAsync(pair.NsB, "ip", "link", "set", "b1", "up");
        await WaitForAsync(pair.A, a, o => o.ActiveMember == "a1" && o.Member("a1").Health == MemberHealth.Up, "the primary a1 takes over again");
        Assert.Contains(pair.A.TakeEvents(a), e => e.Kind == AgentEventKind.Failover && e.Member == "a1");

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
        var index = (await pair.A.ObserveBondAsync(previousA, Token)).Link.Exists;
        Assert.True(index);

        // Commit-confirm, step 1: apply the new generation (a mode change: members released, bond down, mode, re-enslaved).
        Assert.Equal(Ok, await pair.A.ApplyAsync(previousA, nextA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(previousB, nextB, Token));
        var applied = await WaitForAsync(pair.A, nextA, o => o.Members.All(m => m.Health == MemberHealth.Up), "active-backup members up");
        Assert.Equal("active-backup", applied.Info!.Mode);
        Assert.Equal("a1", applied.ActiveMember);
        Assert.Null(applied.Link.Drift);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.2.2"));

        // No confirmation: the agent restores the previous generation by applying it.
        Assert.Equal(Ok, await pair.A.ApplyAsync(nextA, previousA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(nextB, previousB, Token));
        var rolledBack = await WaitForAsync(pair.A, previousA, o => o.Members.All(m => m.Health == MemberHealth.Up), "rr members up again");
        Assert.Equal("balance-rr", rolledBack.Info!.Mode);
        Assert.Null(rolledBack.Link.Drift);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.2.2"));

        // The operator tries again and this time confirms: the new generation stays, with nothing drifting.
        Assert.Equal(Ok, await pair.A.ApplyAsync(previousA, nextA, Token));
        Assert.Equal(Ok, await pair.B.ApplyAsync(previousB, nextB, Token));
        var confirmed = await WaitForAsync(pair.A, nextA, o => o.Members.All(m => m.Health == MemberHealth.Up), "active-backup members up");
        Assert.Equal("active-backup", confirmed.Info!.Mode);
        Assert.Null(confirmed.Link.Drift);
        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.2.2"));

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
            Assert.True(observed.Link.Drift is null, $"{what}: {observed.Link.Drift}");
            Assert.Equal(LinkSpecValidator.ModeName(options.Mode), observed.Info!.Mode);
            Assert.All(observed.Members, m => Assert.True(m.Enslaved, $"{what}: {m.Interface} enslaved"));
            if (mac is not null)
            {
                Assert.Equal(mac, (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/address")).StandardOutput.Trim());
            }

            if (i % 2 == 0)
            {
                // Idempotent: applying the same spec again changes nothing (the bond is not recreated).
                var index = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput;
                Assert.Equal(Ok, await pair.A.ApplyAsync(spec, spec, Token));
                Assert.Null((await pair.A.ObserveBondAsync(spec, Token)).Link.Drift);
                Assert.Equal(index, (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput);
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

        var aggregated = await WaitForAsync(pair.A, a, o => o.Members.All(m => m.Health == MemberHealth.Up), "LACP converges", TimeSpan.FromSeconds(40));
        var aggregator = aggregated.Info!.ActiveAggregatorId;
        Assert.NotNull(aggregator);
        Assert.NotNull(aggregated.Info.PartnerMac);
        Assert.NotNull(aggregated.Status);
        foreach (var member in aggregated.Members)
        {
            Assert.Equal(aggregator, member.AggregatorId);
            Assert.True(LacpPortStates.IsCarrying(member.ActorState!.Value), $"{member.Interface} actor {member.ActorState}");
            Assert.True(LacpPortStates.IsCarrying(member.PartnerState!.Value), $"{member.Interface} partner {member.PartnerState}");
            Assert.True((member.ActorState.Value & LacpPortState.ShortTimeout) != 0, "fast LACP rate");
            Assert.Contains($"aggregator {aggregator}", member.Detail, StringComparison.Ordinal);
            Assert.NotNull(aggregated.Status!.Member(member.Interface)!.Partner);
        }

        Assert.Equal(0, await pair.Network.PingLossAsync(pair.NsA, "10.61.5.2"));
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
        Assert.Null((await pair.A.ObserveBondAsync(other, Token)).Link.Drift);
        Assert.False((await pair.A.ObserveBondAsync(taken, Token)).Link.Exists);
        Assert.Equal(Ok, await pair.A.RemoveAsync(other, Token));
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");
    }

    private static Fleet.Agent.Backends.ApplyResult Ok => Fleet.Agent.Backends.ApplyResult.Ok;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<BondObservation> WaitForAsync(BondBackend backend, LinkSpec spec, Func<BondObservation, bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var observation = await backend.ObserveBondAsync(spec, Token);
            if (condition(observation))
            {
                return observation;
            }

            Assert.True(
                clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(20)),
                $"timed out waiting until {what}: {string.Join(" | ", observation.Members.Select(m => $"{m.Interface} {m.Health}: {m.Detail}"))}; drift: {observation.Link.Drift}");
            await Task.Delay(500, Token);
        }
    }

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
            Assert.DoesNotContain(links, l => l.Kind == "bond");
            foreach (var member in members)
            {
                var link = links.Single(l => l.Name == member);
                Assert.Null(link.Master);
                Assert.True(link.IsUp, $"{member} is up after release");
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
