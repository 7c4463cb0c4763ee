using System.Numerics;
using Fleet.Striper.Packets;

namespace Fleet.Striper.Reordering;

/// <summary>
/// Puts data packets back in sending order before they reach the TUN device (TRR's in-order delivery, seed 004,
/// without its trigger cells: every packet carries its own sequence numbers). Packets are resequenced per flow class
/// (a 5-tuple hash), so a gap in one flow does not hold up others. A gap is given up, and the packets behind it
/// released, when
/// <list type="bullet">
/// <item>the loss is certain: every path that carries data has delivered (or, by a probe's drain marker, proved it
/// has nothing) past the missing packet; paths are FIFO, so the packet cannot come any more; or</item>
/// <item>it has waited the hold time, which the receive loop adapts to the paths' delay spread plus jitter.</item>
/// </list>
/// A packet arriving after its gap was given up is released at once (late) rather than dropped: TCP copes with one
/// reordered segment far better than with a loss. Single-threaded (the receive loop).
/// </summary>
internal sealed class Resequencer
{
    private readonly IReleaseSink _sink;
    private readonly PacketSlots _slots;
    private readonly ClassHold[] _classes = new ClassHold[FlowClassifier.ClassCount];
    private readonly PathDrains _paths;
    private readonly HoldRing _ring;
    private ulong _heldClasses;
    private long _held;
    private long _heldMax;
    private long _released;
    private long _late;
    private long _lost;
    private long _early;
    private long _timeouts;
    private long _overflows;

    /// <param name="sink">Where released packets go.</param>
    /// <param name="slots">The pool the packets live in (dropped packets return there).</param>
    /// <param name="windowPerClass">Most packets a class can have outstanding beyond its gap (a power of two).</param>
    /// <param name="paths">Number of local paths.</param>
    /// <param name="initialWindowPerClass">
    /// The ring's first size per class (a power of two, at most <paramref name="windowPerClass"/>; all of it when
    /// null). A smaller ring doubles when a packet comes further ahead than it holds, so it only costs memory a
    /// site's reordering needs (issue 17); what is held and released is the same as with the full window.
    /// </param>
    public Resequencer(IReleaseSink sink, PacketSlots slots, int windowPerClass, int paths, int? initialWindowPerClass = null)
    {
        var initial = initialWindowPerClass ?? windowPerClass;
        if (!BitOperations.IsPow2(windowPerClass) || !BitOperations.IsPow2(initial) || initial > windowPerClass)
        {
            throw new ArgumentOutOfRangeException(nameof(windowPerClass), "windows must be powers of two, the first at most the most");
        }

        _sink = sink;
        _slots = slots;
        _ring = new HoldRing(initial, windowPerClass);
        _paths = new PathDrains(paths);
    }

    /// <summary>How long a gap may hold packets back, in the clock's ticks.</summary>
    public long HoldTicks { get; set; }

    /// <summary>A path that delivered no data for this long no longer blocks early release (ticks).</summary>
    public long LiveWindowTicks { get => _paths.LiveWindowTicks; set => _paths.LiveWindowTicks = value; }

    /// <summary>Shortest time a gap in one path's own sequence is given before it counts as a loss (ticks).</summary>
    public long MinPathGapTicks { get => _paths.MinPathGapTicks; set => _paths.MinPathGapTicks = value; }

    /// <summary>Packets held now.</summary>
    public long Held => _held;

    /// <summary>The ring's size per class now (it grows up to the window it was made with).</summary>
    public int RingWindow => _ring.Window;

    public ResequencerCounters Counters => new(_held, Volatile.Read(ref _heldMax), _released, _late, _lost, _early, _timeouts, _overflows);

    /// <summary>Returns the largest depth since the last call and starts a new maximum.</summary>
    public long TakeHeldMax() => Interlocked.Exchange(ref _heldMax, _held);

    /// <summary>Notes that <paramref name="path"/> delivered data with these sequence numbers.</summary>
    public void OnPathData(int path, uint pathSequence, ulong global, long now) => _paths.OnData(path, pathSequence, global, now);

    /// <summary>A probe on <paramref name="path"/>: path sequences up to <paramref name="pathSequence"/> were sent before it, all below <paramref name="nextGlobal"/>.</summary>
    public void OnPathMarker(int path, uint pathSequence, ulong nextGlobal, long now) => _paths.OnMarker(path, pathSequence, nextGlobal, now);

    /// <summary>Data packets given up as lost on <paramref name="path"/> (gaps in its path sequence).</summary>
    public long PathLost(int path) => _paths.Lost(path);

    /// <summary>Runs of consecutive packets that <see cref="PathLost"/> made up.</summary>
    public long PathLossRuns(int path) => _paths.LossRuns(path);

    /// <summary>
    /// A decaying maximum of how long gaps stayed open before the missing packet came (and of how late packets that
    /// came after their gap was given up were), in ticks: the receive loop sizes the hold time from it.
    /// </summary>
    public long ReorderDelayTicks { get; private set; }

    /// <summary>Lets <see cref="ReorderDelayTicks"/> and the paths' own reorder figures decay by <paramref name="factor"/>.</summary>
    public void DecayReorderDelay(double factor)
    {
        ReorderDelayTicks = (long)(ReorderDelayTicks * factor);
        _paths.Decay(factor);
    }

    /// <summary>Takes a data packet; releases it and whatever it unblocks, or holds it behind a gap.</summary>
    public void Insert(int slot, int flowClass, uint classSequence, ulong global, long now)
    {
        ref var c = ref _classes[flowClass];
        if (!c.Started)
        {
            c.Started = true;
            c.Next = classSequence;
        }

        var distance = (int)(classSequence - c.Next);
        if (distance < 0)
        {
            // Its gap was given up: the hold was too short by at least this much.
            _late++;
            if (c.GaveUpAt != 0)
            {
                Observe(now - c.GaveUpAt + c.GaveUpHold);
            }

            Deliver(slot);
            return;
        }

        if (distance == 0)
        {
            if (c.Held > 0)
            {
                Observe(now - c.HoldSince);
            }

            Deliver(slot);
            c.Next++;
            if (c.Held > 0)
            {
                DrainInOrder(flowClass, now);
            }

            return;
        }

        if (distance >= _ring.Window && _ring.CanGrow)
        {
            _ring.Grow(distance, _classes);
        }

        if (distance >= _ring.Window)
        {
            // Too far ahead to hold: give up gaps until it fits.
            _overflows++;
            while (c.Held > 0 && (int)(classSequence - c.Next) >= _ring.Window)
            {
                SkipGap(flowClass, now);
            }

            if ((int)(classSequence - c.Next) >= _ring.Window)
            {
                _lost += (int)(classSequence - c.Next);
                c.Next = classSequence;
                Deliver(slot);
                c.Next++;
                return;
            }

            if (classSequence == c.Next)
            {
                Deliver(slot);
                c.Next++;
                if (c.Held > 0)
                {
                    DrainInOrder(flowClass, now);
                }

                return;
            }
        }

        ref var held = ref _ring.At(flowClass, classSequence);
        if (held >= 0)
        {
            // Same class sequence twice (the duplicate filter normally catches this first).
            _slots.Return(slot);
            return;
        }

        held = slot;
        _slots.Arrival[slot] = now;
        _slots.Global[slot] = global;
        if (c.Held == 0 || (int)(classSequence - c.FirstHeld) < 0)
        {
            if (c.Held == 0)
            {
                c.HoldSince = now;
            }

            c.FirstHeld = classSequence;
            c.BoundGlobal = global;
        }

        c.Held++;
        _held++;
        if (_held > _heldMax)
        {
            _heldMax = _held;
        }

        _heldClasses |= 1UL << flowClass;
    }

    /// <summary>
    /// Gives up gaps whose loss is certain or, when <paramref name="caughtUp"/>, whose hold time ran out. Call after
    /// each receive batch. A hold may only time out once every socket has been read empty: when the receiver falls
    /// behind, the missing packet is most likely already waiting in another path's socket buffer.
    /// </summary>
    public void ReleaseDue(long now, bool caughtUp = true)
    {
        if (caughtUp)
        {
            _paths.Age(now, HoldTicks);
        }

        var classes = _heldClasses;
        while (classes != 0)
        {
            var flowClass = BitOperations.TrailingZeroCount(classes);
            classes &= classes - 1;
            ref var c = ref _classes[flowClass];
            while (c.Held > 0)
            {
                if (caughtUp && now - c.HoldSince >= HoldTicks)
                {
                    _timeouts++;
                    c.GaveUpAt = now;
                    c.GaveUpHold = HoldTicks;
                }
                else if (_paths.LossCertain(c.BoundGlobal, now))
                {
                    _early++;
                }
                else
                {
                    break;
                }

                SkipGap(flowClass, now);
            }

            if (c.Held == 0)
            {
                _heldClasses &= ~(1UL << flowClass);
            }
        }
    }

    /// <summary>The earliest time a hold runs out, or <see cref="long.MaxValue"/> when nothing is held.</summary>
    public long NextDeadline()
    {
        var deadline = long.MaxValue;
        var classes = _heldClasses;
        while (classes != 0)
        {
            var flowClass = BitOperations.TrailingZeroCount(classes);
            classes &= classes - 1;
            deadline = Math.Min(deadline, _classes[flowClass].HoldSince + HoldTicks);
        }

        return deadline;
    }

    /// <summary>Drops everything held and forgets all sequence state (a new session starts its numbering anew).</summary>
    public void Reset()
    {
        _ring.Clear(_slots);
        Array.Clear(_classes);
        _paths.Reset();

        _heldClasses = 0;
        _held = 0;
    }

    private void Observe(long delay)
    {
        if (delay > ReorderDelayTicks)
        {
            ReorderDelayTicks = delay;
        }
    }

    private void SkipGap(int flowClass, long now)
    {
        ref var c = ref _classes[flowClass];
        _lost += (int)(c.FirstHeld - c.Next);
        c.Next = c.FirstHeld;
        DrainInOrder(flowClass, now);
    }

    private void DrainInOrder(int flowClass, long now)
    {
        ref var c = ref _classes[flowClass];
        while (c.Held > 0)
        {
            ref var held = ref _ring.At(flowClass, c.Next);
            var slot = held;
            if (slot < 0)
            {
                break;
            }

            held = -1;
            c.Held--;
            _held--;
            Deliver(slot);
            c.Next++;
        }

        if (c.Held == 0)
        {
            return;
        }

        // A new gap: the first packet behind it bounds the missing packet's global sequence, and its arrival starts
        // the hold (a packet further behind may have come earlier, so the hold may run a little long, never short).
        for (var k = 1; k < _ring.Window; k++)
        {
            var sequence = c.Next + (uint)k;
            var slot = _ring.At(flowClass, sequence);
            if (slot >= 0)
            {
                c.FirstHeld = sequence;
                c.BoundGlobal = _slots.Global[slot];
                c.HoldSince = Math.Min(_slots.Arrival[slot], now);
                return;
            }
        }
    }

    private void Deliver(int slot)
    {
        _released++;
        _sink.Release(slot);
    }
}
