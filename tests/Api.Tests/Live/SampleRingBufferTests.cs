using Fleet.Api.Live;
using Fleet.Contracts.Agents;

namespace Fleet.Api.Tests.Live;

public sealed class SampleRingBufferTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid s_link = Guid.NewGuid();

    private static MemberSample At(int second, string member = "eth0", long tx = 0) =>
        new() { LinkId = s_link, Member = member, Time = s_t0.AddSeconds(second), IntervalMs = 1000, TxBytes = tx };

    [Fact]
    public void Add_KeepsFifteenMinutesPerMember()
    {
        var ring = new SampleRingBuffer();

        ring.Add(Enumerable.Range(0, 1200).Select(s => At(s)));
        ring.Add([At(5, "eth1")]);

        var snapshot = ring.Snapshot();
        var eth0 = snapshot.Where(s => s.Member == "eth0").ToList();
        Assert.Equal(901, eth0.Count);
        Assert.Equal(s_t0.AddSeconds(299), eth0[0].Time);
        Assert.Equal(s_t0.AddSeconds(1199), eth0[^1].Time);

        // eth1's single old sample stays: the window is per member, measured from its own newest sample.
        Assert.Single(snapshot, s => s.Member == "eth1");
    }

    [Fact]
    public void Add_LateAndRepeatedSamples_StayOrderedAndUnique()
    {
        var ring = new SampleRingBuffer();

        ring.Add([At(1, tx: 1), At(3, tx: 3)]);
        ring.Add([At(2, tx: 2), At(3, tx: 99)]);

        Assert.Equal([1, 2, 3], ring.Snapshot().Select(s => s.TxBytes));
    }
}
