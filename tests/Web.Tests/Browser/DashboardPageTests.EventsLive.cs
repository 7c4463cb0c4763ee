using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 19, events: the first page is a live tail (an event written after the page loaded appears at the top,
    /// marked new, without a page load), and the time range narrows the list (an event two hours old is outside the
    /// last hour and inside the last 24 hours). The events carry a member name of their own, so the demo's events
    /// do not count.
    /// </summary>
    [Fact]
    public async Task EventsPage_NewEventArrivesWithoutReload_AndTheTimeRangeNarrowsTheList()
    {
        var cancel = TestContext.Current.CancellationToken;
        var linkId = (await fixture.LinksAsync(LinkKind.Teql))[0].Id;
        var member = $"tail{Random.Shared.Next(1000, 9999)}";
        Guid hostId;
        await using (var db = fixture.CreateDbContext())
        {
            hostId = await db.Links.Where(l => l.Id == linkId).Select(l => l.HostId).SingleAsync(cancel);
            db.Events.Add(Event(hostId, linkId, member, DateTime.UtcNow.AddHours(-2), "two hours ago"));
            await db.SaveChangesAsync(cancel);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);

        await page.GotoAsync(Url($"/events?q={member}&range=1h"));
        await Assertions.Expect(page.GetByTestId("events-list")).ToContainTextAsync("No events.");
        await page.GotoAsync(Url($"/events?q={member}&range=24h"));
        await Assertions.Expect(page.GetByTestId("events").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#e-range")).ToHaveValueAsync("24h");

        // Written while the page is open: the tail brings it in, on the same document.
        await page.EvaluateAsync("() => { window.fleetTestDocument = 'before'; }");
        await using (var db = fixture.CreateDbContext())
        {
            db.Events.Add(Event(hostId, linkId, member, DateTime.UtcNow, "just now"));
            await db.SaveChangesAsync(cancel);
        }

        var fresh = page.GetByTestId("events").Locator("tbody tr", new() { HasText = "just now" });
        await Assertions.Expect(fresh).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(fresh).ToHaveClassAsync("event--new");
        await Assertions.Expect(page.GetByTestId("events").Locator("tbody tr")).ToHaveCountAsync(2);
        Assert.Equal("before", await page.EvaluateAsync<string>("() => window.fleetTestDocument"));

        // An older page is not live: it would lose its place.
        await page.GotoAsync(Url($"/events?q={member}&before={Guid.CreateVersion7()}"));
        await Assertions.Expect(page.GetByTestId("events-live-note")).ToHaveCountAsync(0);
    }

    private static EventEntity Event(Guid hostId, Guid linkId, string member, DateTime time, string what) => new()
    {
        Id = Guid.CreateVersion7(new DateTimeOffset(time, TimeSpan.Zero)),
        Time = time,
        HostId = hostId,
        LinkId = linkId,
        Member = member,
        Kind = AgentEventKind.MemberDown,
        Severity = EventSeverity.Warning,
        Message = $"teql0: member {member} is down ({what})",
    };
}
