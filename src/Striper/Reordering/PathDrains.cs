namespace Fleet.Striper.Reordering;

/// <summary>
/// What every local path has delivered (<see cref="PathDrain"/> each), taken together for the resequencer: a gap's loss
/// is certain once every path that carries data has delivered its whole prefix past the missing packet, since a path
/// cannot deliver it any more. Single-threaded (the receive loop).
/// </summary>
internal sealed class PathDrains
{
    private readonly PathDrain[] _paths;

    /// <param name="paths">Number of local paths.</param>
    public PathDrains(int paths)
    {
        _paths = new PathDrain[paths];
        Reset();
    }

    /// <summary>A path that delivered no data for this long no longer blocks early release (ticks).</summary>
    public long LiveWindowTicks { get; set; }

    /// <summary>Shortest time a gap in one path's own sequence is given before it counts as a loss (ticks).</summary>
    public long MinPathGapTicks { get; set; }

    /// <summary>Notes that <paramref name="path"/> delivered data with these sequence numbers.</summary>
    public void OnData(int path, uint pathSequence, ulong global, long now) => _paths[path].OnData(pathSequence, global, now);

    /// <summary>A probe on <paramref name="path"/>: path sequences up to <paramref name="pathSequence"/> were sent before it, all below <paramref name="nextGlobal"/>.</summary>
    public void OnMarker(int path, uint pathSequence, ulong nextGlobal, long now) => _paths[path].OnMarker(pathSequence, nextGlobal, now);

    /// <summary>Data packets given up as lost on <paramref name="path"/> (gaps in its path sequence).</summary>
    public long Lost(int path) => _paths[path].Lost;

    /// <summary>Runs of consecutive packets that <see cref="Lost"/> made up.</summary>
    public long LossRuns(int path) => _paths[path].LossRuns;

    /// <summary>Lets the paths' own reorder figures decay by <paramref name="factor"/>.</summary>
    public void Decay(double factor)
    {
        foreach (var path in _paths)
        {
            path.Decay(factor);
        }
    }

    /// <summary>Gives up gaps in the paths' own sequences that stayed open too long (at most <paramref name="holdTicks"/>).</summary>
    public void Age(long now, long holdTicks)
    {
        foreach (var path in _paths)
        {
            // Within one path packets barely reorder, so a path's gap is a loss long before a class's hold ends:
            // giving it up early lets the class gap behind it go early too (TCP sees its dupacks sooner).
            path.Age(now, Math.Min(holdTicks, (path.ReorderTicks * 3 / 2) + MinPathGapTicks));
        }
    }

    /// <summary>Whether a packet whose global sequence is below <paramref name="boundGlobal"/> can no longer arrive.</summary>
    public bool LossCertain(ulong boundGlobal, long now)
    {
        // The missing packet's global sequence is below boundGlobal (a class's packets are sent in order). Every
        // path that carries data must have delivered its whole prefix past it.
        var live = false;
        foreach (var path in _paths)
        {
            if (!path.AnyData || now - path.LastData > LiveWindowTicks)
            {
                continue;
            }

            live = true;
            if (path.Drained + 1 < boundGlobal)
            {
                return false;
            }
        }

        return live;
    }

    /// <summary>Forgets every path's sequence state (a new session).</summary>
    public void Reset()
    {
        for (var i = 0; i < _paths.Length; i++)
        {
            _paths[i] = new PathDrain();
        }
    }
}
