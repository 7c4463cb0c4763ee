using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 19, small screens: on a phone (390 × 844) the overview's totals are one line, each host is a card whose
    /// links show name, health, throughput and loss (kind, phase, members, reorder depth and event are left to the link
    /// page), and nothing scrolls sideways; the sign-in card keeps a narrow width on a wide screen.
    /// </summary>
    [Fact]
    public async Task Phone_OverviewAsCardsAndOneLineOfTotals_LoginCardNarrow()
    {
        await using var context = await fixture.Browser.NewContextAsync(width: 390, height: 844);
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);

        await Assertions.Expect(page.GetByTestId("totals-line")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("totals-line")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*\d+ problems? · \d+ ok"));
        await Assertions.Expect(page.GetByTestId("totals")).ToBeHiddenAsync();
        var firstLink = page.GetByTestId("fleet-table").Locator("tbody tr").First;
        await Assertions.Expect(firstLink.Locator("td[data-cell=link]")).ToBeVisibleAsync();
        await Assertions.Expect(firstLink.Locator("td[data-cell=health]")).ToBeVisibleAsync();
        await Assertions.Expect(firstLink.Locator("td[data-cell=loss]")).ToBeVisibleAsync();
        await Assertions.Expect(firstLink.Locator("td[data-cell=kind]")).ToBeHiddenAsync();
        await Assertions.Expect(firstLink.Locator("td[data-cell=event]")).ToBeHiddenAsync();
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the overview is {overflow} px wider than a phone; widest: {await page.EvaluateAsync<string>(WidestElementsScript)}");
        await Screenshots.SaveAsync(page, "phone-overview", fullPage: false);

        // On a laptop the cards are back and the line is not shown.
        await page.SetViewportSizeAsync(1280, 800);
        await Assertions.Expect(page.GetByTestId("totals")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("totals-line")).ToBeHiddenAsync();

        await using var wide = await fixture.Browser.NewContextAsync(width: 1920, height: 1080);
        var login = await wide.NewPageAsync();
        await login.GotoAsync(Url("/account/login"));
        var box = await login.Locator("section.login").BoundingBoxAsync();
        Assert.True(box is { Width: < 500 }, $"the sign-in card is {box?.Width} px wide on a 1920 px screen");
    }
}
