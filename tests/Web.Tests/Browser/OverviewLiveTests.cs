using System.Text.RegularExpressions;
using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The overview's "problems first, live" (issue 19) against the real Api, its demo fleet and one more simulated host
/// whose members the test cuts: the row and the totals change without a reload, the host moves to the top, the age of
/// the data ticks, each total card filters, and the row's event is the worst recent one, shown whole.
/// </summary>
[Collection(DashboardCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Browser)]
public sealed class OverviewLiveTests(DashboardFixture fixture)
{
    private const string SetMarkScript = "() => { window.fleetNavigationMark = 'this document'; }";
    private const string ReadMarkScript = "() => window.fleetNavigationMark ?? 'reloaded'";

    [Fact]
    public async Task Overview_SimulatedMembersGoDown_RowTotalsAndOrderChangeWithoutReload()
    {
        await using var extra = await SimulatedExtraHost.StartAsync(fixture);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var group = page.Locator($"tbody.host-group[data-host='{extra.Name}']");
        await Assertions.Expect(group.Locator("td .health")).ToHaveTextAsync(new Regex("Healthy$"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");
        await page.EvaluateAsync(SetMarkScript);

        extra.SetMembersDown(true);

        // Pushed: the row says Down, the host is among the first (problems first: Down before everything), the Down
        // total counts it and is coloured, all in this document.
        await Assertions.Expect(group.Locator("td .health")).ToHaveTextAsync(new Regex("Down$"), new() { Timeout = 15_000 });
        await Assertions.Expect(group.Locator("td[data-cell=members]")).ToHaveTextAsync("0 / 2");
        var down = page.Locator("[data-total=down]");
        await Assertions.Expect(down).ToHaveClassAsync(new Regex(@"\btotal--bad\b"));
        Assert.True(int.Parse(await down.Locator(".total__value").TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 1);
        AssertProblemsFirst(await HostProblemsAsync(page), extra.Name);
        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
        await Screenshots.SaveAsync(page, "overview-live-down");

        // Back up: healthy again, but the row keeps showing the worst recent event (the member going down), whole.
        extra.SetMembersDown(false);
        await Assertions.Expect(group.Locator("td .health")).ToHaveTextAsync(new Regex("Healthy$"), new() { Timeout = 15_000 });
        var shown = group.Locator("td.last-event");
        await Assertions.Expect(shown.Locator(".severity")).ToHaveTextAsync("member_down", new() { Timeout = 10_000 });
        var message = shown.Locator(".last-event__message");
        Assert.True(await message.EvaluateAsync<bool>("m => m.scrollWidth <= m.clientWidth + 1 && m.scrollHeight <= m.clientHeight + 1"), "the event's message is clipped");
        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
    }

    /// <summary>
    /// Issue 19: a 15-minute sparkline under each link's throughput and a health strip under its badge. The demo's own
    /// rollups take minutes to appear, so the test writes a quarter hour of them for one link (as a member of its own
    /// name, clear of the demo's rows) into the Api's database.
    /// </summary>
    [Fact]
    public async Task Overview_LinkWithRollups_SparklineAndHealthStripInItsRow()
    {
        var (linkId, _) = (await fixture.LinksAsync(Fleet.Contracts.Links.LinkKind.Teql))[0];
        var minute = DateTime.UtcNow;
        minute = new DateTime(minute.Ticks - (minute.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        await using (var db = fixture.CreateDbContext())
        {
            for (var i = 1; i <= 15; i++)
            {
                db.SampleMinutes.Add(new Fleet.Api.Data.Entities.SampleMinuteEntity
                {
                    LinkId = linkId,
                    Member = "trend-test",
                    BucketStart = minute.AddMinutes(-i),
                    SampleCount = 60,
                    IntervalMsSum = 60_000,
                    TxBytes = 750_000L * (i % 5 + 1),
                    HealthWorst = i == 4 ? Fleet.Contracts.Links.MemberHealth.Down : Fleet.Contracts.Links.MemberHealth.Up,
                });
            }

            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);

        var row = page.Locator("tr", new() { Has = page.Locator($"a.link-name[href='/links/{linkId}']") });
        var spark = row.GetByTestId("sparkline").Locator("polyline");
        await Assertions.Expect(spark).ToHaveAttributeAsync("points", new Regex(@"^\d+,[\d.]+( \d+,[\d.]+){13,14}$"));
        // The minute of the down member: Down alone, Degraded when the demo's own members were rolled up for it too; in
        // slot 11, or 10 when a new minute began between writing the rows and rendering the page (as do the 15 points
        // above, or 14 when the minute under way has nothing rolled up yet).
        await Assertions.Expect(row.GetByTestId("health-strip")).ToHaveAttributeAsync("style", new Regex(@"var\(--(bad|warn)\) (66.67% 73.33%|73.33% 80%)"));
        await Screenshots.SaveAsync(page, "overview-trends");
    }

    [Fact]
    public async Task Overview_TotalCards_EachFiltersTheListThroughTheQueryString()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var count = page.Locator(".result-count");

        foreach (var (card, query, health) in new[] { ("healthy", "health=healthy", "healthy"), ("degraded", "health=degraded", "degraded"), ("down", "health=down", "down") })
        {
            await page.Locator($"[data-total={card}]").ClickAsync();
            await page.WaitForURLAsync(new Regex($@"/\?{query}$"));
            await Assertions.Expect(page.Locator("main")).Not.ToHaveAttributeAsync("aria-busy", "true");
            await Assertions.Expect(page.GetByLabel("Health", new() { Exact = true })).ToHaveValueAsync(health);
            await Assertions.Expect(page.Locator($"[data-total={card}]")).ToHaveAttributeAsync("aria-current", "true");
            await Assertions.Expect(count).ToContainTextAsync("match");
        }

        await page.Locator("[data-total=rollouts-failed]").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/\?rollout=failed$"));
        await Assertions.Expect(count).ToContainTextAsync("with a failed rollout");

        // The filter form keeps the card's filter and adds its own.
        await page.GetByLabel("Order").SelectOptionAsync("name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("rollout=failed"));
        Assert.Contains("sort=name", page.Url, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "overview-filter-card");
    }

    [Fact]
    public async Task Overview_ConnectionCut_UpdatedAgeKeepsCountingThenFreshAgain()
    {
        await using var proxy = LoopbackProxy.Start(fixture.Api.Port);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, proxy.BaseAddress);
        var status = page.Locator("[data-fleet-live-status]");
        await Assertions.Expect(status).ToHaveTextAsync("Live");
        var age = page.GetByTestId("updated");

        proxy.Cut();

        // Nothing new can arrive: the age of what is shown counts on, second by second, in this document.
        await Assertions.Expect(status).ToHaveTextAsync("Reconnecting…", new() { Timeout = 10_000 });
        await page.EvaluateAsync(SetMarkScript);
        await AssertAgeTicksAsync(age);
        await Screenshots.SaveAsync(page, "overview-stale");

        proxy.Resume();

        // Back: the page fetches what it missed at once.
        await Assertions.Expect(status).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await Assertions.Expect(age).ToHaveTextAsync(new Regex("^(just now|[1-4] s ago)$"), new() { Timeout = 10_000 });
        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
    }

    /// <summary>Each host group's most urgent problem as the page shows it (the order the overview promises).</summary>
    private static async Task<IReadOnlyList<(string Host, int Rank)>> HostProblemsAsync(IPage page) =>
        (await page.Locator("tbody.host-group").EvaluateAllAsync<string[]>(
            """
            groups => groups.map(g => {
              const healths = [...g.querySelectorAll("td .health")].map(h => h.dataset.health);
              const phases = [...g.querySelectorAll("td [data-testid=phase]")].map(p => p.dataset.phase);
              const offline = !!g.querySelector(".host-cell__state .muted");
              const rank = healths.includes("bad") ? 0
                : phases.some(p => p === "Failed" || p === "RolledBack") ? 1
                : healths.includes("warn") ? 2
                : offline ? 3 : 4;
              return `${rank}|${g.dataset.host}`;
            })
            """)).Select(p => (p[2..], p[0] - '0')).ToList();

    private static void AssertProblemsFirst(IReadOnlyList<(string Host, int Rank)> hosts, string downHost)
    {
        for (var i = 1; i < hosts.Count; i++)
        {
            Assert.True(hosts[i - 1].Rank <= hosts[i].Rank, $"not problems first: {string.Join(", ", hosts)}");
        }

        Assert.Contains((downHost, 0), hosts);
    }

    private static async Task AssertAgeTicksAsync(ILocator age)
    {
        var deadline = DateTime.UtcNow.AddSeconds(12);
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            var text = (await age.TextContentAsync() ?? "").Trim();
            if (seen.Count == 0 || seen[^1] != text)
            {
                seen.Add(text);
            }

            for (var i = 1; i < seen.Count; i++)
            {
                if (Seconds(seen[i - 1]) is { } before && Seconds(seen[i]) == before + 1)
                {
                    return;
                }
            }

            await Task.Delay(150);
        }

        Assert.Fail($"the age did not tick: {string.Join(" → ", seen)}");
    }

    private static int? Seconds(string text) =>
        Regex.Match(text, @"^(\d+) s ago$") is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
