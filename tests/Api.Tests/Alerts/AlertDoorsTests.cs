using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Alerts;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Alerts;

/// <summary>
/// Acknowledging and silencing through both doors, REST and the dashboard's Alerts page (<see cref="IAlertCommands"/>):
/// the same input gets the same result and writes the same audit row, because both call <c>AlertCommands</c> (issue 11).
/// The REST caller is an API key and the dashboard's the principal that key authenticates as, so both rows name the
/// same actor. The clock stands still, so both silences end at the same instant.
/// </summary>
public abstract class AlertDoorsTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private const string Operator = "night-shift";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Fleet:Alerts:Enabled"] = "false" };

    [Fact]
    public async Task Acknowledge_BothDoors_SameResultAcknowledgerAndAuditRow()
    {
        var (hostId, linkId) = await HostWithLinkAsync();
        var viaRest = await FiringAlertAsync(hostId, linkId, "eth1");
        var viaDashboard = await FiringAlertAsync(hostId, linkId, "eth2");
        using var rest = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, Operator)).Secret);

        using var restAnswer = await rest.PostAsync($"api/v1/alerts/{viaRest}/ack", null, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        await using var dashboard = DashboardAs(DashboardDoor.AsApiKey(FleetRoles.Operator, Operator));
        var dashboardAnswer = await dashboard.ServiceProvider.GetRequiredService<IAlertCommands>().AcknowledgeAsync(viaDashboard, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(restAnswer)).ToString(), Outcome(dashboardAnswer).ToString());
        Assert.True(dashboardAnswer.Succeeded);
        Assert.Equal(
            AuditRows.Normalize(restRow, new Dictionary<string, string> { [viaRest.ToString()] = "<alert>", ["eth1"] = "<member>" }),
            AuditRows.Normalize(dashboardRow, new Dictionary<string, string> { [viaDashboard.ToString()] = "<alert>", ["eth2"] = "<member>" }));
        Assert.Equal("alert.acknowledged", dashboardRow.Action);
        await using var db = Database.CreateContext();
        var acknowledged = await db.Alerts.AsNoTracking().Where(a => a.Id == viaRest || a.Id == viaDashboard).Select(a => new { a.AcknowledgedBy, a.AcknowledgedAt, a.Version }).ToListAsync(Cancel);
        Assert.Equal(2, acknowledged.Count);
        Assert.All(acknowledged, a => Assert.Equal(($"api_key:{Operator}", (DateTime?)acknowledged[0].AcknowledgedAt, 2L), (a.AcknowledgedBy, a.AcknowledgedAt, a.Version)));
    }

    [Fact]
    public async Task Silence_BothDoors_SameResultRowAndAuditRow()
    {
        var (hostId, linkId) = await HostWithLinkAsync();
        using var rest = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, Operator)).Secret);

        using var restAnswer = await rest.PostAsJsonAsync("api/v1/silences", new CreateAlertSilenceRequest
        {
            HostId = hostId, LinkId = linkId, Member = "eth2", Rule = AlertRule.MemberDown, EndsAt = Clock.GetUtcNow().AddHours(4), Reason = "modem swap",
        }, FleetJson.Options, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        await using var dashboard = DashboardAs(DashboardDoor.AsApiKey(FleetRoles.Operator, Operator));
        var dashboardAnswer = await dashboard.ServiceProvider.GetRequiredService<IAlertCommands>()
            .SilenceAsync(new SilenceRequest(hostId, linkId, "eth2", AlertRule.MemberDown, TimeSpan.FromHours(4), "modem swap"), Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal(HttpStatusCode.Created, restAnswer.StatusCode);
        Assert.Equal((await DoorOutcome.OfAsync(restAnswer)).ToString(), Outcome(dashboardAnswer).ToString());
        Assert.Equal(
            AuditRows.Normalize(restRow, new Dictionary<string, string> { [restRow.TargetId!] = "<silence>" }),
            AuditRows.Normalize(dashboardRow, new Dictionary<string, string> { [dashboardRow.TargetId!] = "<silence>" }));
        Assert.Equal("alert_silence.created", dashboardRow.Action);
        await using var db = Database.CreateContext();
        var silences = await db.AlertSilences.AsNoTracking().OrderBy(s => s.Id).ToListAsync(Cancel);
        Assert.Equal(2, silences.Count);
        Assert.Equal(
            (silences[0].HostId, silences[0].LinkId, silences[0].Member, silences[0].Rule, silences[0].StartsAt, silences[0].EndsAt, silences[0].Author, silences[0].Reason),
            (silences[1].HostId, silences[1].LinkId, silences[1].Member, silences[1].Rule, silences[1].StartsAt, silences[1].EndsAt, silences[1].Author, silences[1].Reason));
    }

    [Fact]
    public async Task Silence_Invalid_BothDoorsGiveTheSameFieldErrorsAndStoreNothing()
    {
        var (_, linkId) = await HostWithLinkAsync();
        using var rest = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, Operator)).Secret);
        var audited = await AuditRows.CountAsync(Database);

        // An ended range, a member name no interface can have, no reason.
        using var restAnswer = await rest.PostAsJsonAsync("api/v1/silences", new CreateAlertSilenceRequest
        {
            LinkId = linkId, Member = "not a name", EndsAt = Clock.GetUtcNow(), Reason = " ",
        }, FleetJson.Options, Cancel);
        await using var dashboard = DashboardAs(DashboardDoor.AsApiKey(FleetRoles.Operator, Operator));
        var dashboardAnswer = await dashboard.ServiceProvider.GetRequiredService<IAlertCommands>()
            .SilenceAsync(new SilenceRequest(null, linkId, "not a name", null, TimeSpan.Zero, " "), Cancel);

        var expected = await DoorOutcome.OfAsync(restAnswer);
        Assert.Equal(["endsAt", "member", "reason"], expected.Fields);
        Assert.Equal(expected.ToString(), Outcome(dashboardAnswer).ToString());
        Assert.Equal(audited, await AuditRows.CountAsync(Database));
        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.AlertSilences.CountAsync(Cancel));
    }

    [Fact]
    public async Task Viewer_BothDoorsRefuseAcknowledgeAndSilenceAndAuditNothing()
    {
        var (hostId, linkId) = await HostWithLinkAsync();
        var alertId = await FiringAlertAsync(hostId, linkId, "eth1");
        using var rest = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Viewer, "watcher")).Secret);
        var audited = await AuditRows.CountAsync(Database);

        using var restAck = await rest.PostAsync($"api/v1/alerts/{alertId}/ack", null, Cancel);
        await using var dashboard = DashboardAs(DashboardDoor.AsApiKey(FleetRoles.Viewer, "watcher"));
        var commands = dashboard.ServiceProvider.GetRequiredService<IAlertCommands>();
        var dashboardAck = await commands.AcknowledgeAsync(alertId, Cancel);
        var dashboardSilence = await commands.SilenceAsync(new SilenceRequest(hostId, null, null, null, TimeSpan.FromHours(1), "quiet please"), Cancel);

        // REST's authorization policy answers before the command runs; the command refuses the dashboard's caller itself.
        Assert.Equal(HttpStatusCode.Forbidden, restAck.StatusCode);
        Assert.Equal("refused [Acknowledging alerts needs the operator or admin role.] fields []", Outcome(dashboardAck).ToString());
        Assert.Equal("refused [Silencing alerts needs the operator or admin role.] fields []", Outcome(dashboardSilence).ToString());
        Assert.Equal(audited, await AuditRows.CountAsync(Database));
        await using var db = Database.CreateContext();
        Assert.Null(await db.Alerts.AsNoTracking().Where(a => a.Id == alertId).Select(a => a.AcknowledgedBy).SingleAsync(Cancel));
        Assert.Equal(0, await db.AlertSilences.CountAsync(Cancel));
    }

    /// <summary>The dashboard's data services in a request scope whose user is <paramref name="principal"/>, as the pages call them. Synchronous: the accessor's async-local value must flow to the caller.</summary>
    private AsyncServiceScope DashboardAs(ClaimsPrincipal principal)
    {
        var scope = Api.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = principal, RequestServices = scope.ServiceProvider };
        return scope;
    }

    /// <summary>The dashboard's answer as <see cref="DoorOutcome"/> reads REST's: field errors by field, a refusal's sentence on its own.</summary>
    private static DoorOutcome Outcome(AlertCommandResult result) => new(
        result.Succeeded,
        [.. result.Errors.SelectMany(e => e.Value).Order(StringComparer.Ordinal)],
        [.. result.Errors.Keys.Where(k => k.Length > 0).Order(StringComparer.Ordinal)]);

    private async Task<(Guid HostId, Guid LinkId)> HostWithLinkAsync()
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "site-a");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = enrolled.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (enrolled.HostId, (await ReadAsync<LinkDto>(created)).Id);
    }

    /// <summary>A firing <c>member_down</c> alert as the engine stores one (the engine's own tests drive it; here only the doors matter).</summary>
    private async Task<Guid> FiringAlertAsync(Guid hostId, Guid linkId, string member)
    {
        var now = UtcDateTimeConverter.ToStore(Clock.GetUtcNow().UtcDateTime);
        var alert = new AlertEntity
        {
            Id = Guid.CreateVersion7(), Rule = AlertRule.MemberDown, Severity = AlertSeverity.Warning, Status = AlertStatus.Firing,
            Subject = $"member_down/{hostId:N}/{linkId:N}/{member}", HostId = hostId, HostName = "site-a", LinkId = linkId, LinkName = "bond0",
            Member = member, Summary = $"bond0 on site-a: member {member} is down", StartsAt = now, FiredAt = now, Version = 1,
        };
        await using var db = Database.CreateContext();
        db.Alerts.Add(alert);
        await db.SaveChangesAsync(Cancel);
        return alert.Id;
    }
}

public sealed class SqliteAlertDoorsTests(PostgresFixture postgres) : AlertDoorsTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAlertDoorsTests(PostgresFixture postgres) : AlertDoorsTests(DatabaseProvider.Postgres, postgres);
