using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Fleet.Web.Links;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>
/// One member's charts: tx/rx throughput, drops, reorder depth, RTT and loss, plus a health timeline.
/// The server renders the first frame (SVG lines and the latest values) from the query's series, so the page is useful
/// before any script runs; <c>LiveChart.razor.js</c> then draws the same points on a canvas (uPlot) and, for the live
/// range, keeps them current from <c>/hubs/live</c>, coalesced and capped at <see cref="MaxPoints"/> per series.
/// </summary>
public partial class LiveChart
{
    /// <summary>The module that takes over in the browser.</summary>
    public const string Module = App.ContentRoot + "Components/LiveChart.razor.js";

    /// <summary>The link the member belongs to.</summary>
    [Parameter, EditorRequired]
    public Guid LinkId { get; set; }

    /// <summary>The member's points, oldest first.</summary>
    [Parameter, EditorRequired]
    public MemberSeries Series { get; set; } = default!;

    /// <summary>The range shown.</summary>
    [Parameter]
    public ChartRange Range { get; set; }

    /// <summary>Start of the range.</summary>
    [Parameter]
    public DateTimeOffset From { get; set; }

    /// <summary>End of the range.</summary>
    [Parameter]
    public DateTimeOffset To { get; set; }

    /// <summary>Time between points.</summary>
    [Parameter]
    public TimeSpan Resolution { get; set; } = TimeSpan.FromSeconds(1);

    [Inject]
    private ViewerTimeZone Zone { get; set; } = default!;

    /// <summary>The series drawn as the health timeline rather than a line.</summary>
    private const string HealthSeries = "health";

    private static int MaxPoints => SeriesDownsampler.MaxPoints;

    private IReadOnlyList<SeriesPoint> Points { get; set; } = [];

    private IReadOnlyList<ChartPlot> Plots { get; set; } = [];

    private IReadOnlyList<HealthTimeline.Segment> Timeline { get; set; } = [];

    private bool IsLive => Range == ChartRange.Live;

    private string RangeKey => ChartRanges.Key(Range);

    private string TitleId => $"chart-{LinkId:N}-{Series.Member}";

    private long SpanSeconds => (long)ChartRanges.Span(Range).TotalSeconds;

    private MemberHealth LatestHealth => Points.Count == 0 ? MemberHealth.Unknown : Points[^1].Health;

    private string PointsJson { get; set; } = "{}";

    /// <summary>How the module turns a live sample into a point: the catalogue's charted counters (<see cref="MemberCounterInfo.Chart"/>).</summary>
    private static string CountersJson { get; } = SerializeCounters();

    private string AxisStyle => Range == ChartRange.Week ? "full" : "time";

    private string TimelineDescription
    {
        get
        {
            if (Timeline.Count == 0)
            {
                return "Health: no data in this range";
            }

            var totals = Timeline.GroupBy(s => s.Health)
                .Select(g => $"{WireNames.Of(g.Key)} {Units.Duration(TimeSpan.FromTicks(g.Sum(s => (s.End - s.Start).Ticks)))}");
            return "Health over the range: " + string.Join(", ", totals);
        }
    }

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        Points = SeriesDownsampler.Downsample(Series.Points);
        PointsJson = Serialize(Points);
        Timeline = HealthTimeline.Build(Points, From, To, EffectiveResolution());
        Plots = BuildPlots();
    }

    private TimeSpan EffectiveResolution()
    {
        // After downsampling each point stands for several intervals.
        var factor = Points.Count == 0 ? 1 : Math.Max(1, (Series.Points.Count + Points.Count - 1) / Points.Count);
        return Resolution * factor;
    }

    private List<ChartPlot> BuildPlots()
    {
        var last = Points.Count == 0 ? (SeriesPoint?)null : Points[^1];
        return
        [
            new ChartPlot("throughput", "Throughput",
                [new("tx", "tx", Units.BitsPerSecond(last?.TxBitsPerSecond)), new("rx", "rx", Units.BitsPerSecond(last?.RxBitsPerSecond))],
                [new("tx", Path(p => p.TxBitsPerSecond, ThroughputMax())), new("rx", Path(p => p.RxBitsPerSecond, ThroughputMax()))],
                "Transmit and receive rate"),
            new ChartPlot("drops", "Drops",
                [new("drops", "", last is { } d ? Units.Count((long)Math.Round(d.Drops)) + " /s" : Units.Unknown)],
                [new("drops", Path(p => p.Drops, Max(p => p.Drops)))],
                "Dropped packets per second"),
            new ChartPlot("reorder", "Reorder depth",
                [new("reorder", "", last is { } r ? Units.Count((long)r.ReorderDepth) : Units.Unknown)],
                [new("reorder", Path(p => p.ReorderDepth, Max(p => p.ReorderDepth)))],
                "Packets waiting in the resequencing buffer"),
            new ChartPlot("rtt", "RTT",
                [new("rtt", "", Units.Milliseconds(last?.RttMs))],
                [new("rtt", Path(p => p.RttMs, Max(p => p.RttMs ?? 0)))],
                "Round-trip time"),
            new ChartPlot("loss", "Loss",
                [new("loss", "", Units.Percent(last?.LossPercent))],
                [new("loss", Path(p => p.LossPercent, Math.Max(1, Max(p => p.LossPercent ?? 0))))],
                "Loss in percent"),
        ];
    }

    private double ThroughputMax() => Max(p => Math.Max(p.TxBitsPerSecond, p.RxBitsPerSecond));

    private double Max(Func<SeriesPoint, double> value)
    {
        var max = 0.0;
        foreach (var point in Points)
        {
            max = Math.Max(max, value(point));
        }

        return max;
    }

    /// <summary>An SVG path over the range; a null value breaks the line.</summary>
    private string Path(Func<SeriesPoint, double?> value, double max) => ChartPlot.Path(Points, p => p.Time, value, From, To, max);

    private static string Serialize(IReadOnlyList<SeriesPoint> points)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            WriteArray(json, "t", points, p => p.Time.ToUnixTimeMilliseconds() / 1000.0);
            foreach (var series in MemberCounterCatalog.ChartSeries)
            {
                if (series != HealthSeries)
                {
                    WriteArray(json, series, points, p => p.Value(series));
                }
            }

            json.WriteStartArray(HealthSeries);
            foreach (var point in points)
            {
                json.WriteStringValue(WireNames.Of(point.Health));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string SerializeCounters()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var counter in MemberCounterCatalog.All)
            {
                if (counter.Chart is { } chart)
                {
                    json.WriteStartObject();
                    json.WriteString("name", counter.Name);
                    json.WriteString("series", chart.Series);
                    json.WriteNumber("scale", chart.Scale);
                    json.WriteBoolean("rate", counter.Kind == CounterKind.Delta);
                    json.WriteBoolean("measured", counter.Kind == CounterKind.Measured);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<SeriesPoint> points, Func<SeriesPoint, double?> value)
    {
        json.WriteStartArray(name);
        foreach (var point in points)
        {
            if (value(point) is { } v && double.IsFinite(v))
            {
                json.WriteNumberValue(Math.Round(v, 3));
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }

    private static long Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds();

    private static string HealthKey(MemberHealth health) => WireNames.Of(health);

    private static string SegmentStyle(HealthTimeline.Segment segment) =>
        string.Create(CultureInfo.InvariantCulture, $"left:{segment.Left * 100:0.###}%;width:{Math.Max(segment.Width * 100, 0.2):0.###}%");

    private string SegmentTitle(HealthTimeline.Segment segment) =>
        $"{WireNames.Of(segment.Health)} from {Zone.FormatTime(segment.Start)} to {Zone.FormatTime(segment.End)}";

}
