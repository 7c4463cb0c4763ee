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
            paths.FecLossRatio[i] = loss[i];
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
        Assert.True(Residual(paths, 8, parity) <= 0.001);
        Assert.True(Residual(paths, 8, parity - 1) > 0.001);
    }

    [Fact]
    public void Parity_CappedByMaxParity()
    {
        Assert.Equal(1, new FecPlanner().Parity(Paths(0.3, 0.3), 0b11, 4, 1, 0.0001));
        Assert.Equal(0, new FecPlanner().Parity(Paths(0.3, 0.3), 0b11, 4, 0, 0.0001));
    }

    [Fact]
    public void Parity_BurstsOfTwoOnEveryPath_MoreParityThanForRandomLoss()
    {
        // FecLinkTests' burst case: two data packets over three paths losing 3.3 %. From r = 2 on a path carries two of a
        // block's packets, which a burst of two takes together: residual 0.08 % instead of 0.01 % at r = 2.
        var random = Paths(0.033, 0.033, 0.033);
        var bursty = Paths(0.033, 0.033, 0.033);
        bursty.LossBurstLength.AsSpan().Fill(2);

        var forRandom = new FecPlanner().Parity(random, 0b111, 2, 4, 0.0005);
        var forBursts = new FecPlanner().Parity(bursty, 0b111, 2, 4, 0.0005);

        Assert.Equal(2, forRandom);
        Assert.Equal(3, forBursts);
        Assert.InRange(Residual(bursty, 2, 2), 0.0008, 0.0009);
        Assert.InRange(Residual(random, 2, 2), 0.0001, 0.00011);
        Assert.Equal(Residual(random, 2, 1), Residual(bursty, 2, 1), 12); // one packet per path: bursts cannot take two
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    public void ResidualLoss_AgreesWithMonteCarloOfBurstyPaths(double burstLength)
    {
        // Three paths carrying 4, 3 and 3 packets of a block of 8 data (the first 8 placed) and 2 parity packets.
        int[] packets = [4, 3, 3];
        int[] data = [3, 3, 2];
        double[] loss = [0.05, 0.1, 0.02];
        double[] bursts = [burstLength, burstLength, burstLength];
        const int Parity = 2;
        var random = new Random(1);
        long lostForGood = 0, trials = 400_000;
        for (var t = 0; t < trials; t++)
        {
            var lost = 0;
            var lostData = 0;
            for (var u = 0; u < packets.Length; u++)
            {
                var stay = Math.Max(loss[u], 1 - (1 / bursts[u]));
                var enter = loss[u] * (1 - stay) / (1 - loss[u]);
                var previous = random.NextDouble() < loss[u];
                for (var i = 0; i < packets[u]; i++)
                {
                    var gone = i == 0 ? previous : random.NextDouble() < (previous ? stay : enter);
                    previous = gone;
                    lost += gone ? 1 : 0;

                    // Which of the path's packets are data does not matter on average: count the data share.
                    lostData += gone && i < data[u] ? 1 : 0;
                }
            }

            lostForGood += lost > Parity ? lostData : 0;
        }

        var simulated = (double)lostForGood / (trials * 8);
        var computed = new BlockLossModel().ResidualLoss(packets, data, loss, bursts, Parity);
        Assert.InRange(computed, simulated * 0.85, simulated * 1.15);
    }

    [Fact]
    public void ResidualLoss_LongBursts_APathsPacketsOfABlockAreLostTogether()
    {
        // One path with two packets (one data, one parity) and bursts far longer than a block: losing one loses both.
        var model = new BlockLossModel();

        var correlated = model.ResidualLoss([2], [1], [0.1], [1000], 1);
        var independent = model.ResidualLoss([2], [1], [0.1], [1], 1);

        Assert.InRange(correlated, 0.099, 0.1);
        Assert.InRange(independent, 0.0099, 0.0101);
    }

    private static double Residual(PathSet paths, int data, int parity)
    {
        var counts = new int[32];
        var packets = new int[paths.Count];
        var dataOn = new int[paths.Count];
        for (var n = 0; n < data + parity; n++)
        {
            var p = FecPlanner.Place(paths, (1u << paths.Count) - 1, counts);
            counts[p]++;
            packets[p]++;
            dataOn[p] += n < data ? 1 : 0;
        }

        var used = Enumerable.Range(0, paths.Count).Where(i => packets[i] > 0).ToArray();
        return new BlockLossModel().ResidualLoss(
            used.Select(i => packets[i]).ToArray(), used.Select(i => dataOn[i]).ToArray(),
            used.Select(i => paths.FecLossRatio[i]).ToArray(), used.Select(i => paths.LossBurstLength[i]).ToArray(), parity);
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
