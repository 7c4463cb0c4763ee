using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Links;

/// <summary>
/// The link page's charts: the range selector and the <see cref="LinkChartBoard"/> of every member's series, read through
/// <see cref="ILinkSeriesQuery"/>, the slowest query of the page (a day of 1-minute rollups per member). Of an aggregator,
/// the aggregator and its sites' sum, or one site's members (<see cref="SiteId"/>, chosen in the Sites panel). Rendered
/// whole with the page, or streamed after it as <see cref="StreamedLinkCharts"/>.
/// </summary>
public partial class LinkCharts
{
    /// <summary>The link.</summary>
    [Parameter, EditorRequired]
    public Guid LinkId { get; set; }

    /// <summary>The range shown.</summary>
    [Parameter]
    public ChartRange Range { get; set; }

    /// <summary>The link's kind: which metrics apply.</summary>
    [Parameter]
    public LinkKind Kind { get; set; }

    /// <summary>An active-backup bond: the charts say which member carries the traffic.</summary>
    [Parameter]
    public bool ActiveBackup { get; set; }

    /// <summary>Of an aggregator link, the site whose members alone are drawn; null for the aggregator and its sites' sum.</summary>
    [Parameter]
    public int? SiteId { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [Inject]
    private ILinkSeriesQuery SeriesQuery { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private LinkSeries? Series { get; set; }

    private string? Busy => Series is null ? "true" : null;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        Series = null;

        // Let a streamed render send the page before the query starts, whatever the database provider: SQLite's
        // "async" reads complete synchronously and would hold the whole page back. (A render that is not streamed
        // waits for the query either way.)
        await Task.Yield();
        Series = await SeriesQuery.GetSeriesAsync(LinkId, Range, SiteId, HttpContext?.RequestAborted ?? CancellationToken.None);
    }

    private bool ForAggregator => Kind == LinkKind.Aggregator;

    // What the live charts draw, so the hub sends only that: an aggregator's own member and its sites' sum, or one site's
    // members; any other link's every member.
    private LiveLinkView? LiveView => (ForAggregator, SiteId) switch
    {
        (true, { } site) => new LiveLinkView { Site = site },
        (true, null) => new LiveLinkView { Own = true, AllSites = true },
        (false, _) => null,
    };

    private string Title => ForAggregator && SiteId is { } site ? $"Charts of site {site}" : "Charts";

    private string AllSitesHref => Navigation.GetUriWithQueryParameter("site", (int?)null);

    private string RangeHref(ChartRange range) =>
        Navigation.GetUriWithQueryParameter("range", range == ChartRange.Live ? null : ChartRanges.Key(range));
}

/// <summary>
/// <see cref="LinkCharts"/> with streaming rendering: the page goes out with "Loading the charts…" and the charts follow
/// in the same response when the series is read. Only for enhanced navigation (<see cref="EnhancedNavigation"/>):
/// Blazor's script, which asked for the page, puts the streamed part in place; a full page load (first visit, no
/// script) gets the charts in the page itself, so it is useful before any script runs.
/// </summary>
[StreamRendering]
public sealed class StreamedLinkCharts : LinkCharts;
