using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The link page's live charts against the real Api and its demo fleet: values move as samples arrive over
/// <c>/hubs/live</c>, and a connection cut for real (a loopback relay between browser and Api resets every TCP
/// connection and refuses new ones) shows "Reconnecting…" and recovers by itself.
/// </summary>
[Collection(DashboardCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Browser)]
public sealed class LiveChartTests(DashboardFixture fixture)
{
    [Fact]
    public async Task LinkPage_LiveRange_ChartValuesChangeWithinThreeSeconds()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, fixture.Api.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[1].Id;

        await page.GotoAsync(new Uri(fixture.Api.BaseAddress, $"/links/{linkId}").ToString());
        await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");
        var values = page.Locator("[data-value-of=tx]");
        var before = await AllTextAsync(values);

        var first = await WaitForChangeAsync(values, before, TimeSpan.FromSeconds(3));

        // The first change may come from the ring buffer the subscription returns; a second one can only be a sample
        // pushed live (the buffer is sent once per subscription, and the connection stayed up).
        await WaitForChangeAsync(values, first, TimeSpan.FromSeconds(3));
        await Assertions.Expect(page.Locator("[data-fleet-live-status]")).ToHaveTextAsync("Live");
        await Screenshots.SaveAsync(page, "link-live");
        if (Screenshots.ForDocs)
        {
            // The README's picture: let the charts fill for a while first.
            await page.WaitForTimeoutAsync(45_000);
            await page.EvaluateAsync("document.getElementById('members-title').scrollIntoView({ block: 'start' })");
            await Screenshots.SaveForDocsAsync(page, "link");
        }
    }

    [Fact]
    public async Task LinkPage_ConnectionCut_ShowsReconnectingThenRecoversAndUpdatesAgain()
    {
        await using var proxy = LoopbackProxy.Start(fixture.Api.Port);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, proxy.BaseAddress);
        var linkId = (await fixture.LinksAsync(LinkKind.Bond))[0].Id;
        await page.GotoAsync(new Uri(proxy.BaseAddress, $"/links/{linkId}").ToString());
        var status = page.Locator("[data-fleet-live-status]");
        await Assertions.Expect(status).ToHaveTextAsync("Live");

        proxy.Cut();

        await Assertions.Expect(status).ToHaveTextAsync("Reconnecting…", new() { Timeout = 10_000 });
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "reconnecting");
        await Assertions.Expect(page.Locator("[data-chart-state]").First).ToHaveTextAsync("reconnecting…");
        await Screenshots.SaveAsync(page, "link-reconnecting");
        var frozen = await AllTextAsync(page.Locator("[data-value-of=tx]"));
        await page.WaitForTimeoutAsync(2_000);

        proxy.Resume();

        await Assertions.Expect(status).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-chart-state]").First).ToHaveTextAsync("live");
        var refilled = await WaitForChangeAsync(page.Locator("[data-value-of=tx]"), frozen, TimeSpan.FromSeconds(5));

        // After the gap is filled from the ring buffer, samples arrive live again.
        await WaitForChangeAsync(page.Locator("[data-value-of=tx]"), refilled, TimeSpan.FromSeconds(5));
        Assert.True(proxy.ConnectionsAccepted >= 2, "the page reconnected through the relay");
        await Screenshots.SaveAsync(page, "link-recovered");
    }

    internal static async Task LoginAsync(IPage page, Uri baseAddress)
    {
        await page.GotoAsync(new Uri(baseAddress, "/account/login").ToString());
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(DashboardFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/$"));
    }

    internal static async Task<string> AllTextAsync(ILocator locator) => string.Join(" | ", await locator.AllTextContentsAsync());

    /// <summary>Waits until the locator's text differs from <paramref name="before"/>; returns the new text.</summary>
    internal static async Task<string> WaitForChangeAsync(ILocator locator, string before, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var now = before;
        while (DateTime.UtcNow < deadline)
        {
            now = await AllTextAsync(locator);
            if (now != before)
            {
                return now;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"chart values did not change within {within.TotalSeconds} s: still '{now}'");
        return now;
    }
}
