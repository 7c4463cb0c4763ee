using Fleet.Contracts.Links;

namespace Fleet.Web.Links;

/// <summary>
/// Caps the number of points per series (docs/conventions.md, rule 15): consecutive points are merged into buckets that keep
/// what an operator must not miss — rates averaged, reorder depth and loss at their worst, health at its worst.
/// </summary>
public static class SeriesDownsampler
{
    /// <summary>Most points per series a chart draws (15 min of 1 s samples).</summary>
    public const int MaxPoints = 900;

    /// <summary>The points, merged into at most <paramref name="maxPoints"/> buckets; the same list when already small enough.</summary>
    public static IReadOnlyList<SeriesPoint> Downsample(IReadOnlyList<SeriesPoint> points, int maxPoints = MaxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        if (points.Count <= maxPoints)
        {
            return points;
        }

        var bucketSize = (points.Count + maxPoints - 1) / maxPoints;
        var result = new List<SeriesPoint>((points.Count + bucketSize - 1) / bucketSize);
        for (var start = 0; start < points.Count; start += bucketSize)
        {
            var end = Math.Min(points.Count, start + bucketSize);
            result.Add(Merge(points, start, end));
        }

        return result;
    }

    private static SeriesPoint Merge(IReadOnlyList<SeriesPoint> points, int start, int end)
    {
        double tx = 0, rx = 0, drops = 0, reorder = 0, rttSum = 0;
        double? loss = null;
        var rttCount = 0;
        var health = MemberHealth.Unknown;
        for (var i = start; i < end; i++)
        {
            var p = points[i];
            tx += p.TxBitsPerSecond;
            rx += p.RxBitsPerSecond;
            drops += p.Drops;
            reorder = Math.Max(reorder, p.ReorderDepth);
            if (p.RttMs is { } rtt)
            {
                rttSum += rtt;
                rttCount++;
            }

            if (p.LossPercent is { } l)
            {
                loss = Math.Max(loss ?? 0, l);
            }

            health = Worse(health, p.Health);
        }

        var n = end - start;
        return new SeriesPoint(points[end - 1].Time, tx / n, rx / n, drops / n, reorder, rttCount == 0 ? null : rttSum / rttCount, loss, health);
    }

    /// <summary>The worse of two member healths: Down, Degraded, Up, Unknown.</summary>
    public static MemberHealth Worse(MemberHealth left, MemberHealth right) => Rank(left) >= Rank(right) ? left : right;

    private static int Rank(MemberHealth health) => health switch
    {
        MemberHealth.Down => 3,
        MemberHealth.Degraded => 2,
        MemberHealth.Up => 1,
        _ => 0,
    };
}
