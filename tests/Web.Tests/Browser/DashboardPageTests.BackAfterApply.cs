using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 19: Back after Apply landed on the browser's "Confirm Form Resubmission" page. The review and the apply are
    /// posts; Back, Forward and reload must only ever lead to pages got with GET: the editor before the review, and the
    /// rollout the apply redirected to. Blazor's script posts both forms with fetch (enhanced forms): the review is no
    /// history entry, the apply's redirect is. (A browser without the script gets full-page posts, and its Back after
    /// Apply still lands on the review's post: docs/dashboard.md, "Page loads".)
    /// </summary>
    [Fact]
    public async Task PolicyEditor_BackAndReloadAfterApply_ShowTheEditorAndTheRolloutNeverAResubmission()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        var linkId = (await fixture.LinksAsync(LinkKind.Teql))[0].Id;
        var editor = Url($"/links/{linkId}/policy");
        await page.GotoAsync(editor);
        var probeInterval = page.GetByLabel("Probe interval (ms)", new() { Exact = true });
        var interval = int.Parse(await probeInterval.InputValueAsync(), CultureInfo.InvariantCulture);
        await probeInterval.FillAsync((interval >= 59_000 ? interval - 100 : interval + 100).ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("review-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("diff")).ToContainTextAsync("teql.probeIntervalMs");
        var generation = await GenerationAsync(linkId);
        await page.GetByTestId("apply").ClickAsync();
        await page.WaitForURLAsync(new Regex($"rollout={generation + 1}$"));
        var rollout = page.GetByTestId("rollout");
        await Assertions.Expect(rollout).ToContainTextAsync($"Rollout of generation {generation + 1}");

        // Reload: the rollout again (a GET), followed live to its end.
        await page.ReloadAsync();
        await Assertions.Expect(rollout).ToContainTextAsync($"Rollout of generation {generation + 1}");
        await Assertions.Expect(rollout.GetByTestId("phase")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });

        // Back: the editor (the page the review was posted from), with the applied value, and no resubmission.
        await page.GoBackAsync();
        await page.WaitForURLAsync(editor);
        await Assertions.Expect(page.GetByTestId("review-button")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("diff")).ToHaveCountAsync(0);
        Assert.DoesNotContain("ERR_CACHE_MISS", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(generation + 1, await GenerationAsync(linkId));

        // Forward: the rollout again.
        await page.GoForwardAsync();
        await page.WaitForURLAsync(new Regex($"rollout={generation + 1}$"));
        await Assertions.Expect(rollout).ToContainTextAsync($"Rollout of generation {generation + 1}");
        Assert.Equal(generation + 1, await GenerationAsync(linkId));
        await Screenshots.SaveAsync(page, "policy-back-forward");
    }
}
