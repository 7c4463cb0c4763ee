using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 19: a member that went down and up ten times within minutes shows as one line in the link's events
    /// ("flapped 10×"), with the changes folded under it, not as twenty lines. The events are written the way the hub
    /// writes them, on a member name the demo agents do not use.
    /// </summary>
    [Fact]
    public async Task EventsPage_MemberFlappingTenTimes_OneFoldedLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        var linkId = (await fixture.LinksAsync(LinkKind.Teql))[0].Id;
        await using (var db = fixture.CreateDbContext())
        {
            var hostId = await db.Links.Where(l => l.Id == linkId).Select(l => l.HostId).SingleAsync(cancel);
            var start = DateTime.UtcNow.AddMinutes(-5);
            for (var i = 0; i < 20; i++)
            {
                var down = i % 2 == 0;
                db.Events.Add(new EventEntity
                {
                    Id = Guid.CreateVersion7(), Time = start.AddSeconds(i * 6), HostId = hostId, LinkId = linkId, Member = "flap9",
                    Kind = down ? AgentEventKind.MemberDown : AgentEventKind.MemberUp,
                    Severity = down ? EventSeverity.Warning : EventSeverity.Info,
                    Message = $"teql0: member flap9 is {(down ? "down" : "up again")}",
                });
            }

            await db.SaveChangesAsync(cancel);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        await page.GotoAsync(Url($"/events?link={linkId}&q=flap9"));

        var rows = page.GetByTestId("events").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-flaps", "10");
        var summary = rows.First.Locator("details summary");
        await Assertions.Expect(summary).ToHaveTextAsync("flap9 flapped 10× in 1 min (20 health changes)");
        await summary.ClickAsync();
        await Assertions.Expect(rows.First.Locator("details li")).ToHaveCountAsync(20);
    }
}
