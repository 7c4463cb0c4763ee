using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Web.Links;

/// <summary>
/// Reads a link's per-member time series for its charts: the recent raw samples for <see cref="ChartRange.Live"/>
/// (the live hub continues from there), 1-minute or 1-hour rollups for the longer ranges.
/// </summary>
public interface ILinkSeriesQuery
{
    /// <summary>
    /// The members' series over <paramref name="range"/> ending now; null when the link does not exist. Of an aggregator
    /// link, its own member and the sum of its sites (<c>all sites</c>), or with <paramref name="siteId"/> that site's
    /// session and paths alone (docs/aggregator.md, "Watching it"); of any other link every member, whatever
    /// <paramref name="siteId"/> says.
    /// </summary>
    Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, int? siteId, CancellationToken cancellationToken);
}

/// <summary>The time ranges of the link page's selector.</summary>
public enum ChartRange
{
    /// <summary>The last 15 minutes from raw samples, then live.</summary>
    Live,

    /// <summary>The last hour from 1-minute rollups.</summary>
    Hour,

    /// <summary>The last 24 hours from 1-minute rollups.</summary>
    Day,

    /// <summary>The last 7 days from 1-hour rollups.</summary>
    Week,
}

/// <summary>Facts about each <see cref="ChartRange"/>.</summary>
public static class ChartRanges
{
    /// <summary>How far back a range reaches.</summary>
    public static TimeSpan Span(ChartRange range) => range switch
    {
        ChartRange.Live => TimeSpan.FromMinutes(15),
        ChartRange.Hour => TimeSpan.FromHours(1),
        ChartRange.Day => TimeSpan.FromHours(24),
        ChartRange.Week => TimeSpan.FromDays(7),
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, null),
    };

    /// <summary>The query-string value (<c>live</c>, <c>1h</c>, <c>24h</c>, <c>7d</c>).</summary>
    public static string Key(ChartRange range) => range switch
    {
        ChartRange.Live => "live",
        ChartRange.Hour => "1h",
        ChartRange.Day => "24h",
        ChartRange.Week => "7d",
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, null),
    };

    /// <summary>What the selector says.</summary>
    public static string Label(ChartRange range) => range switch
    {
        ChartRange.Live => "Live 15 min",
        ChartRange.Hour => "1 h",
        ChartRange.Day => "24 h",
        ChartRange.Week => "7 d",
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, null),
    };

    /// <summary>Parses a query-string value; unknown values mean live.</summary>
    public static ChartRange Parse(string? key) => key switch
    {
        "1h" => ChartRange.Hour,
        "24h" => ChartRange.Day,
        "7d" => ChartRange.Week,
        _ => ChartRange.Live,
    };

    /// <summary>Every range, in selector order.</summary>
    public static IReadOnlyList<ChartRange> All { get; } = [ChartRange.Live, ChartRange.Hour, ChartRange.Day, ChartRange.Week];
}

/// <summary>A link's series over one range.</summary>
/// <param name="Resolution">Time between points (1 s live, 1 min, 1 h).</param>
public sealed record LinkSeries(ChartRange Range, DateTimeOffset From, DateTimeOffset To, TimeSpan Resolution, IReadOnlyList<MemberSeries> Members);

/// <summary>One member's points, oldest first.</summary>
public sealed record MemberSeries(string Member, IReadOnlyList<SeriesPoint> Points);

/// <summary>One point of a member's series: rates and averages over its interval, the worst health in it.</summary>
/// <param name="Drops">Packets dropped (tx + rx) in the interval, per second.</param>
/// <param name="ReorderDepth">Largest resequencing depth in the interval.</param>
public readonly record struct SeriesPoint(
    DateTimeOffset Time,
    double TxBitsPerSecond,
    double RxBitsPerSecond,
    double Drops,
    double ReorderDepth,
    double? RttMs,
    double? LossPercent,
    MemberHealth Health)
{
    /// <summary>
    /// The chart point of a REST sample point (a raw sample or a rollup bucket), stamped at <paramref name="time"/>:
    /// totals become rates over the point's interval, reorder depth is its peak, RTT and loss as averaged.
    /// </summary>
    /// <remarks>The counters each series draws are the catalogue's (<see cref="MemberCounterInfo.Chart"/>).</remarks>
    public static SeriesPoint From(SamplePointDto point, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(point);
        var seconds = Math.Max(point.IntervalMs, 1) / 1000.0;
        return new(time, point.TxBytes * 8 / seconds, point.RxBytes * 8 / seconds, (point.TxDrops + point.RxDrops) / seconds,
            point.ReorderDepthMax, point.RttMs, point.LossPercent, point.Health);
    }

    /// <summary>The point's value in a numeric chart series of <see cref="MemberCounterCatalog.ChartSeries"/> (<c>tx</c>, <c>drops</c>…; not <c>health</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A series this point does not carry: a new counter's series needs a field here.</exception>
    public double? Value(string series) => series switch
    {
        "tx" => TxBitsPerSecond,
        "rx" => RxBitsPerSecond,
        "drops" => Drops,
        "reorder" => ReorderDepth,
        "rtt" => RttMs,
        "loss" => LossPercent,
        _ => throw new ArgumentOutOfRangeException(nameof(series), series, "not a numeric series of the member charts"),
    };
}
