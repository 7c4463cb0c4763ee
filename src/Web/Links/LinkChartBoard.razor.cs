using System.Globalization;
using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Web.Components;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Links;

/// <summary>
/// A link's charts: one panel per metric with one line per member on a shared scale (the link's total throughput on
/// top), a legend, and one health strip per member in the panels' time range (docs/dashboard.md, "Charts"). The server
/// renders the first frame as SVG, so the page is useful before any script runs; <c>LinkChartBoard.razor.js</c> then
/// draws the same points on canvases (uPlot) with a shared crosshair, drag to zoom and a legend that isolates a member,
/// and on the live range follows <c>/hubs/live</c>.
/// </summary>
public partial class LinkChartBoard
{
    /// <summary>The module that takes over in the browser.</summary>
    public const string Module = App.ContentRoot + "Links/LinkChartBoard.razor.js";

    /// <summary>The link.</summary>
    [Parameter, EditorRequired]
    public Guid LinkId { get; set; }

    /// <summary>Every member's points over the range.</summary>
    [Parameter, EditorRequired]
    public LinkSeries Series { get; set; } = default!;

    /// <summary>The link's kind: which metrics apply (<see cref="ChartMetrics.For"/>).</summary>
    [Parameter]
    public LinkKind Kind { get; set; }

    /// <summary>An active-backup bond: the legend says which member carries the traffic.</summary>
    [Parameter]
    public bool ActiveBackup { get; set; }

    /// <summary>What of the link the live range follows on <c>/hubs/live</c> (<see cref="LiveLinkView"/>); null for every member.</summary>
    [Parameter]
    public LiveLinkView? View { get; set; }

    [Inject]
    private ViewerTimeZone Zone { get; set; } = default!;

    private static int MaxPoints => SeriesDownsampler.MaxPoints;

    private IReadOnlyList<MemberSeries> Members { get; set; } = [];

    private IReadOnlyList<ChartPlot> Plots { get; set; } = [];

    private Dictionary<string, IReadOnlyList<HealthTimeline.Segment>> Timelines { get; } = [];

    private string PointsJson { get; set; } = "[]";

    private string? Carrying { get; set; }

    private string? ViewJson => View is null ? null : JsonSerializer.Serialize(View, FleetJson.Options);

    private bool IsLive => Series.Range == ChartRange.Live;

    private string RangeKey => ChartRanges.Key(Series.Range);

    private long SpanSeconds => (long)ChartRanges.Span(Series.Range).TotalSeconds;

    private string AxisStyle => Series.Range == ChartRange.Week ? "full" : "time";

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        Members = [.. Series.Members.Select(m => new MemberSeries(m.Member, SeriesDownsampler.Downsample(m.Points)))];
        PointsJson = ChartSeriesJson.Members(Members.Select(m => (m.Member, m.Points)));
        Plots = LinkChartPlots.Build(ChartMetrics.For(Kind), Members, Series.From, Series.To);
        Timelines.Clear();
        for (var i = 0; i < Members.Count; i++)
        {
            // After downsampling each point stands for several intervals.
            var all = Series.Members[i].Points.Count;
            var kept = Members[i].Points.Count;
            var factor = kept == 0 ? 1 : Math.Max(1, (all + kept - 1) / kept);
            Timelines[Members[i].Member] = HealthTimeline.Build(Members[i].Points, Series.From, Series.To, Series.Resolution * factor);
        }

        Carrying = ActiveBackup ? CarryingMember(Members) : null;
    }

    /// <summary>Of an active-backup bond, the member that sent the most in the latest point: the one carrying the traffic.</summary>
    public static string? CarryingMember(IReadOnlyList<MemberSeries> members)
    {
        string? carrying = null;
        var most = 0.0;
        foreach (var member in members)
        {
            if (member.Points.Count > 0 && member.Points[^1].TxBitsPerSecond > most)
            {
                most = member.Points[^1].TxBitsPerSecond;
                carrying = member.Member;
            }
        }

        return carrying;
    }

    private IReadOnlyList<HealthTimeline.Segment> Timeline(MemberSeries member) => Timelines.GetValueOrDefault(member.Member) ?? [];

    private string TimelineDescription(MemberSeries member)
    {
        var timeline = Timeline(member);
        if (timeline.Count == 0)
        {
            return $"{member.Member} health: no data in this range";
        }

        var totals = timeline.GroupBy(s => s.Health)
            .Select(g => $"{WireNames.Of(g.Key)} {Units.Duration(TimeSpan.FromTicks(g.Sum(s => (s.End - s.Start).Ticks)))}");
        return $"{member.Member} health over the range: " + string.Join(", ", totals);
    }

    private static long Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds();

    private static string SegmentStyle(HealthTimeline.Segment segment) =>
        string.Create(CultureInfo.InvariantCulture, $"left:{segment.Left * 100:0.###}%;width:{Math.Max(segment.Width * 100, 0.2):0.###}%");

    private string SegmentTitle(HealthTimeline.Segment segment) =>
        $"{WireNames.Of(segment.Health)} from {Zone.FormatTime(segment.Start)} to {Zone.FormatTime(segment.End)}";
}
