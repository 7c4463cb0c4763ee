using System.Text.RegularExpressions;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The overview in Debian's Chromium against the real Api with 1,000 simulated hosts: paging, search and the health,
/// kind and label filters, and all 1,000 hosts on one page; and the enrollment command the settings page shows, run
/// exactly as shown. Every count the tests expect follows from how <c>FleetSeed</c> builds host number h: name
/// <c>edge-hhhh</c>, label <c>site=</c> one of eight sites by h mod 8, two links whose kinds cover all four kinds over
/// two consecutive hosts. The counts are taken under the search <c>edge-</c> so the host the enrollment test adds
/// does not change them; where a test reads which hosts come first it asks for name order (<c>sort=name</c>; the
/// default is problems first).
/// </summary>
[Collection(LargeFleetCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Browser)]
public sealed class LargeFleetTests(LargeFleetFixture fixture)
{
    private const int PageSize = 50;

    [Fact]
    public async Task Overview_ThousandHosts_PagesSearchesAndFilters()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page);
        var table = page.GetByTestId("fleet-table");
        var groups = table.Locator("tbody.host-group");
        var count = page.Locator(".result-count");

        // The snapshot the overview serves is at most a second old: wait until it holds the seeded fleet, its online
        // hosts seen just now (every 50th host is seeded offline).
        await fixture.MarkOnlineHostsSeenAsync();
        await WaitForOverviewAsync(page, "/?q=edge-&sort=name", $"{LargeFleetFixture.Hosts} hosts match", $"{LargeFleetFixture.Hosts - (LargeFleetFixture.Hosts / 50)}/ ");
        await Assertions.Expect(groups).ToHaveCountAsync(PageSize);
        await Assertions.Expect(groups.First).ToHaveAttributeAsync("data-host", "edge-0000");
        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Host pages" });
        await Assertions.Expect(pager).ToContainTextAsync($"Page 1 of {LargeFleetFixture.Hosts / PageSize}");
        await Screenshots.SaveAsync(page, "large-fleet-overview", fullPage: false);

        await pager.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("page=2"));
        await Assertions.Expect(pager).ToContainTextAsync($"Page 2 of {LargeFleetFixture.Hosts / PageSize}");
        await Assertions.Expect(groups.First).ToHaveAttributeAsync("data-host", $"edge-{PageSize:0000}");
        await Assertions.Expect(groups).ToHaveCountAsync(PageSize);

        // Search for one host by name.
        await page.GetByLabel("Search").FillAsync("edge-0777");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("q=edge-0777"));
        await Assertions.Expect(groups).ToHaveCountAsync(1);
        await Assertions.Expect(groups.First).ToHaveAttributeAsync("data-host", "edge-0777");
        await Assertions.Expect(count).ToContainTextAsync("1 host match");

        // Label: h mod 8 = 4 is oslo, 125 of 1,000 hosts; 250 a page.
        await page.GotoAsync(Url("/?q=edge-"));
        await page.GetByLabel("Label").SelectOptionAsync("site=oslo");
        await page.GetByLabel("Per page").SelectOptionAsync("250");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("label=site%3Doslo"));
        await Assertions.Expect(count).ToContainTextAsync("125 hosts match");
        await Assertions.Expect(groups).ToHaveCountAsync(125);
        await Assertions.Expect(pager).ToHaveCountAsync(0);
        Assert.All(await groups.Locator(".label", new() { HasText = "site=" }).AllTextContentsAsync(), label => Assert.Equal("site=oslo", label));

        // Kind: every other host has a teql link (kinds bond+teql, then mptcp+striper).
        await page.GotoAsync(Url("/?q=edge-&kind=teql"));
        await Assertions.Expect(count).ToContainTextAsync($"{LargeFleetFixture.Hosts / 2} hosts match");
        await Assertions.Expect(groups).ToHaveCountAsync(PageSize);
        for (var i = 0; i < PageSize; i += 7)
        {
            await Assertions.Expect(groups.Nth(i).Locator(".kind", new() { HasText = "teql" })).ToHaveCountAsync(1);
        }

        // Health: the seed degrades some members; every host shown has a degraded link, said in words.
        await fixture.MarkOnlineHostsSeenAsync();
        await WaitForOverviewAsync(page, "/?q=edge-&health=degraded", "hosts match", $"{LargeFleetFixture.Hosts - (LargeFleetFixture.Hosts / 50)}/ ");
        await Assertions.Expect(groups.First).ToBeVisibleAsync();
        var shown = await groups.CountAsync();
        for (var i = 0; i < shown; i++)
        {
            await Assertions.Expect(groups.Nth(i).Locator("td .health", new() { HasText = "Degraded" }).First).ToBeVisibleAsync();
        }

        await Screenshots.SaveAsync(page, "large-fleet-degraded", fullPage: false);
    }

    [Fact]
    public async Task Overview_ThousandHostsOnOnePage_RendersEveryHost()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page);

        await WaitForOverviewAsync(page, "/?q=edge-&size=1000&sort=name", $"{LargeFleetFixture.Hosts} hosts match");

        var groups = page.GetByTestId("fleet-table").Locator("tbody.host-group");
        await Assertions.Expect(groups).ToHaveCountAsync(LargeFleetFixture.Hosts);
        await Assertions.Expect(groups.Last).ToHaveAttributeAsync("data-host", $"edge-{LargeFleetFixture.Hosts - 1:0000}");
        Assert.Equal(LargeFleetFixture.Hosts * 2, await page.GetByTestId("fleet-table").Locator("a.link-name").CountAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Host pages" })).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "large-fleet-all", fullPage: false);
    }

    [Fact]
    public async Task Settings_EnrollCommandRunAsShown_EnrollsAHostWithTheToken()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page);
        await page.GotoAsync(Url("/settings"));
        await page.GetByLabel("Description").FillAsync("enrolled by the browser test");
        await page.GetByTestId("create-token").ClickAsync();
        var command = await page.GetByTestId("enroll-command").TextContentAsync() ?? "";
        await Screenshots.SaveAsync(page, "settings-enroll-command");

        // Run the command as shown: fleet-agent is the built agent under dotnet; only the data directory is added
        // (the default is the packaged /var/lib/fleet-agent).
        var words = command.Split(' ');
        Assert.Equal(7, words.Length);
        Assert.Equal(new[] { "fleet-agent", "enroll", "--server", fixture.Api.BaseAddress.ToString().TrimEnd('/'), "--token" }, words[..5]);
        Assert.StartsWith("fleet_e_", words[5], StringComparison.Ordinal);

        // The test Api is served over plain http://: the command says so, as the agent insists.
        Assert.Equal("--allow-insecure-http", words[6]);
        var dataDirectory = Directory.CreateTempSubdirectory("fleet-web-enroll-");
        try
        {
            var result = await ChildProcess.RunAsync(
                "dotnet",
                [typeof(Fleet.Agent.Program).Assembly.Location, .. words[1..], "--data-dir", dataDirectory.FullName],
                TimeSpan.FromSeconds(90));
            Assert.True(result.ExitCode == 0, $"'{command}' exited {result.ExitCode}: {result.Output}");
            Assert.True(File.Exists(Path.Combine(dataDirectory.FullName, "identity.json")), "the agent stored its credential");
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }

        await using (var db = fixture.CreateDbContext())
        {
            var token = await db.EnrollmentTokens.AsNoTracking().SingleAsync(t => t.Description == "enrolled by the browser test", TestContext.Current.CancellationToken);
            Assert.Equal(1, token.UseCount);
        }

        // The token is used up, and the settings page says so.
        await page.GotoAsync(Url("/settings"));
        var row = page.GetByTestId("enrollment-tokens").Locator("tr", new() { HasText = "enrolled by the browser test" });
        await Assertions.Expect(row).ToContainTextAsync("used");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
    }

    private string Url(string path) => new Uri(fixture.Api.BaseAddress, path).ToString();

    private async Task LoginAsync(IPage page)
    {
        await page.GotoAsync(Url("/account/login"));
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(LargeFleetFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/"));
    }

    /// <summary>Reloads <paramref name="path"/> until the result count says <paramref name="expected"/> (and the totals start with <paramref name="online"/>).</summary>
    private async Task WaitForOverviewAsync(IPage page, string path, string expected, string? online = null)
    {
        var count = page.Locator(".result-count");
        var totals = page.GetByTestId("totals").Locator(".total__value").First;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); ;)
        {
            await page.GotoAsync(Url(path));
            var shown = await count.TextContentAsync() ?? "";
            var hostsOnline = await totals.TextContentAsync() ?? "";
            if (shown.Contains(expected, StringComparison.Ordinal) && (online is null || hostsOnline.StartsWith(online, StringComparison.Ordinal)))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the overview never showed '{expected}' and '{online}' hosts online: '{shown}', '{hostsOnline}'");
            await Task.Delay(500);
        }
    }
}
