using Fleet.Web.Components;
using Fleet.Web.Formatting;

namespace Fleet.Web.Links;

/// <summary>
/// The server's first frame of the link's panels (<see cref="ChartMetrics"/>): SVG lines, one per member on the panel's
/// shared scale, and each member's latest value; the link's total throughput summed over the members' points.
/// </summary>
public static class LinkChartPlots
{
    /// <summary>Members beyond this many reuse the colours from the first.</summary>
    public const int Colours = 8;

    /// <summary>A member's colour key (<c>m0</c>…<c>m7</c>) by its place in the link.</summary>
    public static string Swatch(int index) => "m" + (index % Colours);

    /// <summary>The panels of <paramref name="metrics"/> over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public static IReadOnlyList<ChartPlot> Build(IReadOnlyList<string> metrics, IReadOnlyList<MemberSeries> members, DateTimeOffset from, DateTimeOffset to)
    {
        var plots = new List<ChartPlot>(metrics.Count);
        foreach (var metric in metrics)
        {
            plots.Add(metric switch
            {
                ChartMetrics.Total => TotalPlot(members, from, to),
                ChartMetrics.Tx => MemberPlot(metric, "Transmit", "Each member's transmit rate", members, p => p.TxBitsPerSecond, v => Units.BitsPerSecond(v), from, to),
                ChartMetrics.Rx => MemberPlot(metric, "Receive", "Each member's receive rate", members, p => p.RxBitsPerSecond, v => Units.BitsPerSecond(v), from, to),
                ChartMetrics.Drops => MemberPlot(metric, "Drops", "Each member's dropped packets per second", members, p => p.Drops,
                    v => v is { } d ? Units.Count((long)Math.Round(d)) + " /s" : Units.Unknown, from, to),
                ChartMetrics.Reorder => MemberPlot(metric, "Reorder depth", "Packets waiting in each member's resequencing buffer", members, p => p.ReorderDepth,
                    v => v is { } r ? Units.Count((long)r) : Units.Unknown, from, to),
                ChartMetrics.Rtt => MemberPlot(metric, "RTT", "Each member's round-trip time", members, p => p.RttMs, v => Units.Milliseconds(v), from, to),
                ChartMetrics.Loss => MemberPlot(metric, "Loss", "Each member's loss in percent", members, p => p.LossPercent, v => Units.Percent(v), from, to, floor: 1),
                _ => throw new ArgumentOutOfRangeException(nameof(metrics), metric, "not a chart metric"),
            });
        }

        return plots;
    }

    private static ChartPlot MemberPlot(
        string key, string title, string description, IReadOnlyList<MemberSeries> members, Func<SeriesPoint, double?> value,
        Func<double?, string> format, DateTimeOffset from, DateTimeOffset to, double floor = 0)
    {
        // One scale for every member: the panel's point is to compare them.
        var max = floor;
        foreach (var member in members)
        {
            foreach (var point in member.Points)
            {
                if (value(point) is { } v && double.IsFinite(v))
                {
                    max = Math.Max(max, v);
                }
            }
        }

        var values = new List<PlotValue>(members.Count);
        var lines = new List<PlotLine>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            var last = member.Points.Count == 0 ? null : value(member.Points[^1]);
            values.Add(new PlotValue(key, member.Member, format(last), Swatch(i), member.Member));
            lines.Add(new PlotLine(Swatch(i), ChartPlot.Path(member.Points, p => p.Time, value, from, to, max), member.Member));
        }

        return new ChartPlot(key, title, values, lines, description);
    }

    private static ChartPlot TotalPlot(IReadOnlyList<MemberSeries> members, DateTimeOffset from, DateTimeOffset to)
    {
        var totals = Sum(members);
        var max = totals.Count == 0 ? 0 : totals.Max(t => Math.Max(t.Tx, t.Rx));
        var last = totals.Count == 0 ? ((double Tx, double Rx)?)null : (totals[^1].Tx, totals[^1].Rx);
        return new ChartPlot(ChartMetrics.Total, "Link throughput",
            [new("tx", "tx", Units.BitsPerSecond(last?.Tx)), new("rx", "rx", Units.BitsPerSecond(last?.Rx))],
            [new("tx", ChartPlot.Path(totals, t => t.Time, t => t.Tx, from, to, max)), new("rx", ChartPlot.Path(totals, t => t.Time, t => t.Rx, from, to, max))],
            "The link's transmit and receive rate: the sum of its members");
    }

    /// <summary>The members' rates summed per point time (members of one link are sampled together, so their times meet).</summary>
    private static List<(DateTimeOffset Time, double Tx, double Rx)> Sum(IReadOnlyList<MemberSeries> members)
    {
        var sums = new SortedDictionary<DateTimeOffset, (double Tx, double Rx)>();
        foreach (var member in members)
        {
            foreach (var point in member.Points)
            {
                sums.TryGetValue(point.Time, out var sum);
                sums[point.Time] = (sum.Tx + point.TxBitsPerSecond, sum.Rx + point.RxBitsPerSecond);
            }
        }

        return [.. sums.Select(s => (s.Key, s.Value.Tx, s.Value.Rx))];
    }
}
