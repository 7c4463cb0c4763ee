using Fleet.Contracts.Links;
using Fleet.Striper.Health;

namespace Fleet.Striper.Tests.Health;

public sealed class PathHealthTests
{
    private static readonly HealthThresholds s_thresholds = new(ProbeIntervalSeconds: 0.1, DownAfterMissedProbes: 3, UpAfterProbes: 3, DegradedLossRatio: 0.2);

    /// <summary>Probes every interval from <paramref name="start"/>, answering after <paramref name="rtt"/> when <paramref name="answer"/>.</summary>
    private static double Run(PathHealth health, double start, double end, bool answer, double rtt = 0.001)
    {
        var now = start;
        while (now < end)
        {
            if (now >= health.NextProbeDue)
            {
                var id = health.OnProbeSent(now);
                if (answer)
                {
                    health.OnAnswer(id, rtt, now + rtt);
                }
            }

            now += 0.001;
            health.Evaluate(now);
        }

        return now;
    }

    [Fact]
    public void OnAnswer_SuccessiveRtts_GiveTheirJitterInMilliseconds()
    {
        var health = new PathHealth(s_thresholds);
        health.OnAnswer(health.OnProbeSent(0), 0.010, 0.010);
        Assert.Null(health.JitterMs);

        health.OnAnswer(health.OnProbeSent(0.1), 0.026, 0.126);

        Assert.Equal(1.0, health.JitterMs!.Value, 9);
    }

    [Fact]
    public void FirstAnswer_UnknownToUp()
    {
        var health = new PathHealth(s_thresholds);
        Assert.Equal(MemberHealth.Unknown, health.State);

        Run(health, 0, 0.05, answer: true);

        Assert.Equal(MemberHealth.Up, health.State);
        Assert.InRange(health.SrttSeconds, 0.0009, 0.0011);
    }

    [Theory]
    [InlineData(false, MemberHealth.Degraded)]
    [InlineData(true, MemberHealth.Up)]
    public void ProbeTimingOutDuringALocalStall_NotMissedWhenTheStallIsReported(bool reported, MemberHealth expected)
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 1, answer: true);
        Assert.Equal(MemberHealth.Up, health.State);

        // A probe goes out; the machine stalls 200 ms (the answer waits unread in the socket meanwhile).
        while (now < health.NextProbeDue)
        {
            now += 0.001;
        }

        var id = health.OnProbeSent(now);
        now += 0.2;
        if (reported)
        {
            health.OnLocalStall(now, 0.025);
        }

        health.Evaluate(now);
        Assert.Equal(expected, health.State);
        health.OnAnswer(id, 0.001, now + 0.001);
        Assert.Equal(MemberHealth.Up, health.State);
        Assert.Equal(reported ? 0 : 1, health.TimesLeftUp);
    }

    [Fact]
    public void TimesLeftUp_CountsEachDropFromUpOnce()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 1, answer: true);
        Assert.Equal(0, health.TimesLeftUp);

        // Silent for 0.5 s: Degraded, then Down (one drop from Up, not two); answered again: Up.
        now = Run(health, now, now + 0.5, answer: false);
        Assert.Equal(MemberHealth.Down, health.State);
        now = Run(health, now, now + 1, answer: true);
        Assert.Equal(MemberHealth.Up, health.State);
        Assert.Equal(1, health.TimesLeftUp);

        Run(health, now, now + 0.5, answer: false);
        Assert.Equal(2, health.TimesLeftUp);
    }

    [Fact]
    public void SilentDeath_DegradedAtFirstMissThenDownQuickly()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 1, answer: true);
        Assert.Equal(MemberHealth.Up, health.State);

        // The path dies silently: probes go out, nothing comes back.
        var cut = now;
        double? degradedAt = null;
        double? downAt = null;
        while (now < cut + 1 && downAt is null)
        {
            if (now >= health.NextProbeDue)
            {
                health.OnProbeSent(now);
            }

            now += 0.001;
            health.Evaluate(now);
            if (health.State == MemberHealth.Degraded)
            {
                degradedAt ??= now;
            }

            if (health.State == MemberHealth.Down)
            {
                downAt = now;
            }
        }

        // Regular probe within 100 ms, then RTO-sized timeouts (the 30 ms floor here) with immediate re-probes.
        Assert.NotNull(degradedAt);
        Assert.InRange(degradedAt!.Value - cut, 0, 0.14);
        Assert.InRange(downAt!.Value - cut, 0, 0.2);
        Assert.Equal("3 probes missed", health.Reason);
    }

    [Fact]
    public void Down_ComesBackOnlyAfterHysteresis()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.5, answer: true);
        now = Run(health, now, now + 0.5, answer: false);
        Assert.Equal(MemberHealth.Down, health.State);

        var id = health.OnProbeSent(now);
        health.OnAnswer(id, 0.001, now);
        Assert.Equal(MemberHealth.Down, health.State);
        id = health.OnProbeSent(now + 0.1);
        health.OnAnswer(id, 0.001, now + 0.1);
        Assert.Equal(MemberHealth.Down, health.State);
        id = health.OnProbeSent(now + 0.2);
        health.OnAnswer(id, 0.001, now + 0.2);

        Assert.Equal(MemberHealth.Up, health.State);
    }

    [Fact]
    public void LocalLinkDown_DownAtOnce()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.3, answer: true);

        health.OnLocalLink(false, now);

        Assert.Equal(MemberHealth.Down, health.State);
        Assert.Equal("local link down", health.Reason);

        // While the link is down, answers do not bring the path back.
        var id = health.OnProbeSent(now);
        health.OnAnswer(id, 0.001, now);
        Assert.Equal(MemberHealth.Down, health.State);
    }

    [Fact]
    public void Loss_AboveThreshold_Degraded()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.3, answer: true);

        health.OnLoss(0.25, now);

        Assert.Equal(MemberHealth.Degraded, health.State);
    }

    [Fact]
    public void Queueing_OneProbeLost_DegradedUntilTheNextAnswerOnly()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.3, answer: true);
        health.Queueing = true;

        // A full path's queue drops a probe: degraded like any miss (a dead path must leave fast), probed again at once,
        // and one answer settles it.
        health.OnProbeSent(now);
        now += 0.1;
        health.Evaluate(now);
        Assert.Equal(MemberHealth.Degraded, health.State);
        Assert.Equal(now, health.NextProbeDue);
        var again = health.OnProbeSent(now);
        health.OnAnswer(again, 0.001, now + 0.001);
        Assert.Equal(MemberHealth.Up, health.State);

        // Two misses in a row are not one tail drop: two answers, as on any path.
        health.OnProbeSent(now);
        now += 0.1;
        health.Evaluate(now);
        health.OnProbeSent(now);
        now += 0.1;
        health.Evaluate(now);
        var first = health.OnProbeSent(now);
        health.OnAnswer(first, 0.001, now + 0.001);
        Assert.Equal(MemberHealth.Degraded, health.State);

        // Without a queue, one answer after a miss is not enough either.
        var idle = new PathHealth(s_thresholds);
        now = Run(idle, 0, 0.3, answer: true);
        idle.OnProbeSent(now);
        now += 0.1;
        idle.Evaluate(now);
        var next = idle.OnProbeSent(now);
        idle.OnAnswer(next, 0.001, now + 0.001);
        Assert.Equal(MemberHealth.Degraded, idle.State);
    }

    [Fact]
    public void Timeout_FollowsRtt()
    {
        var slow = new PathHealth(s_thresholds);
        Run(slow, 0, 2, answer: true, rtt: 0.080);
        var fast = new PathHealth(s_thresholds);
        Run(fast, 0, 2, answer: true, rtt: 0.0005);

        Assert.InRange(slow.ProbeTimeoutSeconds, 0.080, 0.3);
        Assert.InRange(fast.ProbeTimeoutSeconds, 0.030, 0.031);
    }

    [Fact]
    public void LateAnswer_MissWasSpurious_BackUpAtOnce()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.5, answer: true);

        // Load arrives: a probe takes 80 ms, far beyond the 30 ms timeout learned on an idle path.
        var id = health.OnProbeSent(now);
        health.Evaluate(now + 0.05);
        Assert.Equal(MemberHealth.Degraded, health.State);

        health.OnAnswer(id, 0.080, now + 0.08);

        Assert.Equal(MemberHealth.Up, health.State);
        Assert.True(health.ProbeTimeoutSeconds > 0.05);
    }

    [Fact]
    public void StallReported_DegradedAndProbedAtOnce()
    {
        var health = new PathHealth(s_thresholds);
        Run(health, 0, 0.25, answer: true);

        health.OnStallReported(0.26);

        Assert.Equal(MemberHealth.Degraded, health.State);
        Assert.Equal(0.26, health.NextProbeDue);
    }

    [Fact]
    public void StallReported_FalseAlarm_ClearedByTwoAnswersWithinRoundTrips()
    {
        var health = new PathHealth(s_thresholds);
        Run(health, 0, 0.25, answer: true);
        health.OnStallReported(0.26);

        // The first answer does not clear it (hysteresis), but the confirming probe goes out at once, not 100 ms later.
        var first = health.OnProbeSent(0.26);
        health.OnAnswer(first, 0.001, 0.261);
        Assert.Equal(MemberHealth.Degraded, health.State);
        Assert.Equal(0.261, health.NextProbeDue);
        var second = health.OnProbeSent(0.261);
        health.OnAnswer(second, 0.001, 0.262);

        Assert.Equal(MemberHealth.Up, health.State);
        Assert.True(health.NextProbeDue > 0.35, "back to the regular interval");
    }

    [Fact]
    public void NewSession_UnknownUntilAnsweredAgain()
    {
        var health = new PathHealth(s_thresholds);
        var now = Run(health, 0, 0.25, answer: true);
        health.OnProbeSent(now); // in flight when the peer restarts: never answered under the new keys

        health.OnNewSession(now + 0.001);
        Assert.Equal(MemberHealth.Unknown, health.State);
        Assert.Equal(now + 0.001, health.NextProbeDue);
        health.Evaluate(now + 0.5);
        Assert.Equal(MemberHealth.Unknown, health.State); // the old probe is not held against the new session

        var id = health.OnProbeSent(now + 0.5);
        health.OnAnswer(id, 0.001, now + 0.501);
        Assert.Equal(MemberHealth.Up, health.State);
    }

    [Fact]
    public void CheckNoAnswer_NothingHeardForTheTimeout_DownNoAnswerFromPeer()
    {
        var health = new PathHealth(s_thresholds);

        health.CheckNoAnswer(100, 5);
        health.CheckNoAnswer(104.99, 5);
        Assert.Equal(MemberHealth.Unknown, health.State);
        health.CheckNoAnswer(105, 5);

        Assert.Equal(MemberHealth.Down, health.State);
        Assert.Equal(PathHealth.NoAnswerReason, health.Reason);
    }

    [Fact]
    public void CheckNoAnswer_PeerAnswersLater_NewSessionThenUp()
    {
        var health = new PathHealth(s_thresholds);
        health.CheckNoAnswer(0, 5);
        health.CheckNoAnswer(5, 5);
        Assert.Equal(MemberHealth.Down, health.State);

        // The peer shows up: a session, then the first answer in it.
        health.OnNewSession(7);
        Assert.Equal(MemberHealth.Unknown, health.State);
        health.CheckNoAnswer(7.5, 5);
        Assert.Equal(MemberHealth.Unknown, health.State); // the clock started again with the session
        var id = health.OnProbeSent(7.5);
        health.OnAnswer(id, 0.001, 7.501);

        Assert.Equal(MemberHealth.Up, health.State);
        health.CheckNoAnswer(20, 5);
        Assert.Equal(MemberHealth.Up, health.State);
    }

    [Fact]
    public void CheckNoAnswer_PausedWhileDisabled_ClockStartsAgain()
    {
        var health = new PathHealth(s_thresholds);
        health.CheckNoAnswer(0, 5);
        health.PauseNoAnswer();

        health.CheckNoAnswer(10, 5);
        Assert.Equal(MemberHealth.Unknown, health.State);
        health.CheckNoAnswer(15, 5);
        Assert.Equal(MemberHealth.Down, health.State);
    }

    [Fact]
    public void Suspect_ProbesAtOnce()
    {
        var health = new PathHealth(s_thresholds);
        Run(health, 0, 0.25, answer: true);
        Assert.True(health.NextProbeDue > 0.26);

        health.OnSuspect(0.26);

        Assert.Equal(0.26, health.NextProbeDue);
    }
}

public sealed class CapacityEstimatorTests
{
    [Fact]
    public void QueueBuilding_EstimateIsDeliveredRate()
    {
        var estimator = new CapacityEstimator();
        ulong bytes = 0;
        for (var t = 0.0; t < 2; t += 0.1)
        {
            bytes += 125_000; // 10 Mbit/s delivered
            estimator.OnReport(t, bytes, owdMicros: 30_000, minOwdMicros: 1_000, jitterMicros: 500);
        }

        Assert.InRange(estimator.RateBitsPerSecond, 9.5e6, 10.5e6);
    }

    [Fact]
    public void NoQueue_EstimateGrowsAheadOfDeliveredRate()
    {
        var estimator = new CapacityEstimator();
        ulong bytes = 0;
        for (var t = 0.0; t < 1; t += 0.1)
        {
            bytes += 125_000;
            estimator.OnReport(t, bytes, owdMicros: 1_000, minOwdMicros: 1_000, jitterMicros: 100);
        }

        Assert.True(estimator.RateBitsPerSecond >= 12e6);
    }
}
