using Fleet.Striper.SpeedTest;

namespace Fleet.Striper.Tests.SpeedTest;

public sealed class SpeedTestMathTests
{
    // 1,472-byte load datagrams (a 1,500-byte IPv4 packet with the outer headers) arriving 1 ms apart: 12 Mbit/s at the IP layer.
    private static AckSample Ack(uint sequence, uint received, ulong sendMicros, uint elapsedMicros, uint dataPackets = 0, ulong dataBytes = 0, double rtt = 1000) =>
        new(sequence, sendMicros, elapsedMicros, received, dataPackets, received * 1472UL, dataBytes, rtt);

    [Fact]
    public void Measure_LoadOnly_RateAtTheIpLayerFromTheReceiversClock()
    {
        AckSample[] acks = [Ack(10, 10, 10_000, 9_000), Ack(110, 110, 110_000, 109_000)];

        var m = SpeedTestMath.Measure(acks, 0, SpeedTestMath.OuterHeaderBytes(ipv6: false));

        Assert.NotNull(m);
        Assert.Equal(12e6, m.Value.RateBitsPerSecond, 1e-6);
        Assert.Equal(12e6, m.Value.LoadRateBitsPerSecond, 1e-6);
        Assert.Equal(0, m.Value.LossRatio);
    }

    [Fact]
    public void Measure_UserDataOnThePath_CountsTowardsTheRateNotTheLoad()
    {
        // 100 load datagrams and 50 data datagrams of 1,472 bytes in 100 ms.
        AckSample[] acks = [Ack(10, 10, 10_000, 0), Ack(110, 110, 110_000, 100_000, dataPackets: 50, dataBytes: 50 * 1472)];

        var m = SpeedTestMath.Measure(acks, 0, 28)!.Value;

        Assert.Equal(150 * 1500 * 8 / 0.1, m.RateBitsPerSecond, 1e-6);
        Assert.Equal(100 * 1500 * 8 / 0.1, m.LoadRateBitsPerSecond, 1e-6);
    }

    [Fact]
    public void Measure_PacketsMissingBetweenTwoAnswers_LossFromTheSequences()
    {
        // 200 sent between the answers, 150 arrived.
        AckSample[] acks = [Ack(100, 90, 10_000, 0), Ack(300, 240, 20_000, 100_000)];

        Assert.Equal(0.25, SpeedTestMath.Measure(acks, 0, 28)!.Value.LossRatio, 1e-9);
    }

    [Fact]
    public void Measure_AnswersBeforeTheWarmUp_Ignored()
    {
        // The first answer saw the shaper's full bucket (a burst at line rate); the window starts after it.
        AckSample[] acks = [Ack(1, 1, 1_000, 0, rtt: 100), Ack(50, 50, 40_000, 100, rtt: 100), Ack(150, 150, 140_000, 100_100, rtt: 5000), Ack(250, 250, 240_000, 200_100, rtt: 7000)];

        var m = SpeedTestMath.Measure(acks, 30_000, 28)!.Value;

        Assert.Equal(200 * 1500 * 8 / 0.2, m.RateBitsPerSecond, 1e-6);
        Assert.Equal(5000, m.MedianRttMicros);
    }

    [Fact]
    public void Measure_AnswersReorderedOnTheWayBack_LatestCountIsTheHighestSequence()
    {
        AckSample[] acks = [Ack(10, 10, 10_000, 0), Ack(110, 110, 110_000, 100_000), Ack(60, 60, 60_000, 50_000)];

        Assert.Equal(12e6, SpeedTestMath.Measure(acks, 0, 28)!.Value.RateBitsPerSecond, 1e-6);
    }

    [Fact]
    public void Measure_FewerThanTwoAnswersInTheWindow_Null()
    {
        AckSample[] acks = [Ack(10, 10, 10_000, 0), Ack(110, 110, 110_000, 100_000)];

        Assert.Null(SpeedTestMath.Measure(acks, 50_000, 28));
        Assert.Null(SpeedTestMath.Measure([], 0, 28));
    }

    [Fact]
    public void Median_EvenAndOddCounts_MiddleValue()
    {
        Assert.Equal(2, SpeedTestMath.Median([3, 1, 2]));
        Assert.Equal(2.5, SpeedTestMath.Median([4, 1, 3, 2]));
        Assert.Equal(0, SpeedTestMath.Median([]));
    }
}
