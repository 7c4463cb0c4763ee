namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// One-way delay of every path, from the send times data carries: smoothed delay, jitter and a windowed minimum per
/// path, all relative to one arbitrary offset (the clocks' offset is unknown but the same for every path, so
/// differences between paths — the delay spread — and over time — queueing — are exact).
/// </summary>
internal sealed class DelayTracker
{
    private static readonly long s_minOwdWindowTicks = MonotonicClock.TicksFromSeconds(10);
    private readonly PathRuntime[] _paths;
    private readonly double[] _prevMinOwd;
    private bool _owdBaseSet;
    private uint _owdBase;
    private long _minOwdRotation;

    public DelayTracker(PathRuntime[] paths)
    {
        _paths = paths;
        _prevMinOwd = new double[paths.Length];
        Array.Fill(_prevMinOwd, double.MaxValue);
    }

    /// <summary>The minimum one-way delay of <paramref name="path"/> over the last 10–20 s.</summary>
    public double WindowedMinimum(int path) => Math.Min(_paths[path].Rx.MinOwdMicros, _prevMinOwd[path]);

    public void Track(PathRxCounters rx, uint sendMicros, long now)
    {
        var raw = (uint)MonotonicClock.Micros(now) - sendMicros;
        if (!_owdBaseSet)
        {
            _owdBaseSet = true;
            _owdBase = raw;
        }

        double relative = (int)(raw - _owdBase);
        if (!rx.OwdStarted)
        {
            rx.OwdStarted = true;
            rx.OwdMicros = relative;
            rx.JitterMicros = 0;
        }
        else
        {
            rx.JitterMicros += (Math.Abs(relative - rx.OwdMicros) - rx.JitterMicros) / 16;
            rx.OwdMicros += (relative - rx.OwdMicros) / 8;
        }

        if (relative < rx.MinOwdMicros)
        {
            rx.MinOwdMicros = relative;
        }

        if (!rx.AnySendTime || (int)(sendMicros - rx.LastSendMicros) > 0)
        {
            rx.LastSendMicros = sendMicros;
            rx.AnySendTime = true;
        }
    }

    /// <summary>Windowed minimum: the previous window's and the current one's, so a route change ages out.</summary>
    public void Rotate(long now)
    {
        if (now - _minOwdRotation <= s_minOwdWindowTicks)
        {
            return;
        }

        _minOwdRotation = now;
        for (var i = 0; i < _paths.Length; i++)
        {
            _prevMinOwd[i] = _paths[i].Rx.MinOwdMicros;
            _paths[i].Rx.MinOwdMicros = double.MaxValue;
        }
    }

    /// <summary>A new session: the peer's clock may be another process's.</summary>
    public void Reset()
    {
        _owdBaseSet = false;
        foreach (var path in _paths)
        {
            var rx = path.Rx;
            rx.AnySendTime = false;
            rx.OwdStarted = false;
            rx.MinOwdMicros = double.MaxValue;
        }

        Array.Fill(_prevMinOwd, double.MaxValue);
    }
}
