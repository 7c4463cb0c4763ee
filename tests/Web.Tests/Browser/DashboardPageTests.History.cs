using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    [Fact]
    public async Task PolicyHistory_RevertToThis_ReviewsTheDiffAndRollsTheOldSpecOut()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        var linkId = (await fixture.LinksAsync(LinkKind.Bond))[1].Id;
        var original = await GenerationAsync(linkId);
        var originalMiimon = (await SpecAsync(linkId)).Bond!.MiimonMs;
        Assert.NotEqual(250, originalMiimon);

        // A change to revert: the MII monitor interval, through the editor.
        await page.GotoAsync(Url($"/links/{linkId}/policy"));
        await page.GetByLabel("MII monitor interval (ms)").FillAsync("250");
        await page.GetByTestId("review-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("diff").Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByTestId("apply").ClickAsync();
        await page.WaitForURLAsync(new Regex($"rollout={original + 1}$"));
        await Assertions.Expect(page.GetByTestId("rollout").Locator("[data-live-observed]")).ToHaveTextAsync($"{original + 1}", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("rollout").GetByTestId("phase")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });

        // The history lists the new revision with its diff, the old one with "revert to this".
        await page.ReloadAsync();
        var history = page.GetByTestId("history");
        var changed = HistoryItem(history, original + 1);
        await Assertions.Expect(changed).ToContainTextAsync("current");
        await Assertions.Expect(changed.Locator(".history__changes li")).ToHaveCountAsync(1);
        await Assertions.Expect(changed.Locator(".history__changes li")).ToContainTextAsync($"bond.miimonMs: {originalMiimon} → 250");

        await HistoryItem(history, original).GetByRole(AriaRole.Button, new() { Name = "Revert to this" }).ClickAsync();

        // The revert goes through the same review: the diff from now back to the old revision, nothing stored yet.
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync($"Reverting to generation {original}");
        var diff = page.GetByTestId("diff");
        await Assertions.Expect(diff.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator("tbody tr").First).ToContainTextAsync("bond.miimonMs");
        await Assertions.Expect(diff.Locator(".diff__before")).ToHaveTextAsync("250");
        await Assertions.Expect(diff.Locator(".diff__after")).ToHaveTextAsync($"{originalMiimon}");
        Assert.Equal(original + 1, await GenerationAsync(linkId));
        await Screenshots.SaveAsync(page, "policy-revert-review");

        await page.GetByTestId("apply").ClickAsync();
        await page.WaitForURLAsync(new Regex($"rollout={original + 2}$"));
        await Assertions.Expect(page.GetByTestId("rollout").Locator("[data-live-observed]")).ToHaveTextAsync($"{original + 2}", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("rollout").GetByTestId("phase")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });
        Assert.Equal(original + 2, await GenerationAsync(linkId));
        Assert.Equal(originalMiimon, (await SpecAsync(linkId)).Bond!.MiimonMs);
        await Assertions.Expect(HistoryItem(page.GetByTestId("history"), original + 2)).ToContainTextAsync($"bond.miimonMs: 250 → {originalMiimon}");
        await Screenshots.SaveAsync(page, "policy-reverted");
    }

    private static ILocator HistoryItem(ILocator history, long generation) =>
        history.Locator("li.history__item").Filter(new() { Has = history.Page.Locator(".history__head strong", new() { HasTextRegex = new Regex($"^Generation {generation}$") }) });

    private async Task<LinkSpec> SpecAsync(Guid linkId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Links.AsNoTracking().Where(l => l.Id == linkId).Select(l => l.Spec).SingleAsync();
    }
}
