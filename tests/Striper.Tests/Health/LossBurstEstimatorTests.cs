using Fleet.Striper.Health;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Tests.Health;

public sealed class LossBurstEstimatorTests
{
    [Fact]
    public void MeanLength_RunsOfTwo_Two()
    {
        var estimator = new LossBurstEstimator();
        long lost = 0, runs = 0;
        estimator.OnTally(ProbeMessage.Tally(lost, runs));

        for (var i = 0; i < 20; i++)
        {
            (lost, runs) = (lost + 4, runs + 2);
            estimator.OnTally(ProbeMessage.Tally(lost, runs));
        }

        Assert.Equal(2, estimator.MeanLength, 6);
    }

    [Fact]
    public void MeanLength_RandomLossAfterBursts_FallsTowardsOne()
    {
        var estimator = new LossBurstEstimator();
        long lost = 0, runs = 0;
        estimator.OnTally(0);
        for (var i = 0; i < 10; i++)
        {
            (lost, runs) = (lost + 5, runs + 1);
            estimator.OnTally(ProbeMessage.Tally(lost, runs));
        }

        Assert.Equal(5, estimator.MeanLength, 6);
        for (var i = 0; i < 100; i++)
        {
            (lost, runs) = (lost + 2, runs + 2);
            estimator.OnTally(ProbeMessage.Tally(lost, runs));
        }

        Assert.InRange(estimator.MeanLength, 1, 1.05);
    }

    [Fact]
    public void OnTally_CountersWrapAt16Bits_DeltasStillRight()
    {
        var estimator = new LossBurstEstimator();
        estimator.OnTally(ProbeMessage.Tally(65_534, 65_535));

        estimator.OnTally(ProbeMessage.Tally(65_534 + 6, 65_535 + 2));

        Assert.Equal(3, estimator.MeanLength, 6);
    }

    [Fact]
    public void OnTally_PeerWithoutTally_OnePacketPerRun()
    {
        var estimator = new LossBurstEstimator();

        for (var i = 0; i < 5; i++)
        {
            estimator.OnTally(0);
        }

        Assert.Equal(1, estimator.MeanLength);
    }

    [Fact]
    public void Reset_NewSession_ForgetsBursts()
    {
        var estimator = new LossBurstEstimator();
        estimator.OnTally(ProbeMessage.Tally(0, 0));
        estimator.OnTally(ProbeMessage.Tally(8, 2));

        estimator.Reset();

        Assert.Equal(1, estimator.MeanLength);
    }

    [Fact]
    public void ProbeMessage_LossTally_RoundTrips()
    {
        var body = new byte[ProbeMessage.Length];
        new ProbeMessage { ProbeId = 7, LossTally = ProbeMessage.Tally(70_000, 3) }.Write(body);

        Assert.True(ProbeMessage.TryRead(body, out var probe));
        Assert.Equal(((uint)(70_000 & 0xffff) << 16) | 3, probe.LossTally);
    }
}
