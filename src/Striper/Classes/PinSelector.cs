using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Classes;

/// <summary>
/// A pinned class's path: the named member while it may carry data; otherwise the path it is pinned to, until that
/// path can no longer carry data (failure, admin state, tier); then the eligible path with the lowest smoothed RTT
/// (unmeasured paths last, ties in spec order). It does not follow a path that merely became faster: moving a flow
/// reorders it, which costs more than a few milliseconds.
/// </summary>
internal sealed class PinSelector(int namedPath)
{
    private int _current = -1;

    /// <summary>The path the class is pinned to now (-1 before its first packet).</summary>
    public int Current => Volatile.Read(ref _current);

    public uint Select(PathSet paths, uint eligible)
    {
        if (eligible == 0)
        {
            return 0;
        }

        if (namedPath >= 0 && (eligible & (1u << namedPath)) != 0)
        {
            _current = namedPath;
        }
        else if (_current < 0 || (eligible & (1u << _current)) == 0)
        {
            _current = LowestRtt(paths, eligible);
        }

        return 1u << _current;
    }

    private static int LowestRtt(PathSet paths, uint eligible)
    {
        var best = -1;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) == 0)
            {
                continue;
            }

            if (best < 0 || paths.RankingSrtt(i) < paths.RankingSrtt(best))
            {
                best = i;
            }
        }

        return best;
    }
}
