using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;

namespace Fleet.Agent.Tests.Backends.Bonding;

public sealed class BondLinkInfoTests
{
    [Fact]
    public void From_8023adLinks_ReadsBondOptionsAndMemberLacpState()
    {
        var links = IpLink.ParseList(CapturedBonding.IpLinks8023ad).ToDictionary(l => l.Name);

        var bond = BondLinkInfo.From(links["bond2"])!;
        Assert.Equal("802.3ad", bond.Mode);
        Assert.Equal(100, bond.Miimon);
        Assert.Equal("layer3+4", bond.XmitHashPolicy);
        Assert.Equal("fast", bond.LacpRate);
        Assert.Equal(1, bond.ActiveAggregatorId);
        Assert.Equal("76:9d:b2:f9:6e:75", bond.PartnerMac);
        Assert.Null(bond.Primary);

        var member = BondMemberInfo.From(links["a1"])!;
        Assert.Equal("ACTIVE", member.State);
        Assert.Equal("UP", member.MiiStatus);
        Assert.Equal(1, member.AggregatorId);
        Assert.Equal((LacpPortState)63, member.ActorState);
        Assert.Equal((LacpPortState)63, member.PartnerState);
        Assert.Equal("bond2", links["a1"].Master);
        Assert.Equal(2104UL, links["a1"].Statistics!.Value.TxBytes);
        Assert.Equal(24UL, links["a1"].Statistics!.Value.RxPackets);

        Assert.Null(BondLinkInfo.From(links["a1"]));
        Assert.Null(BondMemberInfo.From(links["bond2"]));
        Assert.Null(BondMemberInfo.From(links["lo"]));
    }

    [Fact]
    public void From_ActiveBackupAfterFailure_ReadsActiveSlaveAndMemberStates()
    {
        var links = IpLink.ParseList(CapturedBonding.IpLinksActiveBackupA1Down).ToDictionary(l => l.Name);

        var bond = BondLinkInfo.From(links["bond0"])!;
        Assert.Equal("active-backup", bond.Mode);
        Assert.Equal("a2", bond.ActiveSlave);
        Assert.Equal("a1", bond.Primary);
        Assert.Equal(200, bond.Updelay);
        Assert.Equal("DOWN", BondMemberInfo.From(links["a1"])!.MiiStatus);
        Assert.Equal(1, BondMemberInfo.From(links["a1"])!.LinkFailureCount);
        Assert.Equal("BACKUP", BondMemberInfo.From(links["a1"])!.State);
        Assert.Equal("ACTIVE", BondMemberInfo.From(links["a2"])!.State);
        Assert.False(links["a1"].HasCarrier);
    }

    [Fact]
    public void From_RoundRobinWithArp_ReadsTargets()
    {
        var bond = BondLinkInfo.From(IpLink.ParseList(CapturedBonding.IpLinkRoundRobinArp).Single())!;

        Assert.Equal("balance-rr", bond.Mode);
        Assert.Equal(0, bond.Miimon);
        Assert.Equal(200, bond.ArpInterval);
        Assert.Equal(["10.7.1.2", "10.7.1.3"], bond.ArpIpTargets);
    }
}
