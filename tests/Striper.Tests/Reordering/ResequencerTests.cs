using Fleet.Striper.Reordering;

namespace Fleet.Striper.Tests.Reordering;

public sealed class ResequencerTests : IDisposable
{
    private readonly PacketSlots _slots = new(1024, 64);
    private readonly Sink _sink;
    private readonly Resequencer _resequencer;
    private readonly Dictionary<int, (int Class, uint Sequence)> _meta = [];

    public ResequencerTests()
    {
        _sink = new Sink(this);
        _resequencer = new Resequencer(_sink, _slots, 256, 2)
        {
            HoldTicks = 1000,
            LiveWindowTicks = 100_000,
        };
    }

    public void Dispose() => _slots.Dispose();

    private readonly uint[] _pathSequence = new uint[2];

    private void Insert(int flowClass, uint sequence, ulong global, long now, int path = 0)
    {
        var slot = _slots.Rent();
        _meta[slot] = (flowClass, sequence);
        _resequencer.OnPathData(path, ++_pathSequence[path], global, now);
        _resequencer.Insert(slot, flowClass, sequence, global, now);
    }

    private List<uint> Released(int flowClass) => _sink.Released.Where(r => r.Class == flowClass).Select(r => r.Sequence).ToList();

    [Fact]
    public void InOrder_ReleasedImmediately()
    {
        for (uint i = 0; i < 10; i++)
        {
            Insert(0, i, i + 1, 0);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (uint)i), Released(0));
        Assert.Equal(0, _resequencer.Held);
    }

    [Fact]
    public void Reordered_HeldThenReleasedInOrder()
    {
        Insert(0, 0, 1, 0);
        Insert(0, 2, 3, 1);
        Insert(0, 3, 4, 2);
        Assert.Equal([0u], Released(0));
        Assert.Equal(2, _resequencer.Held);

        Insert(0, 1, 2, 3);

        Assert.Equal([0u, 1, 2, 3], Released(0));
        Assert.Equal(0, _resequencer.Held);
        Assert.Equal(2, _resequencer.Counters.HeldMax);
    }

    [Fact]
    public void Gap_HoldTimeExpires_SkippedAsLostAndLateArrivalStillDelivered()
    {
        // Path 1 has delivered only global 1, so global 2 may still be on its way there: no early release.
        Insert(0, 0, 1, 0, path: 1);
        Insert(0, 2, 3, 100, path: 0);
        _resequencer.ReleaseDue(500);
        Assert.Equal([0u], Released(0));

        _resequencer.ReleaseDue(1100);
        Assert.Equal([0u, 2], Released(0));
        Assert.Equal(1, _resequencer.Counters.Lost);
        Assert.Equal(1, _resequencer.Counters.TimeoutReleases);

        Insert(0, 1, 2, 1200);
        Assert.Equal([0u, 2, 1], Released(0));
        Assert.Equal(1, _resequencer.Counters.Late);
    }

    [Fact]
    public void Gap_NotCaughtUp_HoldDoesNotExpire()
    {
        Insert(0, 0, 1, 0, path: 1);
        Insert(0, 2, 3, 100, path: 0);

        _resequencer.ReleaseDue(10_000, caughtUp: false);

        Assert.Equal([0u], Released(0));
    }

    [Fact]
    public void Gap_EveryPathDeliveredPastIt_ReleasedEarly()
    {
        // Global 1 on path 0, global 2 lost (it was on path 1), global 3 on path 0: path 1 has not spoken since.
        Insert(0, 0, 1, 0, path: 0);
        Insert(0, 2, 3, 10, path: 0);
        _resequencer.OnPathData(1, ++_pathSequence[1], 0, 5);
        _resequencer.ReleaseDue(20);
        Assert.Equal([0u], Released(0));

        // Path 1 delivers global 4 (another class): it is FIFO, so global 2 cannot come any more.
        Insert(1, 0, 4, 30, path: 1);
        _resequencer.ReleaseDue(31);

        Assert.Equal([0u, 2], Released(0));
        Assert.Equal(1, _resequencer.Counters.EarlyReleases);
    }

    [Fact]
    public void Gap_ProbeMarkerProvesPathDrained_ReleasedEarly()
    {
        Insert(0, 0, 1, 0, path: 0);
        Insert(0, 2, 3, 10, path: 0);
        _resequencer.OnPathData(1, ++_pathSequence[1], 0, 5);
        _resequencer.ReleaseDue(20);
        Assert.Equal([0u], Released(0));

        _resequencer.OnPathMarker(1, _pathSequence[1], 10, 20);
        _resequencer.ReleaseDue(21);

        Assert.Equal([0u, 2], Released(0));
    }

    [Fact]
    public void GapInOneClass_OtherClassFlowsFreely()
    {
        Insert(0, 0, 1, 0, path: 1);
        Insert(0, 2, 3, 1);
        for (uint i = 0; i < 5; i++)
        {
            Insert(7, i, 10 + i, 2);
        }

        Assert.Equal([0u], Released(0));
        Assert.Equal([0u, 1, 2, 3, 4], Released(7));
    }

    [Fact]
    public void FarAhead_BeyondWindow_GivesUpOldGapsInsteadOfBlocking()
    {
        Insert(0, 0, 1, 0);
        Insert(0, 2, 3, 1);

        Insert(0, 2 + 300, 400, 2);

        Assert.Contains(2u, Released(0));
        Assert.Contains(302u, Released(0));
        Assert.True(_resequencer.Counters.Overflows >= 1);
    }

    [Fact]
    public void NextDeadline_TracksOldestGap()
    {
        Assert.Equal(long.MaxValue, _resequencer.NextDeadline());
        Insert(0, 0, 1, 0, path: 1);
        Insert(0, 2, 3, 50);

        Assert.Equal(1050, _resequencer.NextDeadline());
    }

    [Fact]
    public void Reset_ReturnsHeldSlots()
    {
        var before = _slots.Available;
        Insert(0, 0, 1, 0);
        Insert(0, 5, 6, 0);
        Insert(0, 6, 7, 0);

        _resequencer.Reset();

        Assert.Equal(0, _resequencer.Held);
        Assert.Equal(before, _slots.Available + _sink.Released.Count);
    }

    [Fact]
    public void SequenceWrap_InOrderAcrossZero()
    {
        var start = uint.MaxValue - 2;
        for (uint i = 0; i < 6; i++)
        {
            Insert(3, start + i, i + 1, 0);
        }

        Assert.Equal(6, Released(3).Count);
        Assert.Equal(0, _resequencer.Held);
    }

    [Fact]
    public void SmallFirstRing_RandomReordering_ReleasesExactlyAsTheFullWindow()
    {
        var full = ReorderRun.Of(firstWindow: null);
        var grown = ReorderRun.Of(firstWindow: 4);

        Assert.Equal(full.Released, grown.Released);
        Assert.Equal(full.Counters, grown.Counters);
        Assert.True(full.Counters.Overflows > 0, "the run must also go past the full window");
        Assert.Equal(256, grown.RingWindow);
    }

    [Fact]
    public void SmallFirstRing_PacketFarAhead_RingGrowsAndHoldsIt()
    {
        using var slots = new PacketSlots(1024, 64);
        var sink = new SlotSink();
        var resequencer = new Resequencer(sink, slots, 256, 1, initialWindowPerClass: 4) { HoldTicks = 1000, LiveWindowTicks = 100_000 };

        resequencer.Insert(slots.Rent(), 0, 0, 1, 0);
        resequencer.Insert(slots.Rent(), 0, 2, 3, 0);
        resequencer.Insert(slots.Rent(), 0, 100, 101, 0);

        Assert.Equal(128, resequencer.RingWindow);
        Assert.Equal(2, resequencer.Held);
        Assert.Equal(0, resequencer.Counters.Overflows);
        Assert.Single(sink.Released);
    }

    /// <summary>Counts released slots.</summary>
    private sealed class SlotSink : IReleaseSink
    {
        public List<int> Released { get; } = [];

        public void Release(int slot) => Released.Add(slot);
    }

    /// <summary>
    /// One seeded run of four classes' packets, each sent in order and delivered shuffled within a span (now and then
    /// past the 256-packet window), with some lost, through a resequencer with <c>firstWindow</c>; what came out. No path
    /// reports what it drained, so gaps end by the hold time or by overflow.
    /// </summary>
    private sealed record ReorderRun(List<(int Class, uint Sequence)> Released, ResequencerCounters Counters, int RingWindow)
    {
        public static ReorderRun Of(int? firstWindow)
        {
            var random = new Random(17);
            using var slots = new PacketSlots(4096, 64);
            var meta = new Dictionary<int, (int Class, uint Sequence)>();
            var sink = new SlotSink();
            var resequencer = new Resequencer(sink, slots, 256, 1, firstWindow) { HoldTicks = 1500, LiveWindowTicks = 100_000 };
            var sent = new List<(int Class, uint Sequence)>();
            var next = new uint[4];
            for (var i = 0; i < 3000; i++)
            {
                var flowClass = random.Next(4);
                sent.Add((flowClass, next[flowClass]++));
            }

            var order = Enumerable.Range(0, sent.Count).Select(i => (Index: i, Key: i + random.Next(random.Next(20) == 0 ? 1200 : 40))).OrderBy(x => x.Key).ToList();
            var released = new List<(int Class, uint Sequence)>();
            long now = 0;
            foreach (var (index, _) in order)
            {
                now++;
                if (random.Next(50) != 0)
                {
                    // The others are lost.
                    var slot = slots.Rent();
                    meta[slot] = sent[index];
                    resequencer.Insert(slot, sent[index].Class, sent[index].Sequence, (ulong)index + 1, now);
                }

                if (now % 7 == 0)
                {
                    resequencer.ReleaseDue(now);
                }

                foreach (var slot in sink.Released)
                {
                    released.Add(meta[slot]);
                    slots.Return(slot);
                }

                sink.Released.Clear();
            }

            return new ReorderRun(released, resequencer.Counters, resequencer.RingWindow);
        }
    }

    private sealed class Sink(ResequencerTests owner) : IReleaseSink
    {
        public List<(int Class, uint Sequence)> Released { get; } = [];

        public void Release(int slot) => Released.Add(owner._meta[slot]);
    }
}
