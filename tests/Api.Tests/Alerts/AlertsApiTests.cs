using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Alerts;

/// <summary>
/// The alert engine on a real database (its loops off, driven step by step on the fake clock) and the alerts REST API:
/// firing, listing, acknowledging with ETags and roles, silences with their validation and audit, silenced alerts
/// recorded without a notification.
/// </summary>
public abstract class AlertsApiTests(DatabaseProvider provider, PostgresFixture postgres) : AlertsTestBase(provider, postgres)
{
    [Fact]
    public async Task MemberDown_FiredByTheEngine_ListedAndAcknowledgedWithItsETag()
    {
        var (hostId, link) = await OnlineHostWithLinkAsync();
        await SetHealthAsync(link.Id, "eth2", MemberHealth.Down);
        await EvaluateForAsync(TimeSpan.FromSeconds(31));

        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Viewer, "viewer")).Secret);
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, "night-shift")).Secret);
        var page = await viewer.GetFromJsonAsync<Page<AlertDto>>("api/v1/alerts?status=firing", FleetJson.Options, Cancel);
        var alert = Assert.Single(page!.Items);
        Assert.Equal((AlertRule.MemberDown, AlertSeverity.Warning, hostId, link.Id, "eth2"), (alert.Rule, alert.Severity, alert.HostId, alert.LinkId, alert.Member));
        using var read = await viewer.GetAsync($"api/v1/alerts/{alert.Id}", Cancel);
        var etag = read.Headers.ETag!.Tag;

        using var byViewer = await viewer.PostAsync($"api/v1/alerts/{alert.Id}/ack", null, Cancel);
        await ProblemAssert.IsProblemAsync(byViewer, HttpStatusCode.Forbidden);
        using var stale = new HttpRequestMessage(HttpMethod.Post, $"api/v1/alerts/{alert.Id}/ack");
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"alert-{alert.Id:N}-7\""));
        await ProblemAssert.IsProblemAsync(await operatorClient.SendAsync(stale, Cancel), HttpStatusCode.PreconditionFailed);
        using var ack = new HttpRequestMessage(HttpMethod.Post, $"api/v1/alerts/{alert.Id}/ack");
        ack.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var acked = await operatorClient.SendAsync(ack, Cancel);

        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        var acknowledged = await ReadAsync<AlertDto>(acked);
        Assert.Equal("api_key:night-shift", acknowledged.AcknowledgedBy);
        Assert.NotEqual(etag, acked.Headers.ETag!.Tag);
        await using var db = Database.CreateContext();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "alert.acknowledged" && a.TargetId == alert.Id.ToString() && a.Actor == "api_key:night-shift", Cancel));
        Assert.Equal(1, await db.AlertNotifications.CountAsync(n => n.AlertId == alert.Id, Cancel));
    }

    [Fact]
    public async Task Silence_CoveringTheMember_AlertRecordedButNotQueuedForDelivery()
    {
        var (hostId, link) = await OnlineHostWithLinkAsync();
        using var created = await Client().PostAsJsonAsync("api/v1/silences", new CreateAlertSilenceRequest
        {
            LinkId = link.Id, Member = "eth2", EndsAt = Clock.GetUtcNow().AddHours(2), Reason = "modem swap at site A",
        }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await ReadAsync<AlertSilenceDto>(created);
        Assert.StartsWith("api_key:", silence.Author, StringComparison.Ordinal);

        await SetHealthAsync(link.Id, "eth1", MemberHealth.Degraded);
        await SetHealthAsync(link.Id, "eth2", MemberHealth.Down);
        await EvaluateForAsync(TimeSpan.FromSeconds(31));

        await using var db = Database.CreateContext();
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.HostId == hostId).ToListAsync(Cancel);
        var silenced = Assert.Single(alerts, a => a.Rule == AlertRule.MemberDown);
        Assert.Equal(silence.Id, silenced.SilencedBy);
        Assert.Equal(0, await db.AlertNotifications.CountAsync(n => n.AlertId == silenced.Id, Cancel));
        var degraded = Assert.Single(alerts, a => a.Rule == AlertRule.LinkDegraded);
        Assert.Null(degraded.SilencedBy);
        Assert.Equal(1, await db.AlertNotifications.CountAsync(n => n.AlertId == degraded.Id, Cancel));
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "alert_silence.created" && a.TargetId == silence.Id.ToString(), Cancel));
    }

    [Fact]
    public async Task CreateSilence_Invalid_ReturnsEveryFieldError()
    {
        using var response = await Client().PostAsJsonAsync("api/v1/silences", new CreateAlertSilenceRequest
        {
            Member = "eth2", EndsAt = Clock.GetUtcNow().AddMinutes(-1), Reason = " ",
        }, FleetJson.Options, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["endsAt", "hostId", "member", "reason"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.AlertSilences.CountAsync(Cancel));
    }

    [Fact]
    public async Task DeleteSilence_Operator_RemovedAndAuditedThen404()
    {
        var (hostId, _) = await OnlineHostWithLinkAsync();
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, "ops")).Secret);
        using var created = await operatorClient.PostAsJsonAsync("api/v1/silences", new CreateAlertSilenceRequest
        {
            HostId = hostId, EndsAt = Clock.GetUtcNow().AddHours(1), Reason = "maintenance window",
        }, FleetJson.Options, Cancel);
        var silence = await ReadAsync<AlertSilenceDto>(created);
        Assert.Equal("api_key:ops", silence.Author);
        var listed = await operatorClient.GetFromJsonAsync<Page<AlertSilenceDto>>("api/v1/silences?active=true", FleetJson.Options, Cancel);
        Assert.Equal(silence.Id, Assert.Single(listed!.Items).Id);

        using var deleted = await operatorClient.DeleteAsync($"api/v1/silences/{silence.Id}", Cancel);
        using var again = await operatorClient.DeleteAsync($"api/v1/silences/{silence.Id}", Cancel);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound);
        await using var db = Database.CreateContext();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "alert_silence.deleted" && a.Actor == "api_key:ops", Cancel));
    }
}

public sealed class SqliteAlertsApiTests(PostgresFixture postgres) : AlertsApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAlertsApiTests(PostgresFixture postgres) : AlertsApiTests(DatabaseProvider.Postgres, postgres);
