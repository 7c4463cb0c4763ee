using Fleet.Agent.Backends;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Backends;

public sealed class MemberHealthTrackerTests
{
    private static MemberObservation Member(string name, MemberHealth health, string? detail = null) =>
        new() { Interface = name, Health = health, Detail = detail };

    [Fact]
    public void Record_HealthChanges_QueuesOneEventPerChange()
    {
        var tracker = new MemberHealthTracker(TimeProvider.System);

        tracker.Record("bond0", [Member("eth1", MemberHealth.Up), Member("eth2", MemberHealth.Up)]);
        tracker.Record("bond0", [Member("eth1", MemberHealth.Up), Member("eth2", MemberHealth.Down, "MII down")]);
        tracker.Record("bond0", [Member("eth1", MemberHealth.Up), Member("eth2", MemberHealth.Down, "MII down")]);
        tracker.Record("bond0", [Member("eth1", MemberHealth.Degraded), Member("eth2", MemberHealth.Up)]);

        var events = tracker.Take("bond0");
        Assert.Equal(
            [(AgentEventKind.MemberDown, "eth2"), (AgentEventKind.MemberDegraded, "eth1"), (AgentEventKind.MemberUp, "eth2")],
            events.Select(e => (e.Kind, e.Member!)));
        Assert.Equal("eth2 is down: MII down", events[0].Message);
        Assert.Equal(EventSeverity.Error, events[0].Severity);
        Assert.Empty(tracker.Take("bond0"));
    }

    [Fact]
    public void Record_FirstObservation_ReportsOnlyUnhealthyMembers()
    {
        var tracker = new MemberHealthTracker(TimeProvider.System);

        tracker.Record("teql0", [Member("eth1", MemberHealth.Up), Member("eth2", MemberHealth.Down), Member("eth3", MemberHealth.Unknown)]);

        Assert.Equal(["eth2"], tracker.Take("teql0").Select(e => e.Member));
    }

    [Fact]
    public void Forget_RemovedLink_StartsOver()
    {
        var tracker = new MemberHealthTracker(TimeProvider.System);
        tracker.Record("bond0", [Member("eth1", MemberHealth.Down)]);
        tracker.Add("bond0", AgentEventKind.Failover, EventSeverity.Warning, "eth2", "moved");

        tracker.Forget("bond0");

        Assert.Empty(tracker.Take("bond0"));
        tracker.Record("bond0", [Member("eth1", MemberHealth.Up)]);
        Assert.Empty(tracker.Take("bond0"));
    }
}
