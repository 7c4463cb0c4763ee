using Fleet.Contracts.Links;
using Fleet.Striper.Health;

namespace Fleet.Striper.Tests.Health;

public sealed class LossEstimatorTests
{
    /// <summary>Ten answers, each reporting 100 more packets of which <paramref name="lostPerReport"/> were lost.</summary>
    private static LossEstimator Feed(int lostPerReport, bool queueing)
    {
        var estimator = new LossEstimator();
        ulong rx = 0, lost = 0;
        for (var i = 0; i < 10; i++)
        {
            rx += (ulong)(100 - lostPerReport);
            lost += (ulong)lostPerReport;
            Assert.True(estimator.OnReport(rx, lost, queueing));
        }

        return estimator;
    }

    [Fact]
    public void LossWithoutQueue_CountsAsFailure()
    {
        var estimator = Feed(30, queueing: false);

        Assert.InRange(estimator.Ratio, 0.28, 0.30);
        Assert.Equal(estimator.Ratio, estimator.FailureRatio);
    }

    [Fact]
    public void LossAtAStandingQueue_IsCongestionNotFailure()
    {
        // Tail drops at a full bottleneck (a tbf queue our own TCP flow fills): counted, but the path is not failing.
        var estimator = Feed(30, queueing: true);

        Assert.InRange(estimator.Ratio, 0.28, 0.30);
        Assert.Equal(0, estimator.FailureRatio);
    }

    [Fact]
    public void CongestionAfterFailure_FailureFadesAndHealthRecovers()
    {
        var health = new PathHealth(new HealthThresholds());
        var id = health.OnProbeSent(0);
        health.OnAnswer(id, 0.001, 0.001);
        var estimator = new LossEstimator();
        ulong rx = 0, lost = 0;
        for (var i = 0; i < 5; i++)
        {
            rx += 60;
            lost += 40;
            estimator.OnReport(rx, lost, queueing: false);
            health.OnLoss(estimator.FailureRatio, 0.1 * i);
        }

        Assert.Equal(MemberHealth.Degraded, health.State);
        for (var i = 5; i < 15; i++)
        {
            rx += 60;
            lost += 40;
            estimator.OnReport(rx, lost, queueing: true);
            health.OnLoss(estimator.FailureRatio, 0.1 * i);
        }

        Assert.Equal(MemberHealth.Up, health.State);
        Assert.True(estimator.Ratio > 0.35, $"{estimator.Ratio}");
    }

    [Fact]
    public void FewPacketsWithoutLoss_WaitForMore()
    {
        var estimator = new LossEstimator();
        Assert.True(estimator.OnReport(100, 50, queueing: false));

        Assert.False(estimator.OnReport(110, 50, queueing: false));
        Assert.True(estimator.OnReport(110, 51, queueing: false));
    }

    [Fact]
    public void IdlePath_FiguresFade()
    {
        var estimator = Feed(30, queueing: false);
        var before = estimator.Ratio;

        Assert.True(estimator.OnReport(700, 300, queueing: false));

        Assert.Equal(before / 2, estimator.Ratio, 6);
        Assert.Equal(before / 2, estimator.FailureRatio, 6);
    }

    [Fact]
    public void Reset_NewSession_ForgetsTheFiguresButNotTheCounters()
    {
        var estimator = Feed(30, queueing: false);

        estimator.Reset();

        Assert.Equal(0, estimator.Ratio);
        Assert.Equal(0, estimator.FailureRatio);
        // The next report is measured from the same counters (700 delivered, 300 lost): a clean interval stays at zero.
        Assert.True(estimator.OnReport(800, 300, queueing: false));
        Assert.Equal(0, estimator.Ratio);
        Assert.Equal(0, estimator.FailureRatio);
    }

    [Fact]
    public void CountersRestart_StartsOver()
    {
        var estimator = Feed(30, queueing: false);
        var before = estimator.Ratio;

        Assert.False(estimator.OnReport(5, 0, queueing: false));

        Assert.Equal(before, estimator.Ratio);
        Assert.True(estimator.OnReport(105, 0, queueing: false));
        Assert.True(estimator.Ratio < before);
    }

    [Theory]
    [InlineData(30_000L, 1_000L, 500L, true)]
    [InlineData(1_500L, 1_000L, 100L, false)]
    [InlineData(10_000L, 1_000L, 4_000L, false)]
    public void IsQueueing_DelayClearlyAboveMinimum(long owd, long minOwd, long jitter, bool expected) =>
        Assert.Equal(expected, CapacityEstimator.IsQueueing(owd, minOwd, jitter));

    [Fact]
    public void SustainedRatio_BurstFreeReportsBetweenBursts_KeepsTheMeanLoss()
    {
        // Every third report of 30 packets carries a burst of 3 (3.3 % overall); the others are clean.
        var estimator = new LossEstimator();
        ulong rx = 0, lost = 0;
        var lowestRatio = 1.0;
        var lowestSustained = 1.0;
        for (var i = 0; i < 60; i++)
        {
            var burst = i % 3 == 0 ? 3ul : 0;
            rx += 30 - burst;
            lost += burst;
            estimator.OnReport(rx, lost, queueing: false);
            if (i >= 30)
            {
                lowestRatio = Math.Min(lowestRatio, estimator.Ratio);
                lowestSustained = Math.Min(lowestSustained, estimator.SustainedRatio);
            }
        }

        Assert.True(lowestRatio < 0.025, $"the smoothed ratio dips to {lowestRatio} between bursts");
        Assert.InRange(lowestSustained, 0.03, 0.04);
    }

    [Fact]
    public void SustainedRatio_LossRises_FollowsAtOnce()
    {
        var estimator = new LossEstimator();
        estimator.OnReport(100, 0, queueing: false);
        estimator.OnReport(200, 0, queueing: false);

        estimator.OnReport(280, 20, queueing: false);

        Assert.InRange(estimator.Ratio, 0.059, 0.061);
        Assert.InRange(estimator.SustainedRatio, estimator.Ratio, 0.08);
    }
}
