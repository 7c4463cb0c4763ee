using Fleet.Agent.Backends.Bonding;

namespace Fleet.Agent.Tests.Backends.Bonding;

public sealed class BondProcStatusTests
{
    [Fact]
    public void Parse_ActiveBackup_ReadsBondAndMembers()
    {
        var status = BondProcStatus.Parse(CapturedBonding.ProcActiveBackup);

        Assert.Equal("fault-tolerance (active-backup)", status.Mode);
        Assert.Equal("a1", status.PrimarySlave);
        Assert.Equal("a1", status.CurrentlyActiveSlave);
        Assert.Equal("up", status.MiiStatus);
        Assert.Equal(100, status.MiiPollingIntervalMs);
        Assert.Equal(200, status.UpDelayMs);
        Assert.Equal(200, status.DownDelayMs);
        Assert.Equal(["a1", "a2"], status.Members.Select(m => m.Name));
        var a2 = status.Member("a2")!;
        Assert.Equal("up", a2.MiiStatus);
        Assert.Equal(10000, a2.SpeedMbps);
        Assert.Equal("full", a2.Duplex);
        Assert.Equal(0, a2.LinkFailureCount);
        Assert.Equal("4a:6d:43:30:26:57", a2.PermanentAddress);
        Assert.Equal(0, a2.QueueId);
        Assert.Null(a2.AggregatorId);
        Assert.Null(a2.Actor);
    }

    [Fact]
    public void Parse_ActiveBackupAfterPeerDown_ShowsFailoverAndFailureCount()
    {
        var status = BondProcStatus.Parse(CapturedBonding.ProcActiveBackupPeerDown);

        Assert.Equal("a2", status.CurrentlyActiveSlave);
        Assert.Equal("down", status.Member("a1")!.MiiStatus);
        Assert.Equal(1, status.Member("a1")!.LinkFailureCount);
        Assert.Equal("up", status.Member("a2")!.MiiStatus);
    }

    [Fact]
    public void Parse_8023ad_ReadsAggregatorAndLacpExchange()
    {
        var status = BondProcStatus.Parse(CapturedBonding.ProcLacp);

        Assert.Equal("IEEE 802.3ad Dynamic link aggregation", status.Mode);
        Assert.Equal("layer3+4 (1)", status.TransmitHashPolicy);
        Assert.Equal("fast", status.LacpRate);
        Assert.Equal(1, status.ActiveAggregatorId);
        Assert.Equal(2, status.ActiveAggregatorPorts);
        Assert.Equal("76:9d:b2:f9:6e:75", status.PartnerMacAddress);
        Assert.Null(status.CurrentlyActiveSlave);

        var a2 = status.Member("a2")!;
        Assert.Equal(1, a2.AggregatorId);
        Assert.Equal("monitoring", a2.ActorChurnState);
        Assert.Equal("monitoring", a2.PartnerChurnState);
        Assert.Equal(0, a2.ActorChurnedCount);
        Assert.Equal(65535, a2.Actor!.SystemPriority);
        Assert.Equal("02:18:85:1c:e3:83", a2.Actor.SystemMacAddress);
        Assert.Equal(15, a2.Actor.Key);
        Assert.Equal(2, a2.Actor.PortNumber);
        Assert.Equal(255, a2.Actor.PortPriority);
        Assert.Equal((LacpPortState)63, a2.Actor.PortState);
        Assert.Equal("76:9d:b2:f9:6e:75", a2.Partner!.SystemMacAddress);
        Assert.Equal(15, a2.Partner.Key);
        Assert.True(LacpPortStates.IsCarrying(a2.Partner.PortState!.Value));
    }

    [Fact]
    public void Parse_RoundRobinWithArpMonitor_ReadsTargetsAndDownMembers()
    {
        var status = BondProcStatus.Parse(CapturedBonding.ProcRoundRobinArp);

        Assert.Equal("load balancing (round-robin)", status.Mode);
        Assert.Equal(0, status.MiiPollingIntervalMs);
        Assert.Equal(200, status.ArpPollingIntervalMs);
        Assert.Equal(["10.7.1.2", "10.7.1.3"], status.ArpIpTargets);
        Assert.Null(status.PrimarySlave);
        Assert.All(status.Members, m => Assert.Equal("down", m.MiiStatus));
    }

    [Fact]
    public void Parse_UnknownSpeedAndNoneActive_ReadsNulls()
    {
        var status = BondProcStatus.Parse("""
            Bonding Mode: fault-tolerance (active-backup)
            Primary Slave: None
            Currently Active Slave: None
            MII Status: down

            Slave Interface: eth9
            MII Status: down
            Speed: Unknown
            Duplex: Unknown
            Link Failure Count: 4
            A line a newer kernel might add: with a value
            """);

        Assert.Null(status.PrimarySlave);
        Assert.Null(status.CurrentlyActiveSlave);
        Assert.Null(status.Member("eth9")!.SpeedMbps);
        Assert.Equal(4, status.Member("eth9")!.LinkFailureCount);
    }

    [Theory]
    [InlineData(63, "active,short_timeout,aggregating,in_sync,collecting,distributing", true)]
    [InlineData(0x45, "active,aggregating,defaulted", false)]
    [InlineData(0, "none", false)]
    public void LacpPortStates_Describe_NamesBitsAsIproute2(int state, string words, bool carrying)
    {
        Assert.Equal(words, LacpPortStates.Describe((LacpPortState)state));
        Assert.Equal(carrying, LacpPortStates.IsCarrying((LacpPortState)state));
    }
}
