using Fleet.Striper.Reordering;

namespace Fleet.Striper.Tests.Reordering;

public sealed class PathDrainTests
{
    [Fact]
    public void InOrder_DrainedFollowsGlobal()
    {
        var drain = new PathDrain();

        drain.OnData(1, 10, 0);
        drain.OnData(2, 12, 0);
        drain.OnData(3, 15, 0);

        Assert.Equal(15ul, drain.Drained);
        Assert.Equal(0, drain.Lost);
    }

    [Fact]
    public void ReorderedWithinPath_DrainedWaitsForThePrefix()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);

        drain.OnData(3, 30, 1);
        Assert.Equal(10ul, drain.Drained); // global 30 arrived, but path sequence 2 (global 20) has not

        drain.OnData(2, 20, 2);
        Assert.Equal(30ul, drain.Drained);
        Assert.Equal(0, drain.Lost);
    }

    [Fact]
    public void Gap_AgesOutAfterHold_CountedLost()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);
        drain.OnData(4, 40, 100);

        drain.Age(150, holdTicks: 100);
        Assert.Equal(10ul, drain.Drained);

        drain.Age(200, holdTicks: 100);
        Assert.Equal(40ul, drain.Drained);
        Assert.Equal(2, drain.Lost);
    }

    [Fact]
    public void Gaps_EachMissingRunCountedOnce()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);
        drain.OnData(4, 40, 0);  // 2 and 3 missing: one run of two
        drain.OnData(6, 60, 0);  // 5 missing: a run of one
        drain.OnData(7, 70, 0);

        drain.Age(100, holdTicks: 100);
        drain.Age(200, holdTicks: 100);

        Assert.Equal(3, drain.Lost);
        Assert.Equal(2, drain.LossRuns);
    }

    [Fact]
    public void Marker_AppliesOnceThePrefixArrived()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);

        // Probe: path sequences up to 2 went before it, everything below global 100.
        drain.OnMarker(2, 100, 5);
        Assert.Equal(10ul, drain.Drained);

        drain.OnData(2, 20, 6);
        Assert.Equal(99ul, drain.Drained);
    }

    [Fact]
    public void Marker_IdlePath_DrainedAdvances()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);

        drain.OnMarker(1, 500, 5);

        Assert.Equal(499ul, drain.Drained);
    }

    [Fact]
    public void Marker_TailLoss_AgesOutAsLost()
    {
        var drain = new PathDrain();
        drain.OnData(1, 10, 0);

        drain.OnMarker(3, 100, 10);
        drain.Age(200, holdTicks: 100);

        Assert.Equal(99ul, drain.Drained);
        Assert.Equal(2, drain.Lost);
    }
}
