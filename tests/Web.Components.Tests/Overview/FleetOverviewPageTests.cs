using Bunit;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Fleet.Web.Overview;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Overview;

/// <summary>
/// The overview's totals and rows (issue 19): every count a filter can show is a link to that filter, a zero is
/// neutral, the order and filters of the query string reach the query, the data's age is shown for the live module to
/// count on, and the event cell carries the whole message.
/// </summary>
public sealed class FleetOverviewPageTests : BunitContext
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private readonly RecordingQuery _query = new();

    public FleetOverviewPageTests()
    {
        Services.AddSingleton<IFleetOverviewQuery>(_query);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
    }

    [Fact]
    public void Render_NoLinkDownTwoDegraded_DownCardNeutralDegradedCardWarnsEachLinksToItsFilter()
    {
        _query.Totals = new FleetTotals(3, 3, 4, 2, 2, 0, 7, 8, 1e6, 0, 1);

        var page = Render<FleetOverviewPage>();

        var down = page.Find("[data-total=down]");
        Assert.Equal("a", down.TagName, ignoreCase: true);
        Assert.Equal("/?health=down", down.GetAttribute("href"));
        Assert.Contains("total--zero", down.ClassList);
        Assert.DoesNotContain("total--bad", down.ClassList);
        Assert.Empty(down.QuerySelectorAll(".health"));
        Assert.Equal("■Down", down.QuerySelector(".total-quiet")!.TextContent);
        var degraded = page.Find("[data-total=degraded]");
        Assert.Equal("/?health=degraded", degraded.GetAttribute("href"));
        Assert.Contains("total--warn", degraded.ClassList);
        Assert.NotNull(degraded.QuerySelector(".health.health--warn"));
        Assert.Equal("/?health=healthy", page.Find("[data-total=healthy]").GetAttribute("href"));
        Assert.Equal("/?rollout=failed", page.Find("[data-total=rollouts-failed]").GetAttribute("href"));
        Assert.Contains("total--warn", page.Find("[data-total=rollouts-failed]").ClassList);
        Assert.Equal("/?rollout=in_progress", page.Find("[data-total=rollouts-in-progress]").GetAttribute("href"));
    }

    [Fact]
    public void Render_NoSortInTheQuery_AsksForProblemsFirst()
    {
        Render<FleetOverviewPage>();

        Assert.Equal(OverviewSort.Problems, _query.Filter!.Sort);
        Assert.Null(_query.Filter.Rollout);
    }

    [Fact]
    public void Render_SortByNameAndFailedRollouts_PassedToTheQueryAndKeptInTheForm()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/?sort=name&rollout=failed&health=down");

        var page = Render<FleetOverviewPage>();

        Assert.Equal(OverviewSort.Name, _query.Filter!.Sort);
        Assert.Equal(RolloutFilter.Failed, _query.Filter.Rollout);
        Assert.Equal(LinkHealth.Down, _query.Filter.Health);
        Assert.Equal("failed", page.Find("form.filters input[name=rollout]").GetAttribute("value"));
        Assert.NotNull(page.Find("#f-sort option[value=name][selected]"));
        Assert.Equal("true", page.Find("[data-total=down]").GetAttribute("aria-current"));
        Assert.Contains("with a failed rollout", page.Find(".result-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SnapshotSevenSecondsOld_SaysSoAndHandsTheAgeToTheLiveModule()
    {
        _query.TakenAt = s_now.AddSeconds(-7);

        var page = Render<FleetOverviewPage>();

        var age = page.Find("[data-overview-age]");
        Assert.Equal("7000", age.GetAttribute("data-overview-age"));
        Assert.Equal("7 s ago", age.TextContent.Trim());
        Assert.Equal(FleetOverviewPage.LiveModule, page.Find("[data-testid=overview]").GetAttribute("data-fleet-module"));
        Assert.Equal(["totals", "totals-line", "count", "hosts"], page.FindAll("[data-overview-part]").Select(p => p.GetAttribute("data-overview-part")));
    }

    [Fact]
    public void Render_LongEventMessage_WholeMessageInTheCell()
    {
        var message = "bond0: member eth2 is down (carrier lost on the switch side; the partner stopped sending LACPDUs 3 s ago)";
        _query.Hosts =
        [
            new HostSummary(Guid.NewGuid(), "edge-1", [], true, s_now, LinkHealth.Degraded,
            [
                new LinkSummary(Guid.NewGuid(), "bond0", LinkKind.Bond, LinkPhase.Applied, LinkHealth.Degraded, 1e6, 1, 2, 0, 0,
                    new EventSummary(s_now.AddMinutes(-5), EventSeverity.Error, "member_down", message)),
            ]),
        ];

        var page = Render<FleetOverviewPage>();

        Assert.Equal(message, page.Find(".last-event__message").TextContent);
        Assert.Equal("member_down", page.Find(".last-event .severity--error").TextContent);
    }

    [Fact]
    public void Render_LinkWithATrend_SparklineUnderTheThroughputAndAHealthStripUnderTheBadge()
    {
        double?[] throughput = [null, null, null, null, null, null, null, null, null, null, null, 2e6, 4e6, null, 1e6];
        var health = throughput.Select(v => v is null ? LinkHealth.Unknown : LinkHealth.Healthy).ToArray();
        health[12] = LinkHealth.Down;
        _query.Hosts = [Host(new LinkSummary(Guid.NewGuid(), "str0", LinkKind.Striper, LinkPhase.Applied, LinkHealth.Healthy, 1e6, 2, 2, 0.4, 3, null)
        {
            Trend = new LinkTrend(s_now.AddMinutes(-15), throughput, health),
        })];

        var page = Render<FleetOverviewPage>();

        // Slots 11, 12, 14 at 2, 4 and 1 Mbit/s against the peak of 4: the view box is 14 × 10, the peak at the top.
        Assert.Equal("11,5.5 12,1 14,7.75", page.Find("[data-testid=sparkline] polyline").GetAttribute("points"));
        var strip = page.Find("[data-cell=health] [data-testid=health-strip]");
        Assert.Contains("var(--bad) 80% 86.67%", strip.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal("Last 15 minutes: unknown 12 min, healthy 2 min, down 1 min", strip.GetAttribute("aria-label"));
        Assert.DoesNotContain("loss--warn", page.Find("[data-cell=loss]").ClassList);
    }

    [Fact]
    public void Render_LossAboveTheWarningThresholdAndNoTrend_LossWarnsNoSparkline()
    {
        _query.Hosts = [Host(new LinkSummary(Guid.NewGuid(), "bond0", LinkKind.Bond, LinkPhase.Applied, LinkHealth.Degraded, 1e6, 2, 2, 2.5, 0, null))];

        var page = Render<FleetOverviewPage>();

        Assert.Contains("loss--warn", page.Find("[data-cell=loss]").ClassList);
        Assert.Empty(page.FindAll("[data-testid=sparkline]"));
        Assert.Empty(page.FindAll("[data-testid=health-strip]"));
    }

    [Fact]
    public void Render_AggregationColumn_RatioWithItsNumbersOrADash()
    {
        var measured = new LinkSummary(Guid.NewGuid(), "str0", LinkKind.Striper, LinkPhase.Applied, LinkHealth.Healthy, 60e6, 2, 2, 0, 0, null)
        {
            Aggregation = new Fleet.Contracts.Doctor.AggregationRatio(0.8, 48e6, 60e6),
        };
        var unmeasured = new LinkSummary(Guid.NewGuid(), "bond0", LinkKind.Bond, LinkPhase.Applied, LinkHealth.Healthy, 1e6, 2, 2, 0, 0, null);
        _query.Hosts = [Host(measured, unmeasured)];

        var page = Render<FleetOverviewPage>();

        var cells = page.FindAll("[data-cell=aggregation]");
        Assert.Equal(["80 %", "–"], cells.Select(c => c.TextContent));
        Assert.Equal("48.0 Mbit/s sent of 60.0 Mbit/s the paths carry (latest speed test)", cells[0].GetAttribute("title"));
        Assert.Contains("needs a speed test", cells[1].GetAttribute("title"), StringComparison.Ordinal);
        Assert.Contains("Aggregation", page.FindAll("thead th").Select(th => th.TextContent));
    }

    [Theory]
    [InlineData("/", "comfortable")]
    [InlineData("/?size=250", "compact")]
    [InlineData("/?size=1000&density=comfortable", "comfortable")]
    [InlineData("/?density=compact", "compact")]
    public void Render_Density_CompactForLargePagesUnlessAskedOtherwise(string url, string density)
    {
        _query.Hosts = [Host(new LinkSummary(Guid.NewGuid(), "bond0", LinkKind.Bond, LinkPhase.Applied, LinkHealth.Healthy, 1e6, 2, 2, 0, 0, null))];
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);

        var page = Render<FleetOverviewPage>();

        Assert.Equal(density, page.Find("[data-testid=fleet-table]").GetAttribute("data-density"));
        Assert.Equal(density == "compact", page.Find("[data-testid=fleet-table]").ClassList.Contains("fleet-table--compact"));
        Assert.Equal(density, page.Find("#f-density option[selected]").GetAttribute("value"));
    }

    private static HostSummary Host(params LinkSummary[] links) => new(Guid.NewGuid(), "edge-1", [], true, s_now, links[0].Health, links);

    private sealed class RecordingQuery : IFleetOverviewQuery
    {
        public FleetTotals Totals { get; set; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public IReadOnlyList<HostSummary> Hosts { get; set; } = [];

        public DateTimeOffset TakenAt { get; set; } = s_now;

        public OverviewFilter? Filter { get; private set; }

        public Task<FleetOverview> GetOverviewAsync(OverviewFilter filter, CancellationToken cancellationToken)
        {
            Filter = filter;
            return Task.FromResult(new FleetOverview(Totals, Hosts, Hosts.Count, [], s_now, TakenAt));
        }
    }
}
