using Fleet.Striper.Classes;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Tests.Classes;

public sealed class SelectorTests
{
    [Fact]
    public void Pin_LowestRttFirst_StaysWhenAnotherGetsFaster_MovesOnlyOnFailure()
    {
        var paths = new PathSet(3);
        paths.SrttSeconds[0] = 0.030;
        paths.SrttSeconds[1] = 0.010;
        paths.SrttSeconds[2] = 0.020;
        var pin = new PinSelector(-1);

        Assert.Equal(1u << 1, pin.Select(paths, 0b111));
        paths.SrttSeconds[0] = 0.001;
        Assert.Equal(1u << 1, pin.Select(paths, 0b111));
        Assert.Equal(1u << 0, pin.Select(paths, 0b101));
        Assert.Equal(1u << 0, pin.Select(paths, 0b111));
        Assert.Equal(0u, pin.Select(paths, 0));
    }

    [Fact]
    public void Pin_NamedMember_WhileItIsEligible()
    {
        var paths = new PathSet(3);
        paths.SrttSeconds[0] = 0.001;
        var pin = new PinSelector(2);

        Assert.Equal(1u << 2, pin.Select(paths, 0b111));
        Assert.Equal(1u << 0, pin.Select(paths, 0b011));
        Assert.Equal(1u << 2, pin.Select(paths, 0b111));
    }

    [Fact]
    public void OverflowGate_DemandBelowRate_NeverDiverts_AboveRate_DivertsTheExcess()
    {
        var gate = new OverflowGate();
        const double Rate = 40e6; // 5 MB/s
        var diverted = 0L;
        var now = 0.0;

        // 3 MB/s for 10 s: 1000-byte packets every 1/3000 s.
        for (var i = 0; i < 30_000; i++, now += 1.0 / 3000)
        {
            diverted += gate.TryTake(Rate, 1000, now) ? 0 : 1;
        }

        Assert.Equal(0, diverted);

        // 8 MB/s for 10 s: 3 MB/s of it is the excess.
        for (var i = 0; i < 80_000; i++, now += 1.0 / 8000)
        {
            diverted += gate.TryTake(Rate, 1000, now) ? 0 : 1;
        }

        Assert.InRange(diverted, 30_000 * 0.97, 30_000 * 1.03);
    }
}
