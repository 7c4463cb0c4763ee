using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Aggregators;
using Fleet.Web.Formatting;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Web.Components.Tests.Aggregators;

/// <summary>
/// The aggregator's Sites panel shows each site as the aggregator sees it beside its own agent's view: the session and
/// since when, the paths up at the aggregator (each path's RTT and loss in the cell's title) and the throughput
/// received and sent; a site the aggregator has not reported says so.
/// </summary>
public sealed class AggregatorSitesPanelTests : BunitContext
{
    private static readonly Guid s_aggregator = Guid.Parse("0c1d2e3f-4051-4b6c-8d7e-8f90a1b2c3d4");
    private readonly FixedSites _sites = new();

    public AggregatorSitesPanelTests()
    {
        Services.AddSingleton<IAggregatorSites>(_sites);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton(TimeProvider.System);
    }

    [Fact]
    public void Sites_SessionPathsAndThroughputAtTheAggregator_BesideTheSitesOwnView()
    {
        var since = new DateTimeOffset(2026, 12, 7, 14, 5, 9, TimeSpan.Zero);
        _sites.Rows =
        [
            Row(1, membersUp: 2, new AggregatorSiteObservedDto
            {
                Time = since.AddHours(1),
                SessionEstablished = true,
                SessionSince = since,
                RxBitsPerSecond = 12_500_000,
                TxBitsPerSecond = 2_000_000,
                Paths =
                [
                    new AggregatorSitePathDto { Index = 0, Health = MemberHealth.Up, RttMs = 12.5, LossPercent = 0 },
                    new AggregatorSitePathDto { Index = 1, Health = MemberHealth.Down },
                ],
            }),
            Row(2, membersUp: 0, new AggregatorSiteObservedDto { Time = since, SessionEstablished = false, Paths = [new AggregatorSitePathDto { Index = 0, Health = MemberHealth.Down }] }),
            Row(3, membersUp: 0, null),
        ];

        var panel = Render<AggregatorSitesPanel>(p => p.Add(x => x.LinkId, s_aggregator));

        var headers = panel.FindAll("[data-testid=sites] th").Select(h => h.TextContent.Trim()).ToList();
        Assert.Contains("Session", headers);
        Assert.Contains("Paths up (aggregator)", headers);
        Assert.Contains("Rx / Tx", headers);

        var first = panel.Find("tr[data-site='1']");
        Assert.Equal("2 / 2", first.QuerySelector("[data-cell=paths-up]")!.TextContent.Trim());
        var session = first.QuerySelector("[data-cell=session]")!;
        Assert.Equal("ok", session.QuerySelector("[data-health]")!.GetAttribute("data-health"));
        Assert.Contains("Established", session.TextContent, StringComparison.Ordinal);
        Assert.Equal("2026-12-07T14:05:09.000Z", session.QuerySelector("time")!.GetAttribute("datetime"));
        var paths = first.QuerySelector("[data-cell=aggregator-paths]")!;
        Assert.Equal("1 / 2", paths.TextContent.Trim());
        Assert.StartsWith("path 0: up, 12.5 ms", paths.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Contains("path 1: down", paths.GetAttribute("title"), StringComparison.Ordinal);
        var throughput = first.QuerySelector("[data-cell=throughput]")!.TextContent.Trim();
        Assert.Equal($"{Units.BitsPerSecond(12_500_000)} / {Units.BitsPerSecond(2_000_000)}", throughput);

        var second = panel.Find("tr[data-site='2'] [data-cell=session]");
        Assert.Equal("bad", second.QuerySelector("[data-health]")!.GetAttribute("data-health"));
        Assert.Contains("No session", second.TextContent, StringComparison.Ordinal);
        Assert.Null(second.QuerySelector("time"));

        Assert.Equal("not reported", panel.Find("tr[data-site='3'] [data-cell=session]").TextContent.Trim());
    }

    [Fact]
    public void Sites_Hundreds_ProblemsFirstAPageAtATimeEachWithItsCharts()
    {
        var up = new AggregatorSiteObservedDto { Time = DateTimeOffset.UnixEpoch, SessionEstablished = true, Paths = [new AggregatorSitePathDto { Index = 0, Health = MemberHealth.Up }] };
        _sites.Rows =
        [
            .. Enumerable.Range(1, 300).Select(id => id switch
            {
                250 => Row(id, membersUp: 0, up with { SessionEstablished = false }),
                120 => Row(id, membersUp: 2, null),
                77 => Row(id, membersUp: 1, up),
                _ => Row(id, membersUp: 2, up with { RxBitsPerSecond = id * 1_000 }),
            }),
        ];

        var panel = Render<AggregatorSitesPanel>(p => p.Add(x => x.LinkId, s_aggregator).Add(x => x.SelectedSite, 250));

        // Down, then degraded, then not reported, then the rest by id; 25 a page.
        var rows = panel.FindAll("[data-testid=sites] tbody tr");
        Assert.Equal(AggregatorSitesPanel.PageSize, rows.Count);
        Assert.Equal(["250", "77", "120", "1", "2"], rows.Take(5).Select(r => r.GetAttribute("data-site")));
        Assert.Equal(["down", "degraded", "not-reported", "none"], rows.Take(4).Select(r => r.GetAttribute("data-problem")));
        Assert.Equal("true", rows[0].GetAttribute("aria-current"));
        Assert.EndsWith("site=250", rows[0].QuerySelector("[data-cell=charts]")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("Page 1 of 12", panel.Find("nav.pager").TextContent, StringComparison.Ordinal);
        Assert.Contains("sites-page=2", panel.Find("nav.pager a[rel=next]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("300 site(s)", panel.Find("[data-testid=sites-summary]").TextContent, StringComparison.Ordinal);
        Assert.Contains("3 with a problem", panel.Find("[data-testid=sites-summary]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Sites_BusiestFirst_SecondPage()
    {
        _sites.Rows = [.. Enumerable.Range(1, 60).Select(id => Row(id, membersUp: 2, new AggregatorSiteObservedDto { Time = DateTimeOffset.UnixEpoch, SessionEstablished = true, TxBitsPerSecond = id * 1_000 }))];
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/links/{s_aggregator}?sites-sort=throughput&sites-page=2");

        var panel = Render<AggregatorSitesPanel>(p => p.Add(x => x.LinkId, s_aggregator));

        var rows = panel.FindAll("[data-testid=sites] tbody tr");
        Assert.Equal(["35", "34"], rows.Take(2).Select(r => r.GetAttribute("data-site")));
        Assert.Equal("page", panel.Find("a[data-sort=throughput]").GetAttribute("aria-current"));
    }

    [Theory]
    [InlineData(DashboardRoles.Operator, true)]
    [InlineData(DashboardRoles.Viewer, false)]
    public void EditForm_OperatorsChooseASiteByItsHostAndUplinks(string role, bool shown)
    {
        _sites.Rows = [Row(1, membersUp: 2, null) with { Interfaces = ["eth1", "wwan0"] }, Row(2, membersUp: 0, null)];
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test"));

        var panel = Render<AggregatorSitesPanel>(p => p.AddCascadingValue(new DefaultHttpContext { User = user }).Add(x => x.LinkId, s_aggregator));

        var forms = panel.FindAll("[data-testid=site-edit-form]");
        if (!shown)
        {
            Assert.Empty(forms);
            return;
        }

        var options = Assert.Single(forms).QuerySelectorAll("select[name='Edit.SiteId'] option");
        Assert.Equal(["1", "2"], options.Select(o => o.GetAttribute("value")));
        Assert.Equal(["1: site-1 (eth1, wwan0)", "2: site-2"], options.Select(o => o.TextContent));
        Assert.NotNull(panel.Find("[data-testid=site-edit-form] input[name='Edit.Interfaces']"));
    }

    private static AggregatorSiteRow Row(int siteId, int membersUp, AggregatorSiteObservedDto? seen) =>
        new(siteId, $"10.100.0.{siteId * 16}/28", $"10.100.0.{(siteId * 16) + 1}/16", Guid.NewGuid(), "agg0", Guid.NewGuid(), $"site-{siteId}", LinkPhase.Applied, membersUp, 2, seen);

    private sealed class FixedSites : IAggregatorSites
    {
        public IReadOnlyList<AggregatorSiteRow> Rows { get; set; } = [];

        public Task<IReadOnlyList<AggregatorSiteRow>> SitesAsync(Guid aggregatorId, CancellationToken cancellationToken) => Task.FromResult(Rows);

        public Task<IReadOnlyList<SiteHostChoice>> CandidateHostsAsync(Guid aggregatorId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SiteHostChoice>>([]);

        public Task<SiteChange> AddAsync(Guid aggregatorId, Guid hostId, string name, IReadOnlyList<string> interfaces, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not in these tests");

        public Task<SiteChange> EditAsync(Guid aggregatorId, int siteId, IReadOnlyList<string> interfaces, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not in these tests");

        public Task<SiteChange> RemoveAsync(Guid aggregatorId, int siteId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not in these tests");

        public Task<SiteOf?> SiteOfAsync(Guid linkId, CancellationToken cancellationToken) => Task.FromResult<SiteOf?>(null);
    }
}
