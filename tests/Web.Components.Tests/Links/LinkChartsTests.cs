using Bunit;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Fleet.Web.Links;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Links;

/// <summary>
/// The link page's charts section: the range selector at once, "Loading the charts…" while the series is read (what a
/// streamed render sends first), then one chart per member, or a word when the range has no samples.
/// </summary>
public sealed class LinkChartsTests : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("0c5e8f4e-3c55-4a8b-9a57-4d2b1f6e7a10");
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private readonly PendingSeriesQuery _query = new();

    public LinkChartsTests()
    {
        Services.AddSingleton<ILinkSeriesQuery>(_query);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/links/{s_linkId}?range=1h");
    }

    [Fact]
    public void Render_SeriesNotReadYet_ShowsTheRangesAndLoading()
    {
        var charts = Render<StreamedLinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour));

        Assert.Equal("Loading the charts…", charts.Find("[data-testid=charts-loading]").TextContent);
        Assert.Equal("status", charts.Find("[data-testid=charts-loading]").GetAttribute("role"));
        Assert.Equal("true", charts.Find("section").GetAttribute("aria-busy"));
        Assert.Equal("1 h", charts.Find(".range__option[aria-current=page]").TextContent);
        Assert.Empty(charts.FindAll("article.live-chart"));
    }

    [Fact]
    public void Render_SeriesRead_OneChartPerMemberAndNoLoading()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), [Member("eth1"), Member("eth2")]));

        charts.WaitForAssertion(() => Assert.Equal(2, charts.FindAll("article.live-chart").Count));
        Assert.Empty(charts.FindAll("[data-testid=charts-loading]"));
        Assert.Null(charts.Find("section").GetAttribute("aria-busy"));
        Assert.Equal(["eth1", "eth2"], charts.FindAll("article.live-chart").Select(a => a.GetAttribute("data-member")));
    }

    [Fact]
    public void Render_NoSamplesInTheRange_SaysSo()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), []));

        charts.WaitForAssertion(() => Assert.Equal("No samples in this range yet.", charts.Find("p.empty").TextContent));
    }

    /// <summary>
    /// Issue 19, stale badges: over the 1 h range a member's chart said Degraded (its last minute's worst health) while
    /// the live view said Up. A past range's chart shows no health badge; the strip under it tells the range's health.
    /// </summary>
    [Fact]
    public void Render_PastRangeEndingDegraded_NoHealthBadgeOnTheChart()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), [Member("eth1", MemberHealth.Degraded)]));

        charts.WaitForAssertion(() => Assert.Single(charts.FindAll("article.live-chart")));
        Assert.Empty(charts.FindAll("[data-chart-health]"));
        Assert.Empty(charts.FindAll("article.live-chart .health"));
    }

    [Fact]
    public void Render_LiveRange_HealthBadgeOfTheLatestSample()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Live));

        _query.Complete(new LinkSeries(ChartRange.Live, s_now.AddMinutes(-15), s_now, TimeSpan.FromSeconds(1), [Member("eth1", MemberHealth.Degraded)]));

        charts.WaitForAssertion(() => Assert.Single(charts.FindAll("article.live-chart")));
        Assert.Equal("warn", charts.Find("[data-chart-health] .health").GetAttribute("data-health"));
        Assert.Contains("Degraded", charts.Find("[data-chart-health] .health").TextContent, StringComparison.Ordinal);
    }

    private static MemberSeries Member(string name, MemberHealth health = MemberHealth.Up) =>
        new(name, [new SeriesPoint(s_now.AddMinutes(-1), 8e6, 4e6, 0, 0, 12, 0, health)]);

    /// <summary>A series query that answers when told to.</summary>
    private sealed class PendingSeriesQuery : ILinkSeriesQuery
    {
        private readonly TaskCompletionSource<LinkSeries?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, CancellationToken cancellationToken) => _answer.Task;

        public void Complete(LinkSeries series) => _answer.SetResult(series);
    }
}
