using Fleet.Contracts.Agents;

namespace Fleet.Contracts.Tests.Agents;

public sealed class JitterEstimatorTests
{
    [Fact]
    public void JitterMs_BeforeTwoRtts_IsNull()
    {
        var estimator = new JitterEstimator();
        Assert.Null(estimator.JitterMs);

        estimator.Record(20);

        Assert.Null(estimator.JitterMs);
    }

    [Fact]
    public void Record_SecondRtt_MovesASixteenthOfTheDifference()
    {
        var estimator = new JitterEstimator();
        estimator.Record(20);
        estimator.Record(36);
        Assert.Equal(1.0, estimator.JitterMs);

        // |D| = 16 again, J = 1 + (16 − 1) / 16.
        estimator.Record(20);

        Assert.Equal(1.9375, estimator.JitterMs);
    }

    [Fact]
    public void Record_AlternatingRtts_ConvergesToTheirDifference()
    {
        var estimator = new JitterEstimator();
        for (var i = 0; i < 400; i++)
        {
            estimator.Record(i % 2 == 0 ? 10 : 14);
        }

        Assert.Equal(4.0, estimator.JitterMs!.Value, 6);
    }

    [Fact]
    public void Record_SteadyRtt_DecaysTowardZero()
    {
        var estimator = new JitterEstimator();
        estimator.Record(10);
        estimator.Record(42);
        for (var i = 0; i < 200; i++)
        {
            estimator.Record(42);
        }

        Assert.InRange(estimator.JitterMs!.Value, 0, 0.001);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void Record_InvalidRtt_IsIgnored(double rttMs)
    {
        var estimator = new JitterEstimator();
        estimator.Record(10);
        estimator.Record(rttMs);
        estimator.Record(26);

        Assert.Equal(1.0, estimator.JitterMs);
    }
}
