using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// Blazor's enhanced navigation against the real Api and its demo fleet: clicking links and posting forms merges the
/// next page into the document (no page load: a mark left on <c>window</c> survives),
/// the live ES modules follow (started on the new page's elements, stopped when theirs leave, the one live connection
/// kept from the link page to the live overview and the event log, and closed when nothing on the page is live), and the link page streams its charts after the page.
/// </summary>
[Collection(DashboardCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Browser)]
public sealed class EnhancedNavigationTests(DashboardFixture fixture)
{
    private const string SetMarkScript = "() => { window.fleetNavigationMark = 'this document'; }";
    private const string ReadMarkScript = "() => window.fleetNavigationMark ?? 'reloaded'";

    [Fact]
    public async Task Links_OverviewToLinkAndBack_NoReloadAndTheChartStillGetsLiveSamples()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[1].Id;
        await page.EvaluateAsync(SetMarkScript);

        for (var visit = 1; visit <= 2; visit++)
        {
            await page.Locator($"a.link-name[href='/links/{linkId}']").ClickAsync();
            await page.WaitForURLAsync(new Regex($"/links/{linkId}$"));
            await AssertChartsLiveAsync(page);

            await MainNavigation(page, "Overview").ClickAsync();
            await Assertions.Expect(page.GetByTestId("fleet-table")).ToBeVisibleAsync();
        }

        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
        await Screenshots.SaveAsync(page, "enhanced-overview-after-links", fullPage: false);
    }

    [Fact]
    public async Task LiveModules_BackAndForthFiveTimes_StoppedWhenTheirElementsLeaveAndConnectionsDoNotGrow()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var sockets = new LiveSockets(page);
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Bond))[0].Id;
        await page.EvaluateAsync(SetMarkScript);
        const int Rounds = 5;

        for (var round = 1; round <= Rounds; round++)
        {
            await page.Locator($"a.link-name[href='/links/{linkId}']").ClickAsync();
            await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");

            // One chart board: uPlot draws one canvas per panel; a module started twice on an element would draw two.
            var panels = page.Locator(".chart-board__plots figure.plot");
            await Assertions.Expect(panels.First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".chart-board canvas")).ToHaveCountAsync(await panels.CountAsync());
            await sockets.WaitForOpenAsync(1, $"round {round}: the link page's one live connection");

            await MainNavigation(page, "Overview").ClickAsync();
            await Assertions.Expect(page.GetByTestId("fleet-table")).ToBeVisibleAsync();
            // The overview follows the fleet live (issue 19): the link page's modules stopped and the overview's
            // started in one go, so the one connection stays and no second one opens.
            await sockets.WaitForOpenAsync(1, $"round {round}: the overview's one live connection");
            await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");
        }

        // The event log's first page is a live tail too: the one connection stays.
        await MainNavigation(page, "Events").ClickAsync();
        await Assertions.Expect(page.GetByTestId("fleet-table")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("events-live-note")).ToBeVisibleAsync();
        await sockets.WaitForOpenAsync(1, "the event log's live tail on the one connection");

        // Nothing follows anything in the settings: the connection closes.
        await MainNavigation(page, "Settings").ClickAsync();
        await Assertions.Expect(page.GetByTestId("events-live-note")).ToHaveCountAsync(0);
        await sockets.WaitForOpenAsync(0, "the live connection closed in the settings, where nothing is live");
        await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToBeHiddenAsync();

        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
        Assert.Equal(1, sockets.MostOpen);
        Assert.Equal(1, sockets.Opened);
    }

    [Fact]
    public async Task PolicyEditor_EnhancedPosts_ErrorsReviewAndApplyWithoutAReloadThenTheRolloutFollowsLive()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Teql))[0].Id;
        await page.GotoAsync(new Uri(fixture.Api.BaseAddress, $"/links/{linkId}/policy").ToString());
        await page.EvaluateAsync(SetMarkScript);
        var probeInterval = page.GetByLabel("Probe interval (ms)", new() { Exact = true });
        var interval = int.Parse(await probeInterval.InputValueAsync(), CultureInfo.InvariantCulture);

        // Step 1: a bad value comes back marked, from the server, in the same document.
        await probeInterval.FillAsync("-5");
        await page.GetByTestId("review-button").ClickAsync();
        await Assertions.Expect(probeInterval).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByTestId("form-errors")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "enhanced-policy-errors");

        // Step 2: a good one goes to the review.
        var changed = interval >= 59_000 ? interval - 250 : interval + 250;
        await probeInterval.FillAsync(changed.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("review-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("diff").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("diff")).ToContainTextAsync("teql.probeIntervalMs");

        // Step 3: apply; the server redirects (post/redirect/get), the rollout module starts on the new page.
        var generation = long.Parse(await page.GetByTestId("rollout").Locator("[data-live-desired]").TextContentAsync() ?? "", CultureInfo.InvariantCulture);
        await page.GetByTestId("apply").ClickAsync();
        await page.WaitForURLAsync(new Regex($"rollout={generation + 1}$"));
        var rollout = page.GetByTestId("rollout");
        await Assertions.Expect(rollout).ToContainTextAsync($"Rollout of generation {generation + 1}");
        await Assertions.Expect(rollout.Locator("[data-live-observed]")).ToHaveTextAsync($"{generation + 1}", new() { Timeout = 30_000 });
        await Assertions.Expect(rollout.GetByTestId("phase")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });

        Assert.Equal("this document", await page.EvaluateAsync<string>(ReadMarkScript));
        await Screenshots.SaveAsync(page, "enhanced-policy-applied");
    }

    [Fact]
    public async Task LinkPage_EnhancedRequestStreamsTheCharts_AFullLoadCarriesThemInThePage()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[0].Id;
        var url = new Uri(fixture.Api.BaseAddress, $"/links/{linkId}").ToString();

        // As Blazor's script asks for it: the page first, "Loading the charts…" in it, the charts streamed after.
        var enhanced = await (await page.APIRequest.GetAsync(url, new() { Headers = new Dictionary<string, string> { ["Accept"] = EnhancedNavigation.AcceptHeader } })).TextAsync();
        var streamed = enhanced.IndexOf("<blazor-ssr>", StringComparison.Ordinal);
        Assert.True(streamed > 0, "the enhanced response streams an update");
        var loading = enhanced.IndexOf("data-testid=\"charts-loading\"", StringComparison.Ordinal);
        Assert.InRange(loading, 0, streamed);
        Assert.InRange(enhanced.IndexOf("id=\"members-title\"", StringComparison.Ordinal), 0, streamed);
        Assert.True(enhanced.IndexOf(ChartBoardModule, StringComparison.Ordinal) > streamed, "the charts come in the streamed update");

        // A full page load (a browser that may run no script): the charts are in the page, nothing is streamed.
        var full = await (await page.APIRequest.GetAsync(url)).TextAsync();
        Assert.DoesNotContain("<blazor-ssr>", full, StringComparison.Ordinal);
        Assert.DoesNotContain("charts-loading", full, StringComparison.Ordinal);
        Assert.Contains(ChartBoardModule, full, StringComparison.Ordinal);

        // In the browser the streamed charts take their place and start; another range streams in the same way.
        await page.Locator($"a.link-name[href='/links/{linkId}']").ClickAsync();
        await Assertions.Expect(page.Locator(".chart-board canvas").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("charts-loading")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Time range" }).GetByRole(AriaRole.Link, new() { Name = "1 h" }).ClickAsync();
        await Assertions.Expect(page.Locator(".range__option[aria-current=page]")).ToHaveTextAsync("1 h");
        await Assertions.Expect(page.GetByTestId("charts-loading")).ToHaveCountAsync(0);
    }

    private static string ChartBoardModule => Fleet.Web.Links.LinkChartBoard.Module;

    private static ILocator MainNavigation(IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    /// <summary>The link page's charts are drawn by their module and move with live samples.</summary>
    private static async Task AssertChartsLiveAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.Locator(".chart-board canvas").First).ToBeVisibleAsync();
        var values = page.Locator("[data-value-of=tx]");
        var first = await LiveChartTests.WaitForChangeAsync(values, await LiveChartTests.AllTextAsync(values), TimeSpan.FromSeconds(3));

        // As in LiveChartTests: the first change may be the ring buffer the subscription returns, a second one is live.
        await LiveChartTests.WaitForChangeAsync(values, first, TimeSpan.FromSeconds(3));
    }

    /// <summary>The page's WebSockets to <c>/hubs/live</c>, as the browser opens and closes them.</summary>
    private sealed class LiveSockets
    {
        private readonly Lock _lock = new();
        private int _open;

        public LiveSockets(IPage page) => page.WebSocket += (_, socket) =>
        {
            if (!socket.Url.Contains("/hubs/live", StringComparison.Ordinal))
            {
                return;
            }

            lock (_lock)
            {
                Opened++;
                _open++;
                MostOpen = Math.Max(MostOpen, _open);
            }

            socket.Close += (_, _) =>
            {
                lock (_lock)
                {
                    _open--;
                }
            };
        };

        public int Opened { get; private set; }

        public int MostOpen { get; private set; }

        public async Task WaitForOpenAsync(int expected, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                int open;
                lock (_lock)
                {
                    open = _open;
                }

                if (open == expected)
                {
                    return;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{what}: {open} live connections open, expected {expected}");
                await Task.Delay(100);
            }
        }
    }
}
