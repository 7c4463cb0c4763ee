using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Rest;
using Fleet.Web.Alerts;
using Fleet.Web.Formatting;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Alerts;

/// <summary>
/// The Alerts page (issue 11): firing alerts first with their subject linked, then the history and the silences; an
/// operator gets acknowledge and silence controls, a viewer sees the same rows without any; the filters come from the
/// query string.
/// </summary>
public sealed class AlertsPageTests : BunitContext
{
    private readonly FakeAlerts _alerts = new();

    public AlertsPageTests()
    {
        Services.AddSingleton<IAlertQuery>(_alerts);
        Services.AddSingleton<IAlertCommands>(_alerts);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(FakeAlerts.Now));
        Services.AddSingleton<AntiforgeryStateProvider, NoAntiforgery>();
    }

    [Fact]
    public void Render_Operator_FiringRowsWithSubjectLinksAcknowledgeAndSilenceControls()
    {
        var open = FakeAlerts.MemberDown();
        var acknowledged = FakeAlerts.MemberDown(acknowledgedBy: "user:nina");
        _alerts.Firing.AddRange([open, acknowledged]);

        var page = RenderAs(DashboardRoles.Operator);

        var rows = page.FindAll("[data-testid=alerts-firing] tbody tr");
        Assert.Equal(2, rows.Count);
        var first = rows[0];
        Assert.Equal("warning", first.QuerySelector(".severity")!.GetAttribute("data-severity"));
        Assert.Equal("member_down", first.QuerySelector("td.mono")!.TextContent);
        var subject = first.QuerySelectorAll(".alert-subject a").Select(a => (a.TextContent, a.GetAttribute("href"))).ToList();
        Assert.Equal(
            [("edge-1", $"/hosts/{FakeAlerts.HostId}"), ("bond0", $"/links/{FakeAlerts.LinkId}"), ("eth2", $"/links/{FakeAlerts.LinkId}#members-title")],
            subject);
        Assert.Equal("7 min ago", first.QuerySelector("time")!.TextContent.Trim());
        Assert.Equal("Acknowledge", first.QuerySelector("button[name=Command][value=ack]")!.TextContent);
        Assert.Equal(open.Id.ToString(), first.QuerySelector("form input[name=AlertId]")!.GetAttribute("value"));
        Assert.Equal(AlertsPage.CommandForm, first.QuerySelector("form input[name=_handler]")!.GetAttribute("value"));
        Assert.Equal(["alert", "member", "link", "host"], first.QuerySelectorAll("select[name=Scope] option").Select(o => o.GetAttribute("value")));
        Assert.NotNull(first.QuerySelector("input[name=Reason][required]"));

        // Acknowledged already: who and when, and no second acknowledge button; silencing stays possible.
        Assert.StartsWith("user:nina", rows[1].QuerySelector("[data-testid=acknowledged]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Null(rows[1].QuerySelector("button[value=ack]"));
        Assert.NotNull(rows[1].QuerySelector("details.silence-form"));
    }

    [Fact]
    public void Render_Viewer_SameRowsNoControls()
    {
        _alerts.Firing.Add(FakeAlerts.MemberDown());
        _alerts.Silences.Add(Silence(SilenceState.Active));

        var page = RenderAs(DashboardRoles.Viewer);

        Assert.Single(page.FindAll("[data-testid=alerts-firing] tbody tr"));
        Assert.Single(page.FindAll("[data-testid=silences] tbody tr"));
        Assert.Empty(page.FindAll("form[method=post] button, details"));
        Assert.Empty(page.FindAll("form[method=post] input, form[method=post] select"));
        Assert.DoesNotContain(page.FindAll("th"), th => th.TextContent == "Actions");
    }

    [Fact]
    public void Render_Silences_StateScopeAuthorReasonAndEndOnlyWhileNotExpired()
    {
        _alerts.Silences.AddRange([Silence(SilenceState.Active), Silence(SilenceState.Expired)]);

        var page = RenderAs(DashboardRoles.Admin);

        var rows = page.FindAll("[data-testid=silences] tbody tr");
        Assert.Equal(["active", "expired"], rows.Select(r => r.GetAttribute("data-state")));
        var cells = rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("member_down, host edge-1, link bond0, member eth2", cells[1]);
        Assert.Equal(("user:nina", "modem swap"), (cells[4], cells[5]));
        Assert.NotNull(rows[0].QuerySelector("button[value=end-silence]"));
        Assert.Null(rows[1].QuerySelector("button"));
    }

    [Fact]
    public void Render_Rules_BuiltInAndCustomWithTheirCondition_OperatorsDeleteCustomOnesAndGetTheForm()
    {
        var page = RenderAs(DashboardRoles.Operator);

        var rows = page.FindAll("[data-testid=alert-rules] tbody tr");
        Assert.Equal(["loss_high", "bond_slow"], rows.Select(r => r.GetAttribute("data-rule")));
        var cells = rows[1].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(("custom", "txBytes below 1000000, per link, scope all", "00:02:00", "on"), (cells[1], cells[3], cells[4], cells[5]));
        Assert.Equal("lossPercent above 5", rows[0].QuerySelectorAll("td")[3].TextContent.Trim());
        Assert.Empty(rows[0].QuerySelectorAll("button"));
        var delete = Assert.Single(rows[1].QuerySelectorAll("button"));
        Assert.Equal(("delete-rule", "Delete rule bond_slow"), (delete.GetAttribute("value"), delete.GetAttribute("aria-label")));
        Assert.Equal("0d4c3b7a-3333-4a53-9d3e-3e1b8d1f0a03", rows[1].QuerySelector("input[name=RuleId]")!.GetAttribute("value"));
        var form = page.Find("[data-testid=rule-form] form");
        Assert.Equal(["_handler", "Command", "Rule.Name", "Rule.Metric", "Rule.Comparison", "Rule.Threshold", "Rule.ForSeconds", "Rule.Subject", "Rule.Scope", "Rule.Target", "Rule.Severity"],
            form.QuerySelectorAll("input[name], select[name]").Select(e => e.GetAttribute("name")).Where(n => n != "__RequestVerificationToken"));
        Assert.Contains("lossPercent", form.QuerySelectorAll("#rule-metric option").Select(o => o.GetAttribute("value")));
    }

    [Fact]
    public void Render_Rules_Viewer_NoDeleteNoForm()
    {
        var page = RenderAs(DashboardRoles.Viewer);

        Assert.Empty(page.FindAll("[data-testid=alert-rules] button"));
        Assert.Empty(page.FindAll("[data-testid=rule-form]"));
    }

    [Fact]
    public void Render_Receivers_StateAndDeliveryLogWithoutSecrets()
    {
        var failing = new AlertReceiverStateDto
        {
            Pending = 2, Abandoned = 1, LastAttemptAt = FakeAlerts.Now.AddSeconds(-5), LastError = "HTTP 500 Internal Server Error",
            NextAttemptAt = FakeAlerts.Now.AddSeconds(4),
        };
        _alerts.Receivers.AddRange([
            new AlertReceiverDto
            {
                Name = "pager", Kind = AlertReceiverKind.Webhook, Source = AlertReceiverSource.Api, Url = new Uri("https://hooks.example.net/fleet"),
                MinSeverity = AlertSeverity.Critical, HasSecret = true, State = failing,
            },
            new AlertReceiverDto
            {
                Name = "am", Kind = AlertReceiverKind.Alertmanager, Source = AlertReceiverSource.Configuration, Url = new Uri("http://alertmanager:9093/"),
                MinSeverity = AlertSeverity.Warning, HasSecret = false, State = new AlertReceiverStateDto { Pending = 0, Abandoned = 0 },
            },
        ]);
        var delivery = new AlertDeliveryDto
        {
            Id = Guid.NewGuid(), AlertId = Guid.NewGuid(), Rule = AlertRule.LinkDown, Summary = "bond0 on edge-1 is down", Status = AlertStatus.Firing,
            State = AlertDeliveryState.Pending, Attempts = 2, CreatedAt = FakeAlerts.Now.AddSeconds(-9), LastAttemptAt = failing.LastAttemptAt,
            NextAttemptAt = failing.NextAttemptAt, LastError = failing.LastError,
        };
        _alerts.Deliveries["pager"] = [delivery];

        var page = RenderAs(DashboardRoles.Viewer);

        var rows = page.FindAll("[data-testid=alert-receivers] tbody tr");
        Assert.Equal(["pager", "am"], rows.Select(r => r.GetAttribute("data-receiver")));
        Assert.Equal(["false", "true"], rows.Select(r => r.GetAttribute("data-healthy")));
        var cells = rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(("webhook (critical+)", "api", "2", "1", "HTTP 500 Internal Server Error"), (cells[1], cells[3], cells[4], cells[5], cells[9]));
        var log = page.Find("[data-testid=alert-deliveries][data-receiver=pager]");
        Assert.Equal("pending", log.QuerySelector($"tr[data-delivery='{delivery.Id}']")!.GetAttribute("data-state"));
        Assert.Empty(page.Find("[data-testid=alert-deliveries][data-receiver=am]").QuerySelectorAll("tbody tr"));
        Assert.Empty(page.FindAll("[data-testid=alert-receivers] button"));
    }

    [Fact]
    public void Render_FiltersAndPageInTheQuery_PassedToTheQueryAndKeptInTheForm()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/alerts?severity=critical&rule=link_down&page=3&host={FakeAlerts.HostId}");
        _alerts.History.Add(FakeAlerts.LinkDown() with { Status = AlertStatus.Resolved, ResolvedAt = FakeAlerts.Now });
        _alerts.HistoryTotal = 180;

        var page = RenderAs(DashboardRoles.Viewer);

        Assert.Equal(new AlertFilter(FakeAlerts.HostId, null, AlertSeverity.Critical, AlertRule.LinkDown, 3), _alerts.Filter);
        Assert.NotNull(page.Find("#a-severity option[value=critical][selected]"));
        Assert.NotNull(page.Find("#a-rule option[value=link_down][selected]"));
        Assert.Equal(FakeAlerts.HostId.ToString(), page.Find("form.filters input[name=host]").GetAttribute("value"));
        Assert.Equal("Page 3 of 4", page.Find(".pager__status").TextContent);
        Assert.NotNull(page.Find("[data-testid=alerts-firing-none]"));
    }

    [Fact]
    public void Render_CriticalAndWarning_CriticalReadsAsErrorWithItsWord()
    {
        _alerts.Firing.Add(FakeAlerts.LinkDown());

        var page = RenderAs(DashboardRoles.Viewer);

        var severity = page.Find("[data-testid=alerts-firing] .severity");
        Assert.Contains("severity--error", severity.ClassList);
        Assert.Equal("■critical", severity.TextContent);
        Assert.Equal(2, page.FindAll("[data-testid=alerts-firing] .alert-subject a").Count);
    }

    [Fact]
    public void Render_SilencedWhenFiredAndCoveredSince_TwoDifferentLabels()
    {
        _alerts.Firing.AddRange([FakeAlerts.MemberDown() with { SilencedBy = Guid.NewGuid() }, FakeAlerts.LinkDown() with { CoveredBy = Guid.NewGuid() }]);

        var page = RenderAs(DashboardRoles.Viewer);

        var rows = page.FindAll("[data-testid=alerts-firing] tbody tr");
        Assert.Equal("silenced", rows[0].QuerySelector("[data-testid=silenced]")!.TextContent);
        Assert.Null(rows[0].QuerySelector("[data-testid=silence-covers]"));
        Assert.Equal("silence in force, delivered before it", rows[1].QuerySelector("[data-testid=silence-covers]")!.TextContent);
        Assert.Null(rows[1].QuerySelector("[data-testid=silenced]"));
    }

    private IRenderedComponent<AlertsPage> RenderAs(string role) =>
        Render<AlertsPage>(p => p.AddCascadingValue(new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test")) }));

    private static SilenceRow Silence(SilenceState state) => new(
        Guid.NewGuid(), state, FakeAlerts.HostId, "edge-1", FakeAlerts.LinkId, "bond0", "eth2", AlertRule.MemberDown,
        FakeAlerts.Now.AddHours(-1), FakeAlerts.Now.AddHours(state == SilenceState.Expired ? -0.5 : 3), "user:nina", "modem swap");

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
