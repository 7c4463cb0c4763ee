using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 12, from a finding to a change: the demo striper link (weights 1 to 4) switched to round_robin gets the
    /// <c>scheduler_unsuited</c> finding; its "review this change" opens the policy editor on the switch back to
    /// weighted, the diff shows only that, and applying it rolls out with commit-confirm to the demo agent. The link
    /// ends as the demo made it (weighted), two generations later.
    /// </summary>
    [Fact]
    public async Task DoctorFinding_ReviewThisChange_EditorOpensOnIt_AppliedWithCommitConfirm()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = fixture.Api.CreateClient();
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[0].Id;
        var link = (await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options, cancel))!;
        var spec = (await admin.GetFromJsonAsync<LinkSpec>($"api/v1/links/{linkId}/spec", FleetJson.Options, cancel))!;
        Assert.Equal(StripeSchedulerKind.Weighted, spec.Striper!.Scheduler);
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec")
        {
            Content = JsonContent.Create(spec with { Striper = spec.Striper with { Scheduler = StripeSchedulerKind.RoundRobin } }, options: FleetJson.Options),
        })
        {
            put.Headers.TryAddWithoutValidation("If-Match", link.ETag);
            using var changed = await admin.SendAsync(put, cancel);
            Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync(cancel));
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        await page.GotoAsync(Url($"/links/{linkId}"));
        var finding = page.GetByTestId("doctor").Locator("li[data-code=scheduler_unsuited]");
        await Assertions.Expect(finding.GetByTestId("finding-suggestion")).ToContainTextAsync("weighted");

        await finding.GetByTestId("finding-fix").ClickAsync();
        await page.WaitForURLAsync(new Regex("/policy\\?fix=scheduler_unsuited$"));
        var diff = page.GetByTestId("diff");
        await Assertions.Expect(diff.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator("tbody th")).ToHaveTextAsync("striper.scheduler");
        await Assertions.Expect(diff.Locator(".diff__before")).ToHaveTextAsync("round_robin");
        await Assertions.Expect(diff.Locator(".diff__after")).ToHaveTextAsync("weighted");
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("The doctor's suggestion");
        await Screenshots.SaveAsync(page, "doctor-fix-review");
        var generation = await GenerationAsync(linkId);
        await page.GetByTestId("apply").ClickAsync();

        await page.WaitForURLAsync(new Regex($"rollout={generation + 1}$"));
        var rollout = page.GetByTestId("rollout");
        await Assertions.Expect(rollout.Locator("[data-live-observed]")).ToHaveTextAsync($"{generation + 1}", new() { Timeout = 30_000 });
        await Assertions.Expect(rollout.GetByTestId("phase")).ToHaveTextAsync("Applied", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId($"note-{generation + 1}")).ToHaveTextAsync("Doctor: round_robin over unequal paths");
        await using var db = fixture.CreateDbContext();
        var stored = await db.Links.AsNoTracking().Where(l => l.Id == linkId).Select(l => l.Spec).SingleAsync(cancel);
        Assert.Equal(StripeSchedulerKind.Weighted, stored.Striper!.Scheduler);
        Assert.Equal(spec.Members.Select(m => m.Weight), stored.Members.Select(m => m.Weight));
    }
}
