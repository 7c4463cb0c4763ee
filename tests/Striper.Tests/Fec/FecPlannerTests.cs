using Fleet.Striper.Fec;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Tests.Fec;

public sealed class FecPlannerTests
{
    private static PathSet Paths(params double[] loss)
    {
        var paths = new PathSet(loss.Length);
        for (var i = 0; i < loss.Length; i++)
        {
            paths.LossRatio[i] = loss[i];
        }

        return paths;
    }

    [Fact]
    public void Parity_CleanPaths_None()
    {
        Assert.Equal(0, new FecPlanner().Parity(Paths(0, 0, 0), 0b111, 8, 8, 0.001));
    }

    [Fact]
    public void Parity_LossyPaths_SmallestCountMeetingTheTarget()
    {
        var planner = new FecPlanner();
        var paths = Paths(0, 0.02, 0.05);

        var parity = planner.Parity(paths, 0b111, 8, 4, 0.001);

        Assert.InRange(parity, 1, 4);
        var counts = new int[32];
        var loss = new double[8 + parity];
        for (var n = 0; n < loss.Length; n++)
        {
            var p = FecPlanner.Place(paths, 0b111, counts);
            counts[p]++;
            loss[n] = paths.LossRatio[p];
        }

        Assert.True(planner.ResidualLoss(loss, 8, parity) <= 0.001);
        Assert.True(parity == 1 || planner.ResidualLoss(loss.AsSpan(0, 8 + parity - 1), 8, parity - 1) > 0.001);
    }

    [Fact]
    public void Parity_CappedByMaxParity()
    {
        Assert.Equal(1, new FecPlanner().Parity(Paths(0.3, 0.3), 0b11, 4, 1, 0.0001));
        Assert.Equal(0, new FecPlanner().Parity(Paths(0.3, 0.3), 0b11, 4, 0, 0.0001));
    }

    [Fact]
    public void ResidualLoss_AgreesWithMonteCarlo()
    {
        var loss = new[] { 0.0, 0.02, 0.05, 0.0, 0.02, 0.05, 0.1, 0.0, 0.02, 0.05 };
        const int Data = 8, Parity = 2;
        var planner = new FecPlanner();
        var random = new Random(1);
        long lostForGood = 0, trials = 400_000;
        for (var t = 0; t < trials; t++)
        {
            var lost = 0;
            var lostData = 0;
            for (var i = 0; i < loss.Length; i++)
            {
                if (random.NextDouble() < loss[i])
                {
                    lost++;
                    lostData += i < Data ? 1 : 0;
                }
            }

            lostForGood += lost > Parity ? lostData : 0;
        }

        var simulated = (double)lostForGood / (trials * Data);
        var computed = planner.ResidualLoss(loss, Data, Parity);
        Assert.InRange(computed, simulated * 0.85, simulated * 1.15);
    }

    [Fact]
    public void Place_EqualPathsShareABlockEvenly_LossyPathGetsFewer()
    {
        var even = Paths(0, 0, 0);
        var counts = new int[32];
        for (var n = 0; n < 9; n++)
        {
            counts[FecPlanner.Place(even, 0b111, counts)]++;
        }

        Assert.Equal([3, 3, 3], counts[..3]);

        var uneven = Paths(0, 0.05, 0);
        counts = new int[32];
        for (var n = 0; n < 9; n++)
        {
            counts[FecPlanner.Place(uneven, 0b111, counts)]++;
        }

        Assert.True(counts[1] < counts[0] && counts[1] < counts[2], string.Join(",", counts[..3]));
        Assert.Equal(-1, FecPlanner.Place(uneven, 0, counts));
    }
}
