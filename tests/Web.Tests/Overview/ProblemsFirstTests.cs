using Fleet.Contracts.Links;
using Fleet.Web.Overview;

namespace Fleet.Web.Tests.Overview;

public sealed class ProblemsFirstTests
{
    private static LinkSummary Link(string name, LinkHealth health, LinkPhase phase = LinkPhase.Applied) =>
        new(Guid.NewGuid(), name, LinkKind.Bond, phase, health, null, 0, 2, null, null, null);

    private static HostSummary Host(string name, bool online, params LinkSummary[] links) =>
        new(Guid.NewGuid(), name, [], online, null, LinkHealth.Unknown, links);

    [Fact]
    public void Hosts_EveryKindOfProblem_DownThenFailedRolloutThenDegradedThenOfflineThenByName()
    {
        var hosts = new[]
        {
            Host("a-healthy", online: true, Link("bond0", LinkHealth.Healthy)),
            Host("b-offline", online: false, Link("bond0", LinkHealth.Unknown)),
            Host("c-degraded", online: true, Link("bond0", LinkHealth.Degraded)),
            Host("d-failed", online: true, Link("bond0", LinkHealth.Degraded, LinkPhase.Failed)),
            Host("e-down", online: true, Link("bond0", LinkHealth.Down)),
            Host("f-no-links", online: true),
            Host("g-rolled-back", online: true, Link("bond0", LinkHealth.Degraded, LinkPhase.RolledBack)),
            Host("h-down-and-failed", online: true, Link("bond0", LinkHealth.Down, LinkPhase.Failed)),
            Host("A-unknown", online: true, Link("bond0", LinkHealth.Unknown)),
        };

        var ordered = hosts.Order(ProblemsFirst.Hosts).Select(h => h.Name);

        Assert.Equal(["e-down", "h-down-and-failed", "d-failed", "g-rolled-back", "c-degraded", "b-offline", "a-healthy", "A-unknown", "f-no-links"], ordered);
    }

    [Fact]
    public void Of_HostWithAHealthyAndADownLink_IsDown() =>
        Assert.Equal(Problem.Down, ProblemsFirst.Of(Host("h", online: true, Link("ok", LinkHealth.Healthy), Link("bad", LinkHealth.Down))));

    [Fact]
    public void Of_OfflineHostWithAFailedRollout_IsTheFailedRollout() =>
        Assert.Equal(Problem.FailedRollout, ProblemsFirst.Of(Host("h", online: false, Link("l", LinkHealth.Unknown, LinkPhase.Failed))));

    [Theory]
    [InlineData(LinkPhase.Pending, false)]
    [InlineData(LinkPhase.Applying, false)]
    [InlineData(LinkPhase.Applied, false)]
    [InlineData(LinkPhase.Drifted, false)]
    [InlineData(LinkPhase.Failed, true)]
    [InlineData(LinkPhase.RolledBack, true)]
    public void IsFailedRollout_EveryPhase(LinkPhase phase, bool failed) => Assert.Equal(failed, ProblemsFirst.IsFailedRollout(phase));

    [Fact]
    public void WithLinksOrdered_HostsLinks_ProblemsFirstThenByName()
    {
        var host = Host("h", online: true, Link("a", LinkHealth.Healthy), Link("b", LinkHealth.Degraded), Link("c", LinkHealth.Down), Link("d", LinkHealth.Healthy, LinkPhase.RolledBack));

        var ordered = ProblemsFirst.WithLinksOrdered(host).Links.Select(l => l.Name);

        Assert.Equal(["c", "d", "b", "a"], ordered);
    }
}
