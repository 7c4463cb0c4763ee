using System.Numerics;
using Fleet.Contracts.Links;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Tests.Scheduling;

public sealed class SchedulerTests
{
    /// <summary>Runs <paramref name="packets"/> packets of random size through a scheduler, 1 ms apart; bytes per path.</summary>
    private static double[] Split(IStripeScheduler scheduler, PathSet paths, int packets, double spacingSeconds = 0.0001, int seed = 1)
    {
        var random = new Random(seed);
        var bytes = new double[paths.Count];
        var now = 10.0;
        for (var i = 0; i < packets; i++)
        {
            var size = random.Next(60, 1500);
            var mask = scheduler.Select(paths, paths.UsableMask, size, now);
            Assert.NotEqual(0u, mask);
            while (mask != 0)
            {
                var p = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                bytes[p] += size;
            }

            now += spacingSeconds;
        }

        return bytes;
    }

    [Fact]
    public void RoundRobin_TakesUsablePathsInTurn()
    {
        var paths = new PathSet(3) { UsableMask = 0b101 };
        var scheduler = new RoundRobinScheduler();

        var order = Enumerable.Range(0, 6).Select(_ => BitOperations.TrailingZeroCount(scheduler.Select(paths, paths.UsableMask, 100, 0))).ToArray();

        Assert.Equal([0, 2, 0, 2, 0, 2], order);
    }

    [Fact]
    public void AnyScheduler_NoUsablePath_ReturnsZero()
    {
        var paths = new PathSet(2) { UsableMask = 0 };
        foreach (var kind in Enum.GetValues<StripeSchedulerKind>())
        {
            Assert.Equal(0u, StripeSchedulers.Create(kind).Select(paths, paths.UsableMask, 1000, 1));
        }
    }

    [Fact]
    public void AnyScheduler_NeverChoosesUnusablePath()
    {
        var paths = new PathSet(3) { UsableMask = 0b011 };
        paths.RateHintBitsPerSecond[2] = 1e9;
        paths.Weight[2] = 100;
        foreach (var kind in Enum.GetValues<StripeSchedulerKind>())
        {
            var bytes = Split(StripeSchedulers.Create(kind), paths, 2000);
            Assert.Equal(0, bytes[2]);
        }
    }

    [Fact]
    public void Weighted_OneToThree_SplitsBytesOneToThree()
    {
        var paths = new PathSet(2);
        paths.Weight[0] = 1;
        paths.Weight[1] = 3;

        var bytes = Split(new WeightedScheduler(), paths, 50_000);

        Assert.InRange(bytes[1] / bytes[0], 2.97, 3.03);
    }

    [Fact]
    public void Weighted_PathLeavesAndReturns_SplitHoldsForUsablePaths()
    {
        var paths = new PathSet(3);
        paths.Weight[0] = 1;
        paths.Weight[1] = 2;
        paths.Weight[2] = 5;
        var scheduler = new WeightedScheduler(1500);
        Split(scheduler, paths, 1000);

        paths.UsableMask = 0b011;
        var bytes = Split(scheduler, paths, 30_000, seed: 2);

        Assert.Equal(0, bytes[2]);
        Assert.InRange(bytes[1] / bytes[0], 1.95, 2.05);
    }

    [Fact]
    public void BwPoll_SplitsByShare()
    {
        var paths = new PathSet(2);
        paths.Weight[0] = 1;
        paths.Weight[1] = 4;

        var bytes = Split(new BwPollScheduler(), paths, 50_000);

        Assert.InRange(bytes[1] / bytes[0], 3.9, 4.1);
    }

    [Fact]
    public void BwPoll_AfterIdle_FirstPacketOnLargestShare()
    {
        var paths = new PathSet(3);
        paths.Weight[0] = 1;
        paths.Weight[1] = 5;
        paths.Weight[2] = 2;
        var scheduler = new BwPollScheduler(0.1);
        Split(scheduler, paths, 777);

        // Typing after a pause: priorities decayed to ~0, the fastest device takes the keystroke.
        var mask = scheduler.Select(paths, paths.UsableMask, 64, 1000);

        Assert.Equal(1u << 1, mask);
    }

    [Fact]
    public void EarliestArrival_RatesTenThirtySixty_BytesFollowRates()
    {
        var paths = new PathSet(3);
        paths.RateHintBitsPerSecond[0] = 10e6;
        paths.RateHintBitsPerSecond[1] = 30e6;
        paths.RateHintBitsPerSecond[2] = 60e6;

        // Offered at 200 Mbit/s (780 B per 31 µs on average), twice the sum of the rates: every queue stays busy.
        var bytes = Split(new EarliestArrivalScheduler(), paths, 60_000, spacingSeconds: 0.000031);
        var total = bytes.Sum();

        Assert.InRange(bytes[0] / total, 0.09, 0.11);
        Assert.InRange(bytes[1] / total, 0.28, 0.32);
        Assert.InRange(bytes[2] / total, 0.58, 0.62);
    }

    [Fact]
    public void EarliestArrival_IdlePaths_PrefersLowerLag()
    {
        var paths = new PathSet(2);
        paths.LagHintSeconds[0] = 0.040;
        paths.LagHintSeconds[1] = 0.005;

        // Light traffic (one small packet every 10 ms): queues are empty, so the low-lag path always wins.
        var bytes = Split(new EarliestArrivalScheduler(), paths, 200, spacingSeconds: 0.01);

        Assert.Equal(0, bytes[0]);
    }

    [Fact]
    public void EarliestArrival_HeavyTraffic_HighLagPathJoinsWhenLowLagQueueExceedsLagGap()
    {
        var paths = new PathSet(2);
        paths.LagHintSeconds[0] = 0.010;
        paths.LagHintSeconds[1] = 0.001;
        paths.RateHintBitsPerSecond[0] = 10e6;
        paths.RateHintBitsPerSecond[1] = 10e6;

        // 20 Mbit/s offered: the fast path alone would queue without bound.
        var bytes = Split(new EarliestArrivalScheduler(), paths, 20_000, spacingSeconds: 0.000312);

        Assert.InRange(bytes[0] / bytes.Sum(), 0.3, 0.6);
    }

    [Fact]
    public void BwLag_EqualRates_TiesGoToLowerLag()
    {
        var paths = new PathSet(2);
        paths.LagHintSeconds[0] = 0.050;
        paths.LagHintSeconds[1] = 0.010;
        var scheduler = new BwLagScheduler();

        Assert.Equal(1u << 1, scheduler.Select(paths, paths.UsableMask, 1000, 1));
    }

    [Fact]
    public void BwLag_SplitsByRate()
    {
        var paths = new PathSet(2);
        paths.RateHintBitsPerSecond[0] = 20e6;
        paths.RateHintBitsPerSecond[1] = 80e6;

        var bytes = Split(new BwLagScheduler(), paths, 40_000, spacingSeconds: 0.000031);

        Assert.InRange(bytes[1] / bytes[0], 3.8, 4.2);
    }

    [Fact]
    public void Adaptive_UsesMeasuredRatesAndPenalisesLoss()
    {
        var paths = new PathSet(2);
        paths.RateHintBitsPerSecond[0] = 90e6; // a stale hint: measurements win
        paths.MeasuredRateBitsPerSecond[0] = 25e6;
        paths.MeasuredRateBitsPerSecond[1] = 50e6;
        paths.LossRatio[1] = 0.5;

        var bytes = Split(new AdaptiveScheduler(1), paths, 40_000, spacingSeconds: 0.000031);

        // 25 vs 50·(1 − 0.5) = 25 Mbit/s effective.
        Assert.InRange(bytes[1] / bytes[0], 0.9, 1.1);
    }

    [Fact]
    public void Redundant_TwoCopiesOnTheBestPaths()
    {
        var paths = new PathSet(3);
        paths.SrttSeconds[0] = 0.050;
        paths.SrttSeconds[1] = 0.010;
        paths.SrttSeconds[2] = 0.020;

        Assert.Equal(0b110u, new RedundantScheduler(2).Select(paths, paths.UsableMask, 100, 0));
        Assert.Equal(0b111u, new RedundantScheduler(0).Select(paths, paths.UsableMask, 100, 0));
    }

    [Fact]
    public void Redundant_UnmeasuredPath_RanksAfterTheMeasuredOnes()
    {
        var paths = new PathSet(3);
        paths.SrttSeconds[1] = 0.010;
        paths.SrttSeconds[2] = 0.020;

        Assert.Equal(0b110u, new RedundantScheduler(2).Select(paths, paths.UsableMask, 100, 0));
    }

    [Fact]
    public void Redundant_LossyPathLosesItsPlace()
    {
        var paths = new PathSet(3);
        paths.LossRatio[1] = 0.3;

        Assert.Equal(0b101u, new RedundantScheduler(2).Select(paths, paths.UsableMask, 100, 0));
    }

    [Fact]
    public void ActiveBackup_FirstUsableInSpecOrder()
    {
        var paths = new PathSet(3) { UsableMask = 0b110 };
        var scheduler = new ActiveBackupScheduler();

        Assert.Equal(0b010u, scheduler.Select(paths, paths.UsableMask, 100, 0));
        paths.UsableMask = 0b100;
        Assert.Equal(0b100u, scheduler.Select(paths, paths.UsableMask, 100, 0));
    }

    [Theory]
    [InlineData(StripeSchedulerKind.RoundRobin)]
    [InlineData(StripeSchedulerKind.Weighted)]
    [InlineData(StripeSchedulerKind.BwPoll)]
    [InlineData(StripeSchedulerKind.EarliestArrival)]
    [InlineData(StripeSchedulerKind.BwLag)]
    [InlineData(StripeSchedulerKind.Adaptive)]
    [InlineData(StripeSchedulerKind.Redundant)]
    [InlineData(StripeSchedulerKind.ActiveBackup)]
    public void Create_EachKind_ReportsItsKind(StripeSchedulerKind kind)
    {
        Assert.Equal(kind, StripeSchedulers.Create(kind).Kind);
    }

    [Fact]
    public void Create_Parameters_AreUsed()
    {
        var paths = new PathSet(3);

        var all = StripeSchedulers.Create(StripeSchedulerKind.Redundant, new Dictionary<string, double> { ["copies"] = 0 });

        Assert.Equal(0b111u, all.Select(paths, paths.UsableMask, 100, 0));
    }
}
