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

    private static MemberSeries Member(string name) =>
        new(name, [new SeriesPoint(s_now.AddMinutes(-1), 8e6, 4e6, 0, 0, 12, 0, MemberHealth.Up)]);

    /// <summary>A series query that answers when told to.</summary>
    private sealed class PendingSeriesQuery : ILinkSeriesQuery
    {
        private readonly TaskCompletionSource<LinkSeries?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, CancellationToken cancellationToken) => _answer.Task;

        public void Complete(LinkSeries series) => _answer.SetResult(series);
    }
}
