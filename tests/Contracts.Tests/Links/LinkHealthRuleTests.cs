using Fleet.Contracts.Links;

namespace Fleet.Contracts.Tests.Links;

public sealed class LinkHealthRuleTests
{
    [Fact]
    public void Of_AllUp_Healthy() =>
        Assert.Equal(LinkHealth.Healthy, LinkHealthRule.Of(LinkPhase.Applied, [(MemberAdminState.Active, MemberHealth.Up, 0.1), (MemberAdminState.Backup, MemberHealth.Up, null)]));

    [Fact]
    public void Of_OneDown_Degraded() =>
        Assert.Equal(LinkHealth.Degraded, LinkHealthRule.Of(LinkPhase.Applied, [(MemberAdminState.Active, MemberHealth.Up, 0), (MemberAdminState.Active, MemberHealth.Down, null)]));

    [Fact]
    public void Of_AllUpButLossy_Degraded() =>
        Assert.Equal(LinkHealth.Degraded, LinkHealthRule.Of(LinkPhase.Applied, [(MemberAdminState.Active, MemberHealth.Up, 5.0)]));

    [Fact]
    public void Of_NoneUp_Down() =>
        Assert.Equal(LinkHealth.Down, LinkHealthRule.Of(LinkPhase.Applied, [(MemberAdminState.Active, MemberHealth.Down, null), (MemberAdminState.Backup, MemberHealth.Down, null)]));

    [Fact]
    public void Of_DisabledMemberDown_DoesNotCount() =>
        Assert.Equal(LinkHealth.Healthy, LinkHealthRule.Of(LinkPhase.Applied, [(MemberAdminState.Active, MemberHealth.Up, 0), (MemberAdminState.Disabled, MemberHealth.Down, null)]));

    [Fact]
    public void Of_NothingObserved_Unknown() =>
        Assert.Equal(LinkHealth.Unknown, LinkHealthRule.Of(LinkPhase.Failed, [(MemberAdminState.Active, MemberHealth.Unknown, null)]));

    [Theory]
    [InlineData(LinkPhase.Pending, LinkHealth.Healthy)]
    [InlineData(LinkPhase.Applying, LinkHealth.Healthy)]
    [InlineData(LinkPhase.Applied, LinkHealth.Healthy)]
    [InlineData(LinkPhase.Failed, LinkHealth.Degraded)]
    [InlineData(LinkPhase.RolledBack, LinkHealth.Degraded)]
    [InlineData(LinkPhase.Drifted, LinkHealth.Degraded)]
    public void Of_EveryPhaseWithAllMembersUp(LinkPhase phase, LinkHealth expected) =>
        Assert.Equal(expected, LinkHealthRule.Of(phase, [(MemberAdminState.Active, MemberHealth.Up, 0)]));

    [Fact]
    public void Of_FailedAndNoneUp_StaysDown() =>
        Assert.Equal(LinkHealth.Down, LinkHealthRule.Of(LinkPhase.Failed, [(MemberAdminState.Active, MemberHealth.Down, null)]));

    [Fact]
    public void Worst_DownAndDegraded_Down() =>
        Assert.Equal(LinkHealth.Down, LinkHealthRule.Worst(LinkHealth.Degraded, LinkHealth.Down));
}
