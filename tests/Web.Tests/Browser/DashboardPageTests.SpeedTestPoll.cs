using Fleet.Api.Data.Entities;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 12: a pending path speed test shows its result in the Doctor panel when it finishes, with no reload (the
    /// panel's module asks the server for the page while the test is pending). The test is stored as the Api stores an
    /// ordered one and completed as the agent's report completes it, on a link made for the test on a demo host.
    /// </summary>
    [Fact]
    public async Task LinkPage_PendingSpeedTest_ResultShowsWhenItFinishesWithoutAReload()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = fixture.Api.CreateClient();
        var (linkId, hostId) = await CreateDemoStriperLinkAsync(admin, "poll0", 7110, "10.32.0.1/30", StripeSchedulerKind.Weighted, weight2: 1);
        var testId = Guid.CreateVersion7();
        try
        {
            await using (var db = fixture.CreateDbContext())
            {
                db.SpeedTests.Add(new SpeedTestEntity
                {
                    Id = testId, LinkId = linkId, HostId = hostId, State = SpeedTestState.Pending, RequestedBy = "user:admin", RequestedAt = DateTime.UtcNow, MaxMbitPerPath = 100,
                });
                await db.SaveChangesAsync(cancel);
            }

            await using var context = await fixture.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
            await page.GotoAsync(Url($"/links/{linkId}"));
            var speedTest = page.GetByTestId("speed-test");
            await Assertions.Expect(speedTest).ToHaveAttributeAsync("data-state", "pending");
            var loads = 0;
            page.Load += (_, _) => loads++;

            await using (var db = fixture.CreateDbContext())
            {
                var now = DateTimeOffset.UtcNow;
                var test = await db.SpeedTests.SingleAsync(t => t.Id == testId, cancel);
                test.State = SpeedTestState.Completed;
                test.FinishedAt = now.UtcDateTime;
                test.Result = new SpeedTestResult(now, TimeSpan.FromSeconds(3), SpeedTestResult.ToPeer,
                    [new PathSpeedResult("eth0", true, null, 30e6, 28e6, 100e6, 2, 35, 0.1, true), new PathSpeedResult("eth1", true, null, 10e6, 9e6, 100e6, 2, 40, 0.1, true)],
                    37e6, null);
                await db.SaveChangesAsync(cancel);
            }

            await Assertions.Expect(speedTest).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 15_000 });
            await Assertions.Expect(speedTest.Locator("tr[data-member=eth0] td").Nth(1)).ToHaveTextAsync("30.0 Mbit/s");
            Assert.Equal(0, loads);
        }
        finally
        {
            using var deleted = await admin.DeleteAsync(new Uri($"api/v1/links/{linkId}", UriKind.Relative), cancel);
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync(cancel));
        }
    }
}
