using Bunit;
using Fleet.Web.Alerts;
using Fleet.Web.Formatting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Alerts;

/// <summary>The header's Alerts link with the firing count, and the firing alerts on the host and link pages.</summary>
public sealed class AlertBadgeTests : BunitContext
{
    private readonly FakeAlerts _alerts = new();

    public AlertBadgeTests()
    {
        Services.AddSingleton<IAlertQuery>(_alerts);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(FakeAlerts.Now));
    }

    [Fact]
    public void Badge_NothingFiring_PlainLinkWithoutACount()
    {
        var badge = Render<AlertBadge>();

        var link = badge.Find("a[data-testid=nav-alerts]");
        Assert.Equal("/alerts", link.GetAttribute("href"));
        Assert.Equal("Alerts", link.TextContent.Trim());
        Assert.Empty(badge.FindAll("[data-testid=alert-badge]"));
    }

    [Fact]
    public void Badge_TwoFiring_CountOnTheLinkReadsAsFiring()
    {
        _alerts.Firing.AddRange([FakeAlerts.MemberDown(), FakeAlerts.LinkDown()]);

        var badge = Render<AlertBadge>();

        var count = badge.Find("a[data-testid=nav-alerts] [data-testid=alert-badge]");
        Assert.Equal("2", count.GetAttribute("data-firing"));
        Assert.Equal("2 firing", count.TextContent);
        Assert.Equal("2 alerts firing", count.GetAttribute("title"));
    }

    [Fact]
    public void Panel_NothingFiringOnTheHost_RendersNothing()
    {
        var panel = Render<FiringAlertsPanel>(p => p.Add(x => x.HostId, FakeAlerts.HostId));

        Assert.Equal((FakeAlerts.HostId, (Guid?)null), _alerts.FiringAskedFor);
        Assert.Empty(panel.Markup.Trim());
    }

    [Fact]
    public void Panel_LinkWithAFiringAlert_ListsItAndLinksToTheLinksAlerts()
    {
        _alerts.Firing.Add(FakeAlerts.MemberDown(acknowledgedBy: "user:nina"));

        var panel = Render<FiringAlertsPanel>(p => p.Add(x => x.LinkId, FakeAlerts.LinkId));

        Assert.Equal(((Guid?)null, FakeAlerts.LinkId), _alerts.FiringAskedFor);
        var item = panel.Find("[data-testid=firing-alerts] li");
        Assert.Contains("member_down", item.TextContent, StringComparison.Ordinal);
        Assert.Contains("acknowledged by user:nina", item.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/alerts?link={FakeAlerts.LinkId}", panel.Find("[data-testid=firing-alerts] > a").GetAttribute("href"));
    }
}
