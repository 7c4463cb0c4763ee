namespace Fleet.Striper.Reordering;

/// <summary>
/// What one path has delivered, by its path sequence numbers: the contiguous prefix, and the highest global sequence
/// within it. A path is not strictly FIFO on Linux (veth and backlog queues are per CPU, so a sending thread that
/// migrates can reorder its own datagrams), so "the path delivered global g" proves nothing about earlier packets until
/// every earlier path sequence has arrived. Gaps in the path sequence that stay open longer than the hold time are
/// counted as lost and skipped. A probe's drain marker (path sequence S sent before global G) applies once the prefix
/// reaches S.
/// </summary>
internal sealed class PathDrain
{
    private const int Window = 4096;

    // Made when the path's first data or marker arrives: a path that never carries any (an aggregator's idle site,
    // issue 17) holds none.
    private ulong[] _received = [];
    private ulong[] _global = [];
    private bool _started;
    private uint _contiguous;
    private uint _highest;
    private bool _gapOpen;
    private long _gapSince;
    private uint _markerSequence;
    private ulong _markerGlobal;
    private bool _markerPending;

    /// <summary>Every data packet this path carried with a global sequence up to this one has arrived (or was given up).</summary>
    public ulong Drained { get; private set; }

    /// <summary>Whether any data arrived on the path.</summary>
    public bool AnyData => _started;

    /// <summary>When the path last delivered data.</summary>
    public long LastData { get; private set; }

    /// <summary>Path sequence numbers given up as lost.</summary>
    public long Lost { get; private set; }

    /// <summary>Runs of consecutive path sequence numbers given up as lost: <see cref="Lost"/> ÷ this is the mean burst length.</summary>
    public long LossRuns { get; private set; }

    /// <summary>Longest time (ticks) a gap in this path's sequence took to fill by itself, decaying: how much the path reorders.</summary>
    public long ReorderTicks { get; private set; }

    /// <summary>Lets <see cref="ReorderTicks"/> decay by <paramref name="factor"/>.</summary>
    public void Decay(double factor) => ReorderTicks = (long)(ReorderTicks * factor);

    public void OnData(uint pathSequence, ulong global, long now)
    {
        LastData = now;
        if (!_started)
        {
            Start();
            _contiguous = pathSequence - 1;
            _highest = _contiguous;
            if (pathSequence > 1)
            {
                Lost += pathSequence - 1;
                LossRuns++;
            }
        }

        var distance = (int)(pathSequence - _contiguous);
        if (distance <= 0)
        {
            return; // already counted (a duplicate, or late after its gap was given up)
        }

        if (distance > Window - 1)
        {
            // Too far ahead to track: give up everything before it.
            var skipped = distance - 1 - Count(_contiguous + 1, _highest);
            Lost += skipped;
            LossRuns += skipped > 0 ? 1 : 0;
            Array.Clear(_received);
            _contiguous = pathSequence - 1;
            _highest = _contiguous;
            _gapOpen = false;
        }

        var index = (int)(pathSequence % Window);
        _received[index >> 6] |= 1UL << index;
        _global[index] = global;
        if ((int)(pathSequence - _highest) > 0)
        {
            _highest = pathSequence;
        }

        Advance(now);
    }

    /// <summary>A probe said: before it, the path carried path sequences up to <paramref name="pathSequence"/>, all below global <paramref name="nextGlobal"/>.</summary>
    public void OnMarker(uint pathSequence, ulong nextGlobal, long now)
    {
        if (nextGlobal == 0)
        {
            return;
        }

        if (!_started)
        {
            Start();
            _contiguous = pathSequence;
            _highest = pathSequence;
            Lost += pathSequence;
            LossRuns += pathSequence > 0 ? 1 : 0;
            LastData = now;
        }

        if ((int)(pathSequence - _highest) > 0)
        {
            // Sent before the probe but not seen yet: a gap until it arrives or ages out.
            _highest = pathSequence;
            if (!_gapOpen)
            {
                _gapOpen = true;
                _gapSince = now;
            }
        }

        _markerPending = true;
        _markerSequence = pathSequence;
        _markerGlobal = nextGlobal - 1;
        ApplyMarker();
    }

    /// <summary>Gives up gaps older than <paramref name="holdTicks"/> (a path is nearly FIFO: a gap that lasts longer than the path has ever reordered is a loss).</summary>
    public void Age(long now, long holdTicks)
    {
        while (_gapOpen && now - _gapSince >= holdTicks)
        {
            // Skip the missing run up to the next packet that did arrive.
            LossRuns++;
            while ((int)(_highest - _contiguous) > 0 && !IsSet(_contiguous + 1))
            {
                _contiguous++;
                Lost++;
            }

            _gapOpen = false;
            Advance(now);
        }
    }

    private void Start()
    {
        _started = true;
        _received = new ulong[Window / 64];
        _global = new ulong[Window];
    }

    private void Advance(long now)
    {
        if (_gapOpen && (int)(_highest - _contiguous) > 0 && IsSet(_contiguous + 1) && now - _gapSince > ReorderTicks)
        {
            // The gap filled by itself: the path reordered (per-CPU queues), it did not lose.
            ReorderTicks = now - _gapSince;
        }

        while ((int)(_highest - _contiguous) > 0 && IsSet(_contiguous + 1))
        {
            _contiguous++;
            var index = (int)(_contiguous % Window);
            _received[index >> 6] &= ~(1UL << index);
            if (_global[index] > Drained)
            {
                Drained = _global[index];
            }
        }

        var open = (int)(_highest - _contiguous) > 0;
        if (open && !_gapOpen)
        {
            _gapSince = now;
        }

        _gapOpen = open;
        ApplyMarker();
    }

    private void ApplyMarker()
    {
        if (_markerPending && (int)(_markerSequence - _contiguous) <= 0)
        {
            _markerPending = false;
            if (_markerGlobal > Drained)
            {
                Drained = _markerGlobal;
            }
        }
    }

    private bool IsSet(uint sequence)
    {
        var index = (int)(sequence % Window);
        return (_received[index >> 6] & (1UL << index)) != 0;
    }

    private int Count(uint from, uint to)
    {
        var n = 0;
        for (var s = from; (int)(to - s) >= 0; s++)
        {
            n += IsSet(s) ? 1 : 0;
        }

        return n;
    }
}
