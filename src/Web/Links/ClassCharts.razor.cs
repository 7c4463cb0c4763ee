using Fleet.Web.Components;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Links;

/// <summary>
/// A striper link's traffic class charts (issue 13): per class, its throughput, what its protection costs (copies and
/// parity as a percentage of its bytes) and its loss after FEC beside what parity recovered. Server-rendered SVG
/// through <see cref="PlotFigure"/>, like the member charts' first frame; read through <see cref="ILinkClassSeriesQuery"/>.
/// </summary>
public partial class ClassCharts
{
    /// <summary>The link.</summary>
    [Parameter, EditorRequired]
    public Guid LinkId { get; set; }

    /// <summary>The range the page shows (the charts cover at most <see cref="ILinkClassSeriesQuery.MaxSpan"/> of it).</summary>
    [Parameter]
    public ChartRange Range { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [Inject]
    private ILinkClassSeriesQuery Query { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    private IReadOnlyList<ClassSeries>? Series { get; set; }

    private IReadOnlyList<ClassChart> Charts { get; set; } = [];

    private TimeSpan Span => ChartRanges.Span(Range) < ILinkClassSeriesQuery.MaxSpan ? ChartRanges.Span(Range) : ILinkClassSeriesQuery.MaxSpan;

    private string SpanText => Span == ILinkClassSeriesQuery.MaxSpan ? "the last hour at most" : $"the last {Units.Duration(Span)}";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var to = Clock.GetUtcNow();
        var from = to - Span;
        Series = await Query.GetClassSeriesAsync(LinkId, from, HttpContext?.RequestAborted ?? CancellationToken.None);
        Charts = [.. Series.Select(s => Build(s, from, to))];
    }

    private ClassChart Build(ClassSeries series, DateTimeOffset from, DateTimeOffset to)
    {
        var points = series.Points;
        var last = points.Count == 0 ? (ClassSeriesPoint?)null : points[^1];
        double Max(Func<ClassSeriesPoint, double> value) => points.Count == 0 ? 0 : points.Max(value);
        string Path(Func<ClassSeriesPoint, double?> value, double max) => ChartPlot.Path(points, p => p.Time, value, from, to, max);
        var throughputMax = Max(p => Math.Max(p.TxBitsPerSecond, p.RxBitsPerSecond));
        var lossMax = Max(p => Math.Max(p.LostPerSecond, p.RecoveredPerSecond));
        ChartPlot[] plots =
        [
            new("class-throughput", "Throughput",
                [new("tx", "tx", Units.BitsPerSecond(last?.TxBitsPerSecond)), new("rx", "rx", Units.BitsPerSecond(last?.RxBitsPerSecond))],
                [new("tx", Path(p => p.TxBitsPerSecond, throughputMax)), new("rx", Path(p => p.RxBitsPerSecond, throughputMax))],
                $"Class {series.Class}: transmit and receive rate"),
            new("class-overhead", "Overhead",
                [new("overhead", "", Units.Percent(last?.OverheadPercent))],
                [new("overhead", Path(p => p.OverheadPercent, Math.Max(1, Max(p => p.OverheadPercent))))],
                $"Class {series.Class}: copies and parity bytes as a percentage of its bytes"),
            new("class-fec", "Lost after FEC",
                [new("tx", "lost", PerSecond(last?.LostPerSecond)), new("rx", "recovered", PerSecond(last?.RecoveredPerSecond))],
                [new("tx", Path(p => p.LostPerSecond, lossMax)), new("rx", Path(p => p.RecoveredPerSecond, lossMax))],
                $"Class {series.Class}: packets lost after FEC and packets recovered from parity, per second"),
        ];
        return new ClassChart(series.Class, series.Action, $"class-{LinkId:N}-{series.Class}", plots);
    }

    private static string PerSecond(double? value) => value is { } v ? Units.Count((long)Math.Round(v)) + " /s" : Units.Unknown;

    private sealed record ClassChart(string Class, string Action, string TitleId, IReadOnlyList<ChartPlot> Plots);
}
