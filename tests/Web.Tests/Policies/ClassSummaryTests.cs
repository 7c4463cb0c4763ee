using Fleet.Contracts.Links;
using Fleet.Web.Policies;

namespace Fleet.Web.Tests.Policies;

public sealed class ClassSummaryTests
{
    [Fact]
    public void Match_EveryField_OnePartEach()
    {
        var match = new TrafficMatch
        {
            Protocol = "udp",
            SourcePrefixes = ["10.0.0.0/8"],
            DestinationPrefixes = ["192.0.2.0/24", "2001:db8::/32"],
            SourcePorts = ["1024-65535"],
            DestinationPorts = ["5060", "10000-20000"],
            Dscp = [46, 34],
        };

        Assert.Equal("udp · from 10.0.0.0/8 · to 192.0.2.0/24, 2001:db8::/32 · src port 1024-65535 · dst port 5060, 10000-20000 · dscp 46, 34", ClassSummary.Match(match));
        Assert.Equal("every packet", ClassSummary.Match(new TrafficMatch()));
    }

    [Theory]
    [InlineData(TrafficAction.Pin, "pin to the lowest-RTT member")]
    [InlineData(TrafficAction.Duplicate, "duplicate ×2")]
    [InlineData(TrafficAction.Fec, "fec, target 0.1 % loss, ≤ 40 ms")]
    [InlineData(TrafficAction.Stripe, "stripe")]
    public void Action_Defaults_SayWhatTheClassDoes(TrafficAction action, string expected) =>
        Assert.Equal(expected, ClassSummary.Action(new TrafficClassSpec { Name = "c", Action = action }));

    [Fact]
    public void Action_OptionsAndMembers_AreNamed()
    {
        var pinned = new TrafficClassSpec { Name = "voice", Action = TrafficAction.Pin, Pin = new PinClassOptions { Member = "eth1" }, Members = ["eth1", "eth2"] };
        var fec = new TrafficClassSpec { Name = "video", Action = TrafficAction.Fec, Fec = new FecClassOptions { TargetLossPercent = 0.5, MaxDelayMs = 20 } };

        Assert.Equal("pin to eth1 on eth1, eth2", ClassSummary.Action(pinned));
        Assert.Equal("fec, target 0.5 % loss, ≤ 20 ms", ClassSummary.Action(fec));
    }
}
