using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Fec;
using Fleet.Striper.Scheduling;
using Fleet.Striper.Tests.Packets;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Tests.Fec;

public sealed class FecEncoderTests
{
    [Fact]
    public void PlaceData_PacketsEveryHalfTheBoundWithJitter_BlocksOfTwo()
    {
        // 200 packets/s against a 10 ms bound, the gaps 4.6 to 5.4 ms (a sender woken by 1 ms sleeps).
        var encoder = new FecEncoder(new FecClassOptions { MaxDelayMs = 10, MaxOverheadPercent = 100 }, 1400, new ClassTxCounters());
        var paths = new PathSet(3);
        paths.FecLossRatio.AsSpan().Fill(0.03);
        var packet = TestPackets.Udp(false, new byte[160]);
        var planned = new List<int>();
        var now = 100.0;
        for (var i = 0; i < 200; i++)
        {
            var ticks = (long)(now * 1e9);
            if (encoder.DueTicks <= ticks)
            {
                encoder.Close();
            }

            var fields = new DataFields { TrafficClass = 1 };
            encoder.PlaceData(paths, 0b111, now, ticks, ref fields);
            if (fields.FecIndex == 0 && i >= 50)
            {
                planned.Add(fields.FecData);
            }

            if (encoder.Accumulate(packet, fields))
            {
                encoder.Close();
            }

            now += i % 2 == 0 ? 0.0054 : 0.0046;
        }

        Assert.All(planned, k => Assert.Equal(2, k));
    }
}
