using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Web.Policies;

namespace Fleet.Web.Tests.Policies;

/// <summary>Issue 19, the policy editor warns before apply: members against the interfaces the host reported.</summary>
public sealed class HostInterfaceWarningsTests
{
    private static readonly InterfaceInventory[] s_interfaces =
    [
        new("eth1", "ether", null, 1500, up: true, []),
        new("eth2", "ether", null, 9000, up: false, []),
        new("lo", "loopback", null, 65536, up: true, []),
    ];

    [Fact]
    public void For_MembersTheHostHasUpAndMtuWithin_NoWarning()
    {
        var spec = Spec(1500, "eth1");

        Assert.Empty(HostInterfaceWarnings.For(spec, "edge-1", s_interfaces));
    }

    [Fact]
    public void For_UnknownDevice_NamesItAndWhatTheHostHas()
    {
        var warning = Assert.Single(HostInterfaceWarnings.For(Spec(null, "eth1", "eth9"), "edge-1", s_interfaces));

        Assert.Equal("eth9 is not among the interfaces edge-1 reported (eth1, eth2, lo).", warning);
    }

    [Fact]
    public void For_LinkMtuAboveAMembersAndAMemberDown_OneWarningEach()
    {
        var warnings = HostInterfaceWarnings.For(Spec(9000, "eth1", "eth2"), "edge-1", s_interfaces);

        Assert.Equal(["The link's MTU 9000 is above eth1's MTU 1500.", "eth2 is down on edge-1."], warnings);
    }

    [Fact]
    public void For_HostNeverReported_SaysTheNamesAreNotChecked()
    {
        var warning = Assert.Single(HostInterfaceWarnings.For(Spec(null, "eth1"), "edge-1", null));

        Assert.Contains("has not reported its interfaces", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void For_ManyInterfaces_ListsTheFirstEightAndCountsTheRest()
    {
        var many = Enumerable.Range(0, 12).Select(i => new InterfaceInventory($"eth{i}", "ether", null, 1500, up: true, [])).ToArray();

        var warning = Assert.Single(HostInterfaceWarnings.For(Spec(null, "wwan0"), "edge-1", many));

        Assert.EndsWith("(eth0, eth1, eth2, eth3, eth4, eth5, eth6, eth7 and 4 more).", warning, StringComparison.Ordinal);
    }

    private static LinkSpec Spec(int? mtu, params string[] members) => SpecSamples.Bond() with
    {
        Mtu = mtu,
        Members = [.. members.Select(m => new MemberSpec { Interface = m })],
    };
}
