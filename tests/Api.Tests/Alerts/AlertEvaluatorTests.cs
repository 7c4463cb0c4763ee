using Fleet.Api.Alerts;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Alerts;

/// <summary>The alert state machine on a fake clock: "for", hold-down, flapping and correlation (docs/alerts.md).</summary>
public sealed class AlertEvaluatorTests
{
    private static readonly Guid s_host = Guid.CreateVersion7();
    private static readonly Guid s_link = Guid.CreateVersion7();

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Evaluate_MemberDownHeldForItsFor_FiresOnceAndNoLinkAlert()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 45, _ => Fleet(MemberHealth.Up, MemberHealth.Down));

        var alert = Assert.Single(fired);
        Assert.Equal(AlertTransitionKind.Fired, alert.Transition.Kind);
        Assert.Equal(new AlertSubject(AlertRule.MemberDown, s_host, s_link, "eth1"), alert.Transition.Condition.Subject);
        Assert.Equal(TimeSpan.FromSeconds(30), alert.Transition.At - alert.Transition.StartsAt);
        Assert.Equal("Member eth1 of bond0 on site-a is down", alert.Transition.Condition.Summary);
    }

    [Fact]
    public void Evaluate_MemberDownShorterThanFor_NeverFires()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 120, second => Fleet(MemberHealth.Up, second % 40 < 20 ? MemberHealth.Down : MemberHealth.Up));

        Assert.Empty(fired);
    }

    [Fact]
    public void Evaluate_MemberRecovers_ResolvesOnlyAfterHoldDownAndAReturnKeepsTheSameAlert()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);
        var firing = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 31, _ => Fleet(MemberHealth.Up, MemberHealth.Down));
        var alertId = Assert.Single(firing).Transition.AlertId;

        // Up for 50 s (less than the 60 s hold-down), down again for 10 s, then up for good.
        var after = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 200, second => Fleet(MemberHealth.Up, second is >= 50 and < 60 ? MemberHealth.Down : MemberHealth.Up));

        var resolved = Assert.Single(after);
        Assert.Equal(AlertTransitionKind.Resolved, resolved.Transition.Kind);
        Assert.Equal(alertId, resolved.Transition.AlertId);
        Assert.Equal(60 + 60, resolved.Second);
    }

    [Fact]
    public void Evaluate_MemberFlapping10TimesIn2Minutes_OneFlappingAlertAndNoMoreMemberDownPairs()
    {
        var options = Options();
        options.HoldDown = TimeSpan.Zero;
        options.Rules.MemberDown.For = TimeSpan.Zero;
        options.FlapChanges = 4;
        options.FlapWindow = TimeSpan.FromMinutes(2);
        var evaluator = new AlertEvaluator(options, _clock);

        // Ten outages of 6 s, one every 12 s: twenty changes in two minutes.
        var flapping = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 120, second => Fleet(MemberHealth.Up, second % 12 < 6 ? MemberHealth.Down : MemberHealth.Up));

        var flaps = flapping.Where(t => t.Transition.Condition.Subject.Rule == AlertRule.MemberFlapping).ToList();
        Assert.Equal(AlertTransitionKind.Fired, Assert.Single(flaps).Transition.Kind);
        var flapSecond = flaps[0].Second;

        // Before it was flapping, each outage was a pair (no damping configured); after, nothing more.
        Assert.All(flapping.Where(t => t.Second > flapSecond), t => Assert.Fail($"{t.Transition.Kind} {t.Transition.Condition.Subject.Rule} at {t.Second}s"));
        Assert.Equal(3, flapping.Count(t => t.Transition.Condition.Subject.Rule == AlertRule.MemberDown && t.Transition.Kind == AlertTransitionKind.Fired));

        // Calm again: once the changes leave the window, the flapping alert and the frozen member alert resolve.
        var calm = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 180, _ => Fleet(MemberHealth.Up, MemberHealth.Up));
        Assert.Equal(2, calm.Count);
        Assert.All(calm, t => Assert.Equal(AlertTransitionKind.Resolved, t.Transition.Kind));
    }

    [Fact]
    public void Evaluate_HostOffline_OneHostAlertAndItsLinkAlertsSuppressed()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 300, _ => Fleet(MemberHealth.Down, MemberHealth.Down, online: false));

        var alert = Assert.Single(fired);
        Assert.Equal(new AlertSubject(AlertRule.AgentOffline, s_host, null, null), alert.Transition.Condition.Subject);
        Assert.Equal(60, alert.Second);
        Assert.Equal(AlertSeverity.Critical, alert.Transition.Condition.Severity);
    }

    [Fact]
    public void Evaluate_HostGoesOfflineWhileMemberAlertFires_MemberAlertNeitherResolvesNorRefires()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);
        Assert.Single(EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 31, _ => Fleet(MemberHealth.Up, MemberHealth.Down)));

        // Offline, with the last reported health "up" (stale): frozen, so no resolution, only the host alert.
        var offline = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 300, _ => Fleet(MemberHealth.Up, MemberHealth.Up, online: false));

        Assert.Equal(AlertRule.AgentOffline, Assert.Single(offline).Transition.Condition.Subject.Rule);
    }

    [Fact]
    public void Evaluate_AllMembersDown_OneLinkDownAlert()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 120, _ => Fleet(MemberHealth.Down, MemberHealth.Down));

        var alert = Assert.Single(fired);
        Assert.Equal(AlertRule.LinkDown, alert.Transition.Condition.Subject.Rule);
        Assert.Equal(10, alert.Second);
    }

    [Fact]
    public void Evaluate_MemberDegraded_LinkDegradedAlert()
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 60, _ => Fleet(MemberHealth.Up, MemberHealth.Degraded));

        var alert = Assert.Single(fired);
        Assert.Equal(AlertRule.LinkDegraded, alert.Transition.Condition.Subject.Rule);
        Assert.Equal("bond0 on site-a is degraded: eth1 degraded", alert.Transition.Condition.Summary);
    }

    [Theory]
    [InlineData(LinkPhase.Failed)]
    [InlineData(LinkPhase.RolledBack)]
    public void Evaluate_RolloutEndedBadly_FiresAtOnce(LinkPhase phase)
    {
        var evaluator = new AlertEvaluator(Options(), _clock);

        var fired = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 5, _ => Fleet(MemberHealth.Up, MemberHealth.Up, phase: phase));

        var alert = Assert.Single(fired);
        Assert.Equal(AlertRule.RolloutFailed, alert.Transition.Condition.Subject.Rule);
        Assert.Equal(0, alert.Second);
    }

    [Fact]
    public void Restore_FiringAlertAfterRestart_NotFiredAgainAndResolvedAfterHoldDown()
    {
        var alertId = Guid.CreateVersion7();
        var subject = new AlertSubject(AlertRule.MemberDown, s_host, s_link, "eth1");
        var evaluator = new AlertEvaluator(Options(), _clock);
        evaluator.Restore(alertId, new AlertCondition(subject, "site-a", "bond0", "Member eth1 of bond0 on site-a is down"), _clock.GetUtcNow() - TimeSpan.FromMinutes(5));

        Assert.Empty(EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 30, _ => Fleet(MemberHealth.Up, MemberHealth.Down)));
        var after = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 90, _ => Fleet(MemberHealth.Up, MemberHealth.Up));

        var resolved = Assert.Single(after);
        Assert.Equal((AlertTransitionKind.Resolved, alertId, 60), (resolved.Transition.Kind, resolved.Transition.AlertId, resolved.Second));
    }

    [Fact]
    public void Evaluate_DisabledRule_NeverFires()
    {
        var options = Options();
        options.Rules.LinkDown.Enabled = false;
        var evaluator = new AlertEvaluator(options, _clock);

        Assert.Empty(EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 60, _ => Fleet(MemberHealth.Down, MemberHealth.Down)));
    }

    private static AlertOptions Options() => new();

    private static FleetObservation Fleet(MemberHealth eth0, MemberHealth eth1, bool online = true, LinkPhase phase = LinkPhase.Applied) => new(
        [new ObservedHost(s_host, "site-a", online)],
        [new ObservedLink(s_link, s_host, "bond0", phase, [new ObservedMember("eth0", MemberAdminState.Active, eth0), new ObservedMember("eth1", MemberAdminState.Active, eth1)])]);
}
