namespace Fleet.Striper.Health;

/// <summary>
/// Estimates a path's capacity from the receiver's delivery reports: while the one-way delay sits clearly above its
/// minimum, a queue is building at the bottleneck and the delivered rate is the capacity; while it does not and the
/// path is used near its estimate, the estimate grows (by a quarter per report), so it follows a path that got
/// faster. An app-limited path keeps its estimate.
/// </summary>
public sealed class CapacityEstimator
{
    private double _lastTime = double.NaN;
    private ulong _lastBytes;

    /// <summary>Estimated capacity in bit/s (NaN until the first report with traffic).</summary>
    public double RateBitsPerSecond { get; private set; } = double.NaN;

    /// <summary>Delivered rate over the last report interval in bit/s.</summary>
    public double DeliveredBitsPerSecond { get; private set; }

    /// <summary>
    /// Whether a one-way delay (smoothed, microseconds) sits clearly above the path's minimum: more than 2 ms and three
    /// times the jitter, so a queue is standing at the bottleneck.
    /// </summary>
    public static bool IsQueueing(long owdMicros, long minOwdMicros, long jitterMicros) =>
        owdMicros - minOwdMicros > Math.Max(2000, 3 * jitterMicros);

    /// <summary>Takes a report: running bytes delivered, smoothed and minimum one-way delay and jitter (microseconds).</summary>
    public void OnReport(double now, ulong deliveredBytes, long owdMicros, long minOwdMicros, long jitterMicros)
    {
        if (double.IsNaN(_lastTime) || deliveredBytes < _lastBytes)
        {
            _lastTime = now;
            _lastBytes = deliveredBytes;
            return;
        }

        var interval = now - _lastTime;
        if (interval < 0.02)
        {
            return;
        }

        DeliveredBitsPerSecond = (deliveredBytes - _lastBytes) * 8 / interval;
        _lastTime = now;
        _lastBytes = deliveredBytes;
        var saturated = IsQueueing(owdMicros, minOwdMicros, jitterMicros);
        if (saturated && DeliveredBitsPerSecond > 0)
        {
            RateBitsPerSecond = double.IsNaN(RateBitsPerSecond)
                ? DeliveredBitsPerSecond
                : (0.5 * RateBitsPerSecond) + (0.5 * DeliveredBitsPerSecond);
        }
        else if (DeliveredBitsPerSecond > 0 && (double.IsNaN(RateBitsPerSecond) || DeliveredBitsPerSecond > 0.7 * RateBitsPerSecond))
        {
            RateBitsPerSecond = double.IsNaN(RateBitsPerSecond)
                ? DeliveredBitsPerSecond * 1.25
                : Math.Max(RateBitsPerSecond, DeliveredBitsPerSecond * 1.25);
        }
    }
}
