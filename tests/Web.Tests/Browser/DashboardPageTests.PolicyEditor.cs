using Fleet.Contracts.Links;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>Issue 19: the interface fields pick from what the host reported, and the review warns about a device it lacks.</summary>
    [Fact]
    public async Task PolicyEditor_InterfaceTheHostDoesNotHave_PickerOffersTheHostsAndTheReviewWarns()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        var linkId = (await fixture.LinksAsync(LinkKind.Bond))[0].Id;
        var generationBefore = await GenerationAsync(linkId);
        await page.GotoAsync(Url($"/links/{linkId}/policy"));

        // The interface fields suggest what the host reported. (The last member: the demo bond's primary is the first.)
        var last = page.Locator("input[name='Form.Members[2].Interface']");
        await Assertions.Expect(last).ToHaveAttributeAsync("list", "host-interfaces");
        var reported = await page.Locator("datalist#host-interfaces option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        Assert.Contains(await last.InputValueAsync(), reported);

        await last.FillAsync("eth9");
        await page.GetByTestId("review-button").ClickAsync();

        var warnings = page.GetByTestId("review-warnings");
        await Assertions.Expect(warnings).ToContainTextAsync("eth9 is not among the interfaces");
        await Assertions.Expect(page.GetByTestId("apply")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "policy-review-warning");
        Assert.Equal(generationBefore, await GenerationAsync(linkId));
    }
}
