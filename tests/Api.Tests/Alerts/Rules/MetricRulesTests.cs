using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Rules;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Alerts.Rules;

/// <summary>
/// The threshold and custom rules over members' newest samples, through the evaluator's damping on a fake clock
/// (docs/alerts.md, "Rules" and "Custom rules").
/// </summary>
public sealed class MetricRulesTests
{
    private static readonly Guid s_host = Guid.CreateVersion7();
    private static readonly Guid s_otherHost = Guid.CreateVersion7();
    private static readonly Guid s_link = Guid.CreateVersion7();
    private static readonly Guid s_otherLink = Guid.CreateVersion7();

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Evaluate_LossAboveThresholdForItsFor_FiresOnceThenResolvesAfterHoldDown()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        // 12 % loss on eth1 for 40 s, then none.
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 200, second => Fleet(eth1: Sample("eth1", loss: second < 40 ? 12 : 0)));

        Assert.Equal(2, transitions.Count);
        var (firedAt, fired) = transitions[0];
        Assert.Equal((AlertTransitionKind.Fired, 30), (fired.Kind, firedAt));
        Assert.Equal(new AlertSubject(AlertRule.LossHigh, s_host, s_link, "eth1"), fired.Condition.Subject);
        Assert.Equal("Member eth1 of bond0 on site-a: lossPercent 12 > 5", fired.Condition.Summary);
        Assert.Equal((AlertTransitionKind.Resolved, 40 + 60, fired.AlertId), (transitions[1].Transition.Kind, transitions[1].Second, transitions[1].Transition.AlertId));
    }

    [Fact]
    public void Evaluate_LossOnAMemberThatIsDown_OnlyMemberDownFires()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 60, _ => Fleet(eth1: Sample("eth1", loss: 100), eth1Health: MemberHealth.Down));

        Assert.Equal(AlertRule.MemberDown, Assert.Single(transitions).Transition.Condition.Subject.Rule);
    }

    [Fact]
    public void Evaluate_SampleOlderThanSampleMaxAge_JudgesNothing()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);
        var stale = Sample("eth1", loss: 50) with { Time = _clock.GetUtcNow() };

        // The agent stopped sending after its first sample: 10 s later the sample is too old to judge.
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 60, _ => Fleet(eth1: stale));

        Assert.Empty(transitions);
    }

    [Fact]
    public void Evaluate_RttAndReorderAboveThresholds_BothFireAndAMemberWithoutRttDoesNot()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 61, _ => Fleet(eth0: Sample("eth0", rtt: null, reorder: 10), eth1: Sample("eth1", rtt: 450, reorder: 300)));

        Assert.Equal(
            [(AlertRule.ReorderHigh, "eth1", 30), (AlertRule.LatencyHigh, "eth1", 60)],
            transitions.Select(t => (t.Transition.Condition.Subject.Rule, t.Transition.Condition.Subject.Member!, t.Second)));
    }

    [Fact]
    public void Evaluate_JitterAboveThreshold_JitterHighFiresAfterItsForWhileTheRttIsFine()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);

        // Default threshold 30 ms, for 60 s: eth1's 45 ms jitter fires, eth0's 29 ms and a member without jitter do not.
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 61, _ => Fleet(eth0: Sample("eth0", jitter: 29), eth1: Sample("eth1", jitter: 45)));
        var none = EvaluatorRuns.Run(_clock, new AlertEvaluator(new AlertOptions(), _clock), TimeSpan.FromSeconds(1), 61, _ => Fleet(eth0: Sample("eth0"), eth1: Sample("eth1")));

        var (second, fired) = Assert.Single(transitions);
        Assert.Equal((AlertRule.JitterHigh, "eth1", 60), (fired.Condition.Subject.Rule, fired.Condition.Subject.Member!, second));
        Assert.Equal(AlertSeverity.Warning, fired.Condition.Severity);
        Assert.Contains("jitterMs 45", fired.Condition.Summary, StringComparison.Ordinal);
        Assert.Empty(none);
    }

    [Fact]
    public void Evaluate_JitterHighSwitchedOffOrThresholdRaised_DoesNotFire()
    {
        var off = new AlertOptions();
        off.Rules.JitterHigh.Enabled = false;
        var raised = new AlertOptions();
        raised.Rules.JitterHigh.Threshold = 50;

        var whenOff = EvaluatorRuns.Run(_clock, new AlertEvaluator(off, _clock), TimeSpan.FromSeconds(1), 61, _ => Fleet(eth1: Sample("eth1", jitter: 45)));
        var whenRaised = EvaluatorRuns.Run(_clock, new AlertEvaluator(raised, _clock), TimeSpan.FromSeconds(1), 61, _ => Fleet(eth1: Sample("eth1", jitter: 45)));

        Assert.Empty(whenOff);
        Assert.Empty(whenRaised);
    }

    [Fact]
    public void Evaluate_CustomMemberRuleOnDropsPerSecond_FiresWithItsSeverityForAndNameOnlyForTheMemberAboveIt()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);
        var rule = Custom(MemberCounter.RxDrops, AlertComparison.AtLeast, 100, AlertRuleSubject.Member, forSeconds: 10);

        // 2-second samples: eth0 drops 150 (75/s), eth1 drops 400 (200/s).
        var transitions = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 20, _ => Fleet(Sample("eth0", rxDrops: 150), Sample("eth1", rxDrops: 400), [rule]));

        var (second, fired) = Assert.Single(transitions);
        Assert.Equal(10, second);
        Assert.Equal(new AlertSubject(AlertRule.Custom, s_host, s_link, "eth1", rule.Id), fired.Condition.Subject);
        Assert.Equal((AlertSeverity.Critical, "rx_drops_high"), (fired.Condition.Severity, fired.Condition.CustomRuleName));
        Assert.Equal("rx_drops_high: member eth1 of bond0 on site-a: rxDrops 200 ≥ 100/s", fired.Condition.Summary);
    }

    [Fact]
    public void Evaluate_CustomLinkRuleOnThroughput_ComparesTheMembersSum()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);
        var rule = Custom(MemberCounter.TxBytes, AlertComparison.Below, 1_000_000, AlertRuleSubject.Link, forSeconds: 0);

        // 400 kB/s + 500 kB/s = 900 kB/s < 1 MB/s: the link; neither member alone is news.
        var below = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 1, _ => Fleet(Sample("eth0", txBytes: 800_000), Sample("eth1", txBytes: 1_000_000), [rule]));
        var above = new AlertEvaluator(new AlertOptions(), _clock);
        var none = EvaluatorRuns.Run(_clock, above, TimeSpan.FromSeconds(1), 1, _ => Fleet(Sample("eth0", txBytes: 800_000), Sample("eth1", txBytes: 1_400_000), [rule]));

        Assert.Equal(new AlertSubject(AlertRule.Custom, s_host, s_link, null, rule.Id), Assert.Single(below).Transition.Condition.Subject);
        Assert.Empty(none);
    }

    [Fact]
    public void Evaluate_CustomRuleScopes_OnlyWatchedHostsAndLinks()
    {
        var byLabel = Custom(MemberCounter.LossPercent, AlertComparison.Above, 1, AlertRuleSubject.Member, forSeconds: 0) with
        {
            Scope = AlertRuleScope.Labels, Labels = new Dictionary<string, string> { ["site"] = "branch" },
        };
        var byLink = byLabel with { Id = Guid.CreateVersion7(), Scope = AlertRuleScope.Link, LinkId = s_otherLink, Labels = new Dictionary<string, string>() };
        var observation = new FleetObservation(
            [new ObservedHost(s_host, "site-a", true, new Dictionary<string, string> { ["site"] = "branch" }), new ObservedHost(s_otherHost, "site-b", true, new Dictionary<string, string>())],
            [Link(s_link, s_host, "bond0", Sample("eth0", loss: 3)), Link(s_otherLink, s_otherHost, "bond1", Sample("eth0", loss: 3))],
            [byLabel, byLink]);

        var fired = new AlertEvaluator(new AlertOptions(), _clock).Evaluate(observation);

        Assert.Equal(
            new[] { (byLabel.Id, s_link), (byLink.Id, s_otherLink) }.Order(),
            fired.Select(t => (t.Condition.Subject.CustomRuleId!.Value, t.Condition.Subject.LinkId!.Value)).Order());
    }

    [Fact]
    public void Evaluate_CustomRulesSwitchedOff_NeverFire()
    {
        var options = new AlertOptions();
        options.Rules.Custom.Enabled = false;
        var rule = Custom(MemberCounter.LossPercent, AlertComparison.Above, 1, AlertRuleSubject.Member, forSeconds: 0);

        Assert.Empty(new AlertEvaluator(options, _clock).Evaluate(Fleet(Sample("eth0", loss: 3), Sample("eth1"), [rule])));
    }

    [Fact]
    public void Evaluate_LinkDown_FreezesItsThresholdAlerts()
    {
        var evaluator = new AlertEvaluator(new AlertOptions(), _clock);
        var firing = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 31, _ => Fleet(eth1: Sample("eth1", loss: 20)));
        Assert.Equal(AlertRule.LossHigh, Assert.Single(firing).Transition.Condition.Subject.Rule);

        // Both members down: link_down fires; the loss alert neither resolves nor fires again while it holds.
        var during = EvaluatorRuns.Run(_clock, evaluator, TimeSpan.FromSeconds(1), 300, _ => Fleet(eth1: Sample("eth1", loss: 0), eth0Health: MemberHealth.Down, eth1Health: MemberHealth.Down));

        Assert.Equal(AlertRule.LinkDown, Assert.Single(during).Transition.Condition.Subject.Rule);
    }

    private FleetObservation Fleet(
        MemberSample? eth0 = null, MemberSample? eth1 = null, IReadOnlyList<CustomAlertRule>? rules = null,
        MemberHealth eth0Health = MemberHealth.Up, MemberHealth eth1Health = MemberHealth.Up) => new(
        [new ObservedHost(s_host, "site-a", true)],
        [new ObservedLink(s_link, s_host, "bond0", LinkPhase.Applied,
            [new ObservedMember("eth0", MemberAdminState.Active, eth0Health, eth0 ?? Sample("eth0")), new ObservedMember("eth1", MemberAdminState.Active, eth1Health, eth1 ?? Sample("eth1"))])],
        rules);

    private static ObservedLink Link(Guid id, Guid host, string name, MemberSample sample) =>
        new(id, host, name, LinkPhase.Applied, [new ObservedMember(sample.Member, MemberAdminState.Active, MemberHealth.Up, sample with { LinkId = id })]);

    /// <summary>A 2-second sample ending now.</summary>
    private MemberSample Sample(string member, double? loss = 0, double? rtt = 20, int reorder = 0, long rxDrops = 0, long txBytes = 0, double? jitter = null) => new()
    {
        LinkId = s_link, Member = member, Time = _clock.GetUtcNow(), IntervalMs = 2000, LossPercent = loss, RttMs = rtt, ReorderDepthMax = reorder, JitterMs = jitter,
        RxDrops = rxDrops, TxBytes = txBytes, Health = MemberHealth.Up,
    };

    private static CustomAlertRule Custom(MemberCounter counter, AlertComparison comparison, double threshold, AlertRuleSubject subject, int forSeconds) => new(
        Guid.CreateVersion7(), counter == MemberCounter.RxDrops ? "rx_drops_high" : "custom_rule", new MetricCondition(counter, comparison, threshold),
        TimeSpan.FromSeconds(forSeconds), AlertRuleScope.All, subject, null, null, new Dictionary<string, string>(), AlertSeverity.Critical);
}
