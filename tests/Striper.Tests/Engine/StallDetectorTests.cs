using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Engine;

public sealed class StallDetectorTests
{
    private const double Tick = 0.002;

    [Fact]
    public void OneLongGapAfterRegularTicks_IsAStall()
    {
        var detector = new StallDetector(Tick);
        var now = 0.0;
        for (var i = 0; i < 100; i++)
        {
            Assert.False(detector.Tick(now += 0.003), $"tick {i}");
        }

        Assert.True(detector.Tick(now += 0.15));
        Assert.False(detector.Tick(now += 0.003));
        Assert.Equal(1, detector.Count);
    }

    [Fact]
    public void HostThatStaysSlow_EveryTickFortyMillisecondsLate_IsNoStallOnceUsual()
    {
        var detector = new StallDetector(Tick);
        var now = 0.0;
        for (var i = 0; i < 20; i++)
        {
            detector.Tick(now += 0.003);
        }

        // The first slow ticks stand out; then forty milliseconds is this host's pace, and a probe timeout during one
        // counts as it would anywhere (a dead path is still found at the usual pace).
        var stalls = 0;
        for (var i = 0; i < 100; i++)
        {
            stalls += detector.Tick(now += 0.042) ? 1 : 0;
        }

        Assert.InRange(stalls, 1, 3);
        Assert.False(detector.Tick(now += 0.042));
    }

    [Fact]
    public void GapsBelowTheMinimum_NeverAStall()
    {
        var detector = new StallDetector(Tick);
        var now = 0.0;
        for (var i = 0; i < 100; i++)
        {
            Assert.False(detector.Tick(now += i % 10 == 0 ? 0.025 : 0.002));
        }
    }
}
