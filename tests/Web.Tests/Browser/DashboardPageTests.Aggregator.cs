using System.Net;
using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 17, the demo's aggregator as a newcomer sees it: each of its three sites is seen at the aggregator (session
    /// and paths, from the aggregator's own samples), and a site's "Charts" draws that site's members alone. The
    /// agent hub once dropped those samples as members the link does not have, and every site read "not reported".
    /// </summary>
    [Fact]
    public async Task DemoAggregator_EverySiteSeenAtTheAggregator_ASitesChartsDrawItsMembersAlone()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = fixture.Api.CreateClient();
        var links = (await admin.GetFromJsonAsync<Page<LinkDto>>("api/v1/links?kind=aggregator", FleetJson.Options, cancel))!.Items;
        var aggregator = Assert.Single(links, l => l.Name == "agg0");
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);

        // The panel reads the aggregator's latest samples when the page renders: wait (through REST, the same read) for
        // the demo's first rounds to be stored, then open the page once.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregator.Id}/sites", FleetJson.Options, cancel))!.Count(s => s.Observed is not null) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the demo's three sites were not seen at the aggregator within 60 s");
            await Task.Delay(500, cancel);
        }

        await page.GotoAsync(Url($"/links/{aggregator.Id}"));
        var sites = page.GetByTestId("aggregator-sites");
        await Assertions.Expect(sites.Locator("tr[data-site]")).ToHaveCountAsync(3);
        foreach (var site in new[] { 1, 2, 3 })
        {
            var row = sites.Locator($"tr[data-site='{site}']");
            await Assertions.Expect(row.Locator("[data-cell=session]")).Not.ToContainTextAsync("not reported");
            await Assertions.Expect(row.Locator("[data-cell=aggregator-paths]")).ToContainTextAsync("/ 2");
        }

        await sites.GetByRole(AriaRole.Link, new() { Name = "Charts of site 1" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("charts-scope")).ToContainTextAsync("Site 1's session and paths");
        var legend = page.Locator(".chart-legend").First;
        await Assertions.Expect(legend.Locator("[data-legend-member='s1.0']")).ToBeVisibleAsync();
        await Assertions.Expect(legend.Locator("[data-legend-member='s1.1']")).ToBeVisibleAsync();
        await Assertions.Expect(legend.Locator("[data-legend-member='s2.0']")).ToHaveCountAsync(0);
        await Assertions.Expect(legend.Locator("[data-legend-member='eth0']")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Issue 17, one form: an aggregator link made on one demo host; on its page an operator adds a site on another
    /// host (its uplinks typed in), which lists with the prefix the Api allocated; the site's own link page names its
    /// aggregator; removing it from the aggregator's page leaves no site, and the site's link is gone.
    /// </summary>
    [Fact]
    public async Task AggregatorPage_AddASiteByTheForm_ListedLinkedBothWaysAndRemoved()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = fixture.Api.CreateClient();
        var hosts = (await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts", FleetJson.Options, cancel))!.Items;
        var (hub, site) = (hosts[0], hosts[1]);
        var siteHost = (await admin.GetFromJsonAsync<HostDto>($"api/v1/hosts/{site.Id}", FleetJson.Options, cancel))!;
        var uplinks = siteHost.Interfaces!.Where(i => i.Name != "lo").Select(i => i.Name).Take(2).ToList();
        var hubHost = (await admin.GetFromJsonAsync<HostDto>($"api/v1/hosts/{hub.Id}", FleetJson.Options, cancel))!;
        var spec = new LinkSpec
        {
            Kind = LinkKind.Aggregator,
            Name = "hub9",
            Members = [new MemberSpec { Interface = hubHost.Interfaces!.First(i => i.Name != "lo").Name, LocalPort = 7400 }],
            Addresses = ["10.120.0.1/16"],
            Aggregator = new AggregatorOptions { PublicAddress = "203.0.113.7" },
        };
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hub.Id, Spec = spec }, FleetJson.Options, cancel);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(cancel));
        var aggregator = (await created.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, cancel))!;
        try
        {
            await using var context = await fixture.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
            await page.GotoAsync(Url($"/links/{aggregator.Id}"));
            var sites = page.GetByTestId("aggregator-sites");
            await Assertions.Expect(sites.GetByTestId("sites-none")).ToBeVisibleAsync();

            await sites.GetByText("Add a site…").ClickAsync();
            await sites.GetByLabel("Host", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = site.Name });
            await sites.GetByLabel("Link name on the host").FillAsync("agg9");
            await sites.GetByLabel("Uplinks").FillAsync(string.Join(", ", uplinks));
            await sites.GetByRole(AriaRole.Button, new() { Name = "Add site" }).ClickAsync();

            await Assertions.Expect(sites.GetByTestId("sites-message")).ToContainTextAsync("Site 1 added");
            var row = sites.Locator("tr[data-site='1']");
            await Assertions.Expect(row).ToContainTextAsync("10.120.0.16/28");
            await Assertions.Expect(row).ToContainTextAsync(site.Name);
            await Assertions.Expect(row.Locator("[data-cell=paths-up]")).ToContainTextAsync($"/ {uplinks.Count}");
            await Screenshots.SaveAsync(page, "aggregator-sites");

            await row.GetByRole(AriaRole.Link, new() { Name = "agg9" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("site-of")).ToContainTextAsync("Site 1 of aggregator hub9");
            await page.GetByTestId("site-of").GetByRole(AriaRole.Link, new() { Name = "hub9" }).ClickAsync();

            await page.GetByTestId("aggregator-sites").GetByRole(AriaRole.Button, new() { Name = "Remove site 1" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("sites-message")).ToContainTextAsync("Site 1 removed");
            await Assertions.Expect(page.GetByTestId("sites-none")).ToBeVisibleAsync();
            var left = await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregator.Id}/sites", FleetJson.Options, cancel);
            Assert.Empty(left!);
        }
        finally
        {
            // The demo fleet is shared by the collection: leave it as it was.
            foreach (var siteId in ((await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregator.Id}/sites", FleetJson.Options, cancel)) ?? []).Select(s => s.SiteId))
            {
                using var _ = await admin.DeleteAsync($"api/v1/links/{aggregator.Id}/sites/{siteId}", cancel);
            }

            using var deleted = await admin.DeleteAsync($"api/v1/links/{aggregator.Id}", cancel);
        }
    }
}
