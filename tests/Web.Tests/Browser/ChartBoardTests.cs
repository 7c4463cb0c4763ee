using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// Issue 19, charts an operator can read: the link page's panels (one per metric, one line per member) read together:
/// a crosshair that moves in every panel with a tooltip listing every member's value, drag to zoom all of them, a
/// legend that shows one member alone, and Y axes of one width so the time axes and health strips line up.
/// </summary>
[Collection(DashboardCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Browser)]
public sealed class ChartBoardTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Crosshair_OverTheTransmitPanel_TooltipListsEveryMemberAndTheOtherPanelsFollow()
    {
        await using var context = await NewContextAsync();
        var page = await OpenStriperLinkAsync(context);
        var members = await page.Locator("[data-legend-member]").EvaluateAllAsync<string[]>("buttons => buttons.map(b => b.dataset.legendMember)");
        Assert.Equal(4, members.Length);

        await HoverAsync(page, "tx", 0.6f);

        var tip = page.Locator("[data-chart-tip=tx]");
        await Assertions.Expect(tip).ToBeVisibleAsync();
        await Assertions.Expect(tip.Locator(".chart-tip__row")).ToHaveCountAsync(4);
        Assert.Equal(members, await tip.Locator(".chart-tip__row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.tipMember)"));
        Assert.All(await tip.Locator(".chart-tip__row span:last-child").AllTextContentsAsync(), text => Assert.Matches(@"\d", text));
        await Assertions.Expect(tip.Locator(".chart-tip__time")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{2}:\d{2}:\d{2}$"));

        // The crosshair stands in the other panels at the same instant; only the panel under the pointer has a tooltip.
        await Assertions.Expect(page.Locator("figure[data-metric=rtt] .u-cursor-x")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("u-off"));
        await Assertions.Expect(page.Locator("[data-chart-tip=rtt]")).ToBeHiddenAsync();
        await Screenshots.SaveAsync(page, "link-crosshair");
    }

    [Fact]
    public async Task Legend_OneMember_ShownAloneInEveryPanelThenAllAgain()
    {
        await using var context = await NewContextAsync();
        var page = await OpenStriperLinkAsync(context);
        var legend = page.Locator("[data-legend-member]");
        var chosen = await legend.Nth(1).GetAttributeAsync("data-legend-member");

        await legend.Nth(1).ClickAsync();

        await Assertions.Expect(legend.Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(legend.Nth(0)).ToHaveAttributeAsync("data-dimmed", "");
        await HoverAsync(page, "loss", 0.5f);
        var rows = page.Locator("[data-chart-tip=loss] .chart-tip__row");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        var hidden = await rows.EvaluateAllAsync<string[]>("rows => rows.filter(r => r.hasAttribute('data-hidden')).map(r => r.dataset.tipMember)");
        Assert.Equal(3, hidden.Length);
        Assert.DoesNotContain(chosen, hidden);

        await legend.Nth(1).ClickAsync();

        await Assertions.Expect(legend.Nth(1)).ToHaveAttributeAsync("aria-pressed", "false");
        await HoverAsync(page, "loss", 0.4f);
        await Assertions.Expect(page.Locator("[data-chart-tip=loss] .chart-tip__row[data-hidden]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Drag_AcrossAPanel_ZoomsEveryPanelAndTheStripsUntilReset()
    {
        await using var context = await NewContextAsync();
        var page = await OpenStriperLinkAsync(context);
        var board = page.GetByTestId("chart-board");
        var over = page.Locator("figure[data-metric=rx] .u-over");
        var box = (await over.BoundingBoxAsync())!;

        await page.Mouse.MoveAsync(box.X + (box.Width * 0.55f), box.Y + (box.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.75f), box.Y + (box.Height / 2), new() { Steps = 8 });
        await page.Mouse.UpAsync();

        await Assertions.Expect(board).ToHaveAttributeAsync("data-zoomed", "true");
        var zoom = page.Locator("[data-chart-zoom]");
        await Assertions.Expect(zoom).ToBeVisibleAsync();
        var range = await zoom.Locator("[data-chart-zoom-range]").TextContentAsync() ?? "";
        var ends = range.Split(" – ");
        Assert.Equal(2, ends.Length);

        // The health strips follow the zoom: their axis names the same stretch of time, not "now".
        await Assertions.Expect(page.Locator("[data-axis-from]")).ToHaveTextAsync(ends[0]);
        await Assertions.Expect(page.Locator("[data-axis-to]")).ToHaveTextAsync(ends[1]);

        // A fifth of a 15 minute live range is about 3 minutes.
        var span = TimeSpan.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture) - TimeSpan.Parse(ends[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(span.TotalMinutes, 1, 5);
        await Screenshots.SaveAsync(page, "link-zoomed");

        await zoom.GetByRole(AriaRole.Button, new() { Name = "Reset zoom" }).ClickAsync();

        await Assertions.Expect(board).ToHaveAttributeAsync("data-zoomed", "false");
        await Assertions.Expect(zoom).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-axis-to]")).ToHaveTextAsync("now");
    }

    [Fact]
    public async Task Panels_YAxesOfOneWidth_PlotsAndHealthStripsStartAtTheSameOffset()
    {
        await using var context = await NewContextAsync();
        var page = await OpenStriperLinkAsync(context);

        // Each panel's plotting area and each health strip start the same distance from their own figure's left edge.
        var offsets = await page.EvaluateAsync<double[]>(
            """
            () => [
              ...[...document.querySelectorAll('.chart-board__plots figure.plot')].map(f =>
                f.querySelector('.u-over').getBoundingClientRect().left - f.getBoundingClientRect().left),
              ...[...document.querySelectorAll('.health-strip')].map(s =>
                s.querySelector('[data-timeline]').getBoundingClientRect().left - s.closest('figure').getBoundingClientRect().left),
            ]
            """);

        Assert.Equal(7 + 4, offsets.Length);
        Assert.All(offsets, offset => Assert.InRange(offset, offsets[0] - 1, offsets[0] + 1));
    }

    /// <summary>The module's pure parts, run in the browser: repeated axis labels blanked, members aligned on their times.</summary>
    [Fact]
    public async Task Module_AxisLabelsAndMemberAlignment()
    {
        await using var context = await NewContextAsync();
        var page = await OpenStriperLinkAsync(context);

        var result = await page.EvaluateAsync<System.Text.Json.JsonElement>(
            $$"""
            async () => {
              const m = await import("/{{Fleet.Web.Links.LinkChartBoard.Module}}");
              const members = [
                { data: { t: [1, 2, 3], tx: [10, null, 30] } },
                { data: { t: [2, 3, 4], tx: [5, 6, 7] } },
              ];
              const aligned = m.alignMembers(members, "tx");
              return {
                labels: m.distinctLabels(["1 Mbit/s", "1 Mbit/s", "2 Mbit/s", "2 Mbit/s", "3 Mbit/s"]),
                t: aligned.t,
                first: aligned.columns[0].map(v => v === undefined ? "u" : v),
                second: aligned.columns[1].map(v => v === undefined ? "u" : v),
                total: aligned.total.map(v => v === undefined ? "u" : v),
              };
            }
            """);

        Assert.Equal("[\"1 Mbit/s\",\"\",\"2 Mbit/s\",\"\",\"3 Mbit/s\"]", result.GetProperty("labels").GetRawText());
        Assert.Equal("[1,2,3,4]", result.GetProperty("t").GetRawText());

        // A null the member sent stays a gap; a time the member has no point at is undefined, which the line spans.
        Assert.Equal("[10,null,30,\"u\"]", result.GetProperty("first").GetRawText());
        Assert.Equal("[\"u\",5,6,7]", result.GetProperty("second").GetRawText());
        Assert.Equal("[10,5,36,7]", result.GetProperty("total").GetRawText());
    }

    private Task<IBrowserContext> NewContextAsync() => fixture.Browser.NewContextAsync();

    private async Task<IPage> OpenStriperLinkAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await LiveChartTests.LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[0].Id;
        await page.GotoAsync(new Uri(fixture.Api.BaseAddress, $"/links/{linkId}").ToString());
        await Assertions.Expect(page.Locator(".chart-board canvas")).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator("[data-chart-state]")).ToHaveTextAsync("live");
        return page;
    }

    /// <summary>Moves the pointer over a panel's plotting area, <paramref name="across"/> of its width from the left.</summary>
    private static async Task HoverAsync(IPage page, string metric, float across)
    {
        var over = page.Locator($"figure[data-metric={metric}] .u-over");
        await over.ScrollIntoViewIfNeededAsync();
        var box = (await over.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width * across) - 5, box.Y + (box.Height / 2));
        await page.Mouse.MoveAsync(box.X + (box.Width * across), box.Y + (box.Height / 2), new() { Steps = 3 });
    }
}
