using Fleet.Contracts.Links;
using Fleet.Web.Health;

namespace Fleet.Web.Tests.Health;

public sealed class LinkHealthRuleTests
{
    [Fact]
    public void FromMembers_AllUp_Healthy() =>
        Assert.Equal(LinkHealth.Healthy, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Up, 0.1), (MemberAdminState.Backup, MemberHealth.Up, null)]));

    [Fact]
    public void FromMembers_OneDown_Degraded() =>
        Assert.Equal(LinkHealth.Degraded, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Up, 0), (MemberAdminState.Active, MemberHealth.Down, null)]));

    [Fact]
    public void FromMembers_AllUpButLossy_Degraded() =>
        Assert.Equal(LinkHealth.Degraded, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Up, 5.0)]));

    [Fact]
    public void FromMembers_NoneUp_Down() =>
        Assert.Equal(LinkHealth.Down, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Down, null), (MemberAdminState.Backup, MemberHealth.Down, null)]));

    [Fact]
    public void FromMembers_DisabledMemberDown_DoesNotCount() =>
        Assert.Equal(LinkHealth.Healthy, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Up, 0), (MemberAdminState.Disabled, MemberHealth.Down, null)]));

    [Fact]
    public void FromMembers_NothingObserved_Unknown() =>
        Assert.Equal(LinkHealth.Unknown, LinkHealthRule.FromMembers([(MemberAdminState.Active, MemberHealth.Unknown, null)]));

    [Fact]
    public void Worst_DownAndDegraded_Down() =>
        Assert.Equal(LinkHealth.Down, LinkHealthRule.Worst(LinkHealth.Degraded, LinkHealth.Down));
}
