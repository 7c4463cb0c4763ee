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
/// streamed render sends first), then one panel per metric with a line per member, or a word when the range has no samples.
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
        Assert.Empty(charts.FindAll("[data-testid=chart-board]"));
    }

    [Fact]
    public void Render_SeriesRead_OnePanelPerMetricWithOneLinePerMemberAndNoLoading()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour).Add(x => x.Kind, LinkKind.Striper));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), [Member("eth1"), Member("eth2", tx: 2e6)]));

        charts.WaitForAssertion(() => Assert.Single(charts.FindAll("[data-testid=chart-board]")));
        Assert.Empty(charts.FindAll("[data-testid=charts-loading]"));
        Assert.Null(charts.Find("section").GetAttribute("aria-busy"));
        Assert.Equal(["total", "tx", "rx", "drops", "reorder", "rtt", "loss"],
            charts.FindAll(".chart-board__plots figure.plot").Select(f => f.GetAttribute("data-metric")));
        foreach (var metric in new[] { "tx", "rx", "drops", "reorder", "rtt", "loss" })
        {
            Assert.Equal(["eth1", "eth2"], charts.FindAll($"figure[data-metric={metric}] path.plot__line").Select(p => p.GetAttribute("data-member")));
        }

        // Each member has its colour, the same in the legend, the lines and the values.
        Assert.Equal(["plot__line plot__line--m0", "plot__line plot__line--m1"], charts.FindAll("figure[data-metric=tx] path").Select(p => p.ClassName));
        Assert.Equal(["eth1", "eth2"], charts.FindAll("[data-legend-member]").Select(b => b.GetAttribute("data-legend-member")));
        Assert.Equal("eth2 2.00 Mbit/s", charts.Find("figure[data-metric=tx] [data-member=eth2][data-value-of=tx]").TextContent.Trim());

        // The total on top is the members' sum; one health strip per member.
        Assert.Equal("tx 10.0 Mbit/s", charts.Find("figure[data-metric=total] [data-value-of=tx]").TextContent.Trim());
        Assert.Equal(["eth1", "eth2"], charts.FindAll(".health-strip").Select(s => s.GetAttribute("data-member")));
        Assert.Empty(charts.FindAll("[data-carrying]"));
    }

    [Theory]
    [InlineData(LinkKind.Bond)]
    [InlineData(LinkKind.Teql)]
    [InlineData(LinkKind.Mptcp)]
    public void Render_KindThatDoesNotResequence_NoReorderPanel(LinkKind kind)
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour).Add(x => x.Kind, kind));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), [Member("eth1")]));

        charts.WaitForAssertion(() => Assert.Single(charts.FindAll("[data-testid=chart-board]")));
        Assert.Equal(["total", "tx", "rx", "drops", "rtt", "loss"], charts.FindAll(".chart-board__plots figure.plot").Select(f => f.GetAttribute("data-metric")));
    }

    [Fact]
    public void Render_ActiveBackupBond_TheLegendSaysWhichMemberCarriesTheTraffic()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Live)
            .Add(x => x.Kind, LinkKind.Bond).Add(x => x.ActiveBackup, true));

        _query.Complete(new LinkSeries(ChartRange.Live, s_now.AddMinutes(-15), s_now, TimeSpan.FromSeconds(1), [Member("eth1", tx: 0), Member("eth2", tx: 9e6)]));

        charts.WaitForAssertion(() => Assert.Equal(2, charts.FindAll("[data-carrying]").Count));
        Assert.True(charts.Find("[data-legend-member=eth1] [data-carrying]").HasAttribute("hidden"));
        Assert.False(charts.Find("[data-legend-member=eth2] [data-carrying]").HasAttribute("hidden"));
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
    /// the live view said Up. The charts carry no health badge; the strips tell the range's health, the members table
    /// the health now.
    /// </summary>
    [Fact]
    public void Render_PastRangeEndingDegraded_NoHealthBadgeOnTheCharts()
    {
        var charts = Render<LinkCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Hour));

        _query.Complete(new LinkSeries(ChartRange.Hour, s_now.AddHours(-1), s_now, TimeSpan.FromMinutes(1), [Member("eth1", MemberHealth.Degraded)]));

        charts.WaitForAssertion(() => Assert.Single(charts.FindAll("[data-testid=chart-board]")));
        Assert.Empty(charts.FindAll("[data-testid=chart-board] .health"));
        Assert.Single(charts.FindAll(".health-strip .timeline__segment--degraded"));
    }

    private static MemberSeries Member(string name, MemberHealth health = MemberHealth.Up, double tx = 8e6) =>
        new(name, [new SeriesPoint(s_now.AddMinutes(-1), tx, 4e6, 0, 0, 12, 0, health)]);

    /// <summary>A series query that answers when told to.</summary>
    private sealed class PendingSeriesQuery : ILinkSeriesQuery
    {
        private readonly TaskCompletionSource<LinkSeries?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, int? siteId, CancellationToken cancellationToken) => _answer.Task;

        public void Complete(LinkSeries series) => _answer.SetResult(series);
    }
}
