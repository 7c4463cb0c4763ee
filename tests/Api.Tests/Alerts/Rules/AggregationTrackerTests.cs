using Fleet.Api.Alerts;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Alerts.Rules;

/// <summary>
/// <c>aggregation_lost</c>, <c>drift_detected</c> and <c>agent_queue_overflow</c> through the evaluator on a fake
/// clock (docs/alerts.md, "Rules").
/// </summary>
public sealed class AggregationTrackerTests
{
    private const long MegabytePerSecond = 1_000_000;

    private static readonly Guid s_host = Guid.CreateVersion7();
    private static readonly Guid s_link = Guid.CreateVersion7();

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Evaluate_TrafficMovesOntoOneSaturatedMember_AggregationLostFiresAfterItsFor()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        // 5 minutes striped over both members (10 MB/s each), then all on eth0, which stays at its 10 MB/s.
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 600, second => second < 300 ? Link(10, 10) : Link(10, 0));

        var (at, fired) = Assert.Single(transitions);
        Assert.Equal((AlertRule.AggregationLost, AlertTransitionKind.Fired), (fired.Condition.Subject.Rule, fired.Kind));
        Assert.InRange(at, 300 + 60, 300 + 60 + 15);
        Assert.StartsWith("bond0 on site-a carries 8", fired.Condition.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DemandFallsOnBothMembers_NoAlert()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        // Both members drop to a fifth of what they carried: less traffic, not lost aggregation.
        Assert.Empty(EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 600, second => second < 300 ? Link(10, 10) : Link(2, 2)));
    }

    [Fact]
    public void Evaluate_AMemberGoesDown_LeftToMemberDown()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 600, second => second < 300 ? Link(10, 10) : Link(10, 0, MemberHealth.Down));

        Assert.Equal(AlertRule.MemberDown, Assert.Single(transitions).Transition.Condition.Subject.Rule);
    }

    [Fact]
    public void Evaluate_LinkDriftedLongerThanItsFor_DriftDetectedFiresAfterFiveMinutes()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 400, _ => Link(0, 0, phase: LinkPhase.Drifted));

        var (at, fired) = Assert.Single(transitions);
        Assert.Equal((AlertRule.DriftDetected, 300), (fired.Condition.Subject.Rule, at));
    }

    [Fact]
    public void Evaluate_QueueOverflowReported_OneHostAlertThatResolvesAfterTheWindowAndHoldDown()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);
        var overflowAt = _clock.GetUtcNow();

        // The reader reports the overflow while it is within the 10-minute window.
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 800, second => Link(0, 0, overflowAt: second < 600 ? overflowAt : null));

        Assert.Equal(
            [(0, AlertTransitionKind.Fired, AlertRule.AgentQueueOverflow), (660, AlertTransitionKind.Resolved, AlertRule.AgentQueueOverflow)],
            transitions.Select(t => (t.Second, t.Transition.Kind, t.Transition.Condition.Subject.Rule)));
        Assert.Null(transitions[0].Transition.Condition.Subject.LinkId);
    }

    /// <summary>The link with each member's bytes per second (in MB/s, both directions together) in a 1-second sample ending now.</summary>
    private FleetObservation Link(long eth0, long eth1, MemberHealth eth1Health = MemberHealth.Up, LinkPhase phase = LinkPhase.Applied, DateTimeOffset? overflowAt = null) => new(
        [new ObservedHost(s_host, "site-a", true, QueueOverflowAt: overflowAt)],
        [new ObservedLink(s_link, s_host, "bond0", phase,
            [new ObservedMember("eth0", MemberAdminState.Active, MemberHealth.Up, Sample("eth0", eth0)), new ObservedMember("eth1", MemberAdminState.Active, eth1Health, Sample("eth1", eth1))])]);

    private MemberSample Sample(string member, long megabytesPerSecond) => new()
    {
        LinkId = s_link, Member = member, Time = _clock.GetUtcNow(), IntervalMs = 1000, TxBytes = megabytesPerSecond * MegabytePerSecond / 2,
        RxBytes = megabytesPerSecond * MegabytePerSecond / 2, LossPercent = 0, RttMs = 10, Health = MemberHealth.Up,
    };
}
