namespace Fleet.Striper.Scheduling;

/// <summary>
/// The sender's model of the bytes still queued on each path (seed 002's bw_lag_val bookkeeping): a path drains at its
/// rate since its last transmission; a packet sent on it adds its bytes.
/// </summary>
internal sealed class VirtualQueues
{
    private readonly double[] _bytes = new double[32];
    private readonly double[] _updated = new double[32];

    /// <summary>Bytes modelled as still queued on <paramref name="path"/> at <paramref name="now"/>.</summary>
    public double Queued(int path, double rateBitsPerSecond, double now)
    {
        var drained = (now - _updated[path]) * rateBitsPerSecond / 8;
        return Math.Max(0, _bytes[path] - drained);
    }

    public void Add(int path, double queuedNow, int bytes, double now)
    {
        _bytes[path] = queuedNow + bytes;
        _updated[path] = now;
    }
}
