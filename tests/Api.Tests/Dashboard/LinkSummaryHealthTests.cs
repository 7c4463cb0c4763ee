using Fleet.Api.Dashboard;
using Fleet.Contracts.Links;

namespace Fleet.Api.Tests.Dashboard;

/// <summary>
/// A link's health on the overview, host and link pages combines its members' health with its rollout state (issue
/// 19: a teql link in phase Failed with 2 of 3 members up showed Healthy on the link, its host and the totals).
/// </summary>
public sealed class LinkSummaryHealthTests
{
    private static readonly FleetSnapshot.MemberRow[] s_twoOfThreeUp =
    [
        new("eth1", MemberAdminState.Active, MemberHealth.Up, null),
        new("eth2", MemberAdminState.Active, MemberHealth.Up, null),
        new("eth9", MemberAdminState.Active, MemberHealth.Unknown, null),
    ];

    private static readonly FleetSnapshot.MemberRow[] s_allUp =
    [
        new("eth1", MemberAdminState.Active, MemberHealth.Up, null),
        new("eth2", MemberAdminState.Active, MemberHealth.Up, null),
    ];

    private static readonly FleetSnapshot.MemberRow[] s_noneUp =
    [
        new("eth1", MemberAdminState.Active, MemberHealth.Down, null),
        new("eth2", MemberAdminState.Active, MemberHealth.Down, null),
    ];

    [Theory]
    [InlineData(LinkPhase.Failed)]
    [InlineData(LinkPhase.RolledBack)]
    [InlineData(LinkPhase.Drifted)]
    public void Summarize_RolloutProblemWithMembersUp_IsDegraded(LinkPhase phase)
    {
        Assert.Equal(LinkHealth.Degraded, FleetSnapshot.Summarize(Guid.NewGuid(), "teql0", LinkKind.Teql, phase, s_twoOfThreeUp).Health);
        Assert.Equal(LinkHealth.Degraded, FleetSnapshot.Summarize(Guid.NewGuid(), "teql0", LinkKind.Teql, phase, s_allUp).Health);
    }

    [Theory]
    [InlineData(LinkPhase.Applied)]
    [InlineData(LinkPhase.Pending)]
    [InlineData(LinkPhase.Applying)]
    public void Summarize_NoRolloutProblemAllUp_IsHealthy(LinkPhase phase) =>
        Assert.Equal(LinkHealth.Healthy, FleetSnapshot.Summarize(Guid.NewGuid(), "bond0", LinkKind.Bond, phase, s_allUp).Health);

    [Theory]
    [InlineData(LinkPhase.Failed)]
    [InlineData(LinkPhase.Applied)]
    public void Summarize_NoMemberUp_IsDownWhateverTheRollout(LinkPhase phase) =>
        Assert.Equal(LinkHealth.Down, FleetSnapshot.Summarize(Guid.NewGuid(), "bond0", LinkKind.Bond, phase, s_noneUp).Health);
}
