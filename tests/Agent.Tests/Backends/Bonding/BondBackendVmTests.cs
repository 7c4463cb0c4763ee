using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using static Fleet.Agent.Tests.Backends.Bonding.BondVm;

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>
/// Kernel bonding for real, inside the Debian kernel booted under qemu (the build machine's kernel has no bonding):
/// bonds over veth pairs between two namespaces, traffic, member failure and failover, LACP, mode changes inside
/// commit-confirm, teardown. Every option in turn is in <see cref="BondOptionsVmTests"/>.
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
        // Back to back, two active-backup bonds reach each other only while both use their first members. Each end's
        // mode change takes its members down and up, which the other end's MII monitor sees as its own member failing;
        // without a primary, a bond that failed over then stays on the second member while the other end is back on its
        // first (seen: A active a2, B active b1, every ping unanswered). A primary makes each end return to its first.
        var nextA = WithPrimary(pair.Spec("a", BondMode.ActiveBackup, "10.61.2.1/24"), "a1");
        var nextB = WithPrimary(pair.Spec("b", BondMode.ActiveBackup, "10.61.2.2/24"), "b1");
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

    private static LinkSpec WithPrimary(LinkSpec spec, string primary) => spec with { Bond = spec.Bond! with { Primary = primary } };
}
