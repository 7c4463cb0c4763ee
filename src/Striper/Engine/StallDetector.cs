namespace Fleet.Striper.Engine;

/// <summary>
/// Tells a stall of the control thread from a host that is merely slow (docs/striper-protocol.md, "Health"). A tick
/// that comes more than <see cref="MinimumSeconds"/> late, and more than <see cref="Factor"/> times the usual gap
/// between ticks, means the machine did not run this thread for a while (CPU starvation, a pause of the process):
/// answers may wait unread in the sockets, and probes must not be judged missed for that time. On a host that stays
/// slow every tick is late and none of them is a stall, so a dead path is found at the usual pace.
/// </summary>
internal sealed class StallDetector
{
    /// <summary>The shortest lateness that can be a stall: below the shortest probe timeout, 30 ms.</summary>
    public const double MinimumSeconds = 0.025;

    /// <summary>How many times the usual gap a stall's gap is at least.</summary>
    public const double Factor = 4;

    private readonly double _tickSeconds;
    private double _last = double.NaN;
    private double _usualGap;

    /// <summary>A detector for a thread that ticks every <paramref name="tickSeconds"/>.</summary>
    public StallDetector(double tickSeconds)
    {
        _tickSeconds = tickSeconds;
        _usualGap = tickSeconds;
    }

    /// <summary>Stalls seen.</summary>
    public long Count { get; private set; }

    /// <summary>A tick at <paramref name="now"/> (seconds): whether the thread stalled since the previous one.</summary>
    public bool Tick(double now)
    {
        if (double.IsNaN(_last))
        {
            _last = now;
            return false;
        }

        var gap = now - _last;
        _last = now;
        var stalled = gap - _tickSeconds > MinimumSeconds && gap > Factor * _usualGap;
        _usualGap += (gap - _usualGap) / 8;
        if (stalled)
        {
            Count++;
        }

        return stalled;
    }
}
