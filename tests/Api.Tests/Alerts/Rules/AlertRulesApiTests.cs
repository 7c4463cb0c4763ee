using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Alerts.Rules;

/// <summary>
/// Alert rules over REST on a real database (docs/alerts.md, "Custom rules"): the list with the built-in rules,
/// custom rules' validation, ETags, roles and audit, and the engine firing custom and threshold rules from samples that
/// went through the ingest pipeline an agent's batch takes (stored, then published to the live fan-out).
/// </summary>
public abstract class AlertRulesApiTests(DatabaseProvider provider, PostgresFixture postgres) : AlertsTestBase(provider, postgres)
{
    private long _sequence;

    [Fact]
    public async Task Create_InvalidFields_EveryFieldErrorAndNothingStored()
    {
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, "ops")).Secret);

        using var response = await operatorClient.PostAsJsonAsync("api/v1/alert-rules", new AlertRuleRequest
        {
            Name = "Loss!", Metric = "jitter", For = TimeSpan.FromDays(2), Scope = AlertRuleScope.Host,
            Labels = new Dictionary<string, string> { ["site"] = "a" },
        }, FleetJson.Options, Cancel);
        using var builtInName = await operatorClient.PostAsJsonAsync("api/v1/alert-rules", Rule("loss_high"), FleetJson.Options, Cancel);

        var errors = (await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["comparison", "for", "hostId", "labels", "metric", "name", "threshold"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var nameTaken = (await ProblemAssert.IsProblemAsync(builtInName, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["name"], nameTaken.EnumerateObject().Select(p => p.Name));
        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.AlertRules.CountAsync(Cancel));
    }

    // A selector value with a control character could never match a host's label (REST refuses those on hosts), yet
    // the rule was stored: the rule for labels is now one, shared with the hosts' REST.
    [Fact]
    public async Task Create_LabelValueWithAControlCharacter_RefusedAsHostLabelsAre()
    {
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, "ops")).Secret);

        using var response = await operatorClient.PostAsJsonAsync("api/v1/alert-rules", Rule("site_drops") with
        {
            Scope = AlertRuleScope.Labels,
            Labels = new Dictionary<string, string> { ["site"] = "north\u0007" },
        }, FleetJson.Options, Cancel);

        var errors = (await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["labels"], errors.EnumerateObject().Select(p => p.Name));
        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.AlertRules.CountAsync(Cancel));
    }

    [Fact]
    public async Task Rules_ViewerReadsOperatorChangesWithETags_AuditedEachTime()
    {
        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Viewer, "viewer")).Secret);
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Operator, "ops")).Secret);

        using var refused = await viewer.PostAsJsonAsync("api/v1/alert-rules", Rule("drops"), FleetJson.Options, Cancel);
        using var created = await operatorClient.PostAsJsonAsync("api/v1/alert-rules", Rule("drops"), FleetJson.Options, Cancel);
        var rule = await ReadAsync<AlertRuleDto>(created);
        using var duplicate = await operatorClient.PostAsJsonAsync("api/v1/alert-rules", Rule("drops"), FleetJson.Options, Cancel);
        using var unconditional = await operatorClient.PutAsJsonAsync($"api/v1/alert-rules/{rule.Id}", Rule("drops", threshold: 50), FleetJson.Options, Cancel);
        using var stale = await PutAsync(operatorClient, rule.Id!.Value, "\"alert-rule-00000000000000000000000000000000-9\"", Rule("drops", threshold: 50));
        using var replaced = await PutAsync(operatorClient, rule.Id.Value, created.Headers.ETag!.Tag, Rule("drops", threshold: 50));
        var list = await viewer.GetFromJsonAsync<List<AlertRuleDto>>("api/v1/alert-rules", FleetJson.Options, Cancel);
        using var deleted = await operatorClient.DeleteAsync($"api/v1/alert-rules/{rule.Id}", Cancel);

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(("drops", AlertRule.Custom, "rxDrops", "api_key:ops"), (rule.Name, rule.Rule, rule.Metric, rule.UpdatedBy));
        Assert.Equal(["name"], (await ProblemAssert.IsProblemAsync(duplicate, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await ProblemAssert.IsProblemAsync(unconditional, HttpStatusCode.PreconditionRequired);
        await ProblemAssert.IsProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal(50, (await ReadAsync<AlertRuleDto>(replaced)).Threshold);
        Assert.NotEqual(created.Headers.ETag!.Tag, replaced.Headers.ETag!.Tag);
        Assert.Equal(
            ["member_down", "member_flapping", "link_degraded", "link_down", "agent_offline", "rollout_failed", "loss_high", "latency_high", "jitter_high", "reorder_high", "aggregation_lost", "drift_detected", "agent_queue_overflow", "data_cap_warning", "data_cap_critical", "data_cap_exhausted", "drops"],
            list!.Select(r => r.Name));
        Assert.Equal((5.0, "lossPercent", true), (list![6].Threshold!.Value, list[6].Metric!, list[6].BuiltIn));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await using var db = Database.CreateContext();
        Assert.Equal(
            ["alert_rule.created", "alert_rule.deleted", "alert_rule.updated"],
            await db.AuditLog.Where(a => a.TargetId == rule.Id.ToString()).Select(a => a.Action).OrderBy(a => a).ToListAsync(Cancel));
    }

    [Fact]
    public async Task CustomRule_OverIngestedSamples_FiresOnceAndResolvesAfterHoldDown()
    {
        var (hostId, link) = await OnlineHostWithLinkAsync();
        using var created = await Client().PostAsJsonAsync("api/v1/alert-rules", Rule("drops") with { For = TimeSpan.FromSeconds(5), Severity = AlertSeverity.Critical }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await ReadAsync<AlertRuleDto>(created);

        // eth2 drops 500 packets a second for 20 s, then none: fired after the rule's 5 s, resolved 60 s (the hold-down) after.
        await EvaluateForAsync(TimeSpan.FromSeconds(100), elapsed => ReportAsync(hostId, link.Id, "eth2", s => s with { RxDrops = elapsed < TimeSpan.FromSeconds(20) ? 500 : 0 }));

        await using var db = Database.CreateContext();
        var alert = Assert.Single(await db.Alerts.AsNoTracking().Where(a => a.HostId == hostId).ToListAsync(Cancel));
        Assert.Equal((AlertRule.Custom, rule.Id, "drops", AlertSeverity.Critical, "eth2", AlertStatus.Resolved), (alert.Rule, alert.CustomRuleId, alert.CustomRuleName, alert.Severity, alert.Member, alert.Status));
        Assert.Equal(TimeSpan.FromSeconds(5), alert.FiredAt - alert.StartsAt);
        Assert.Equal(TimeSpan.FromSeconds(20 + 60 - 5), alert.ResolvedAt!.Value - alert.FiredAt);
        Assert.Equal(2, await db.AlertNotifications.CountAsync(n => n.AlertId == alert.Id, Cancel));
    }

    [Fact]
    public async Task LossThreshold_FromIngestedSamples_FiresAfterItsForAndRestoresAfterARestartOfTheEvaluator()
    {
        var (hostId, link) = await OnlineHostWithLinkAsync();

        await EvaluateForAsync(TimeSpan.FromSeconds(35), _ => ReportAsync(hostId, link.Id, "eth1", s => s with { LossPercent = 9 }));

        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(Client(), FleetRole.Viewer, "viewer")).Secret);
        var page = await viewer.GetFromJsonAsync<Page<AlertDto>>("api/v1/alerts?status=firing", FleetJson.Options, Cancel);
        var alert = Assert.Single(page!.Items);
        Assert.Equal((AlertRule.LossHigh, AlertSeverity.Warning, link.Id, "eth1"), (alert.Rule, alert.Severity, alert.LinkId, alert.Member));
        Assert.Equal($"Member eth1 of {link.Name} on site-a: lossPercent 9 > 5", alert.Summary);
        Assert.Equal(TimeSpan.FromSeconds(30), alert.FiredAt - alert.StartsAt);
    }

    [Fact]
    public async Task QueueOverflowEvent_StoredForTheHost_OneAgentQueueOverflowAlert()
    {
        var (hostId, _) = await OnlineHostWithLinkAsync();
        await using (var db = Database.CreateContext())
        {
            // An old overflow (outside the 10-minute window) and the one that counts.
            foreach (var ago in new[] { TimeSpan.FromHours(1), TimeSpan.FromSeconds(20) })
            {
                db.Events.Add(new EventEntity
                {
                    Id = Guid.CreateVersion7(), Time = UtcDateTimeConverter.ToStore((Clock.GetUtcNow() - ago).UtcDateTime), HostId = hostId,
                    Kind = AgentEventKind.QueueOverflow, Severity = EventSeverity.Warning, Message = "dropped 12 batches",
                });
            }

            await db.SaveChangesAsync(Cancel);
        }

        await EvaluateForAsync(TimeSpan.FromSeconds(2));

        await using var check = Database.CreateContext();
        var alert = Assert.Single(await check.Alerts.AsNoTracking().Where(a => a.HostId == hostId).ToListAsync(Cancel));
        Assert.Equal((AlertRule.AgentQueueOverflow, (Guid?)null, AlertStatus.Firing), (alert.Rule, alert.LinkId, alert.Status));
    }

    private static AlertRuleRequest Rule(string name, double threshold = 100) => new()
    {
        Name = name, Metric = "rxDrops", Comparison = AlertComparison.Above, Threshold = threshold,
    };

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, Guid id, string etag, AlertRuleRequest request)
    {
        var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/alert-rules/{id}") { Content = JsonContent.Create(request, options: FleetJson.Options) };
        put.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        return client.SendAsync(put, Cancel);
    }

    /// <summary>One second's samples of both members through the ingest pipeline, as the agent hub hands a valid batch on.</summary>
    private async Task ReportAsync(Guid hostId, Guid linkId, string member, Func<MemberSample, MemberSample> change)
    {
        var time = Clock.GetUtcNow();
        var samples = new[] { "eth1", "eth2" }
            .Select(m => new MemberSample { LinkId = linkId, Member = m, Time = time, IntervalMs = 1000, RttMs = 12, LossPercent = 0, Health = MemberHealth.Up })
            .Select(s => s.Member == member ? change(s) : s)
            .ToList();
        var ack = await Api.Services.GetRequiredService<SampleIngestion>().SubmitAsync(hostId, new SampleBatch { Sequence = ++_sequence, QueueId = Guid.Empty, Samples = samples }, Cancel);
        Assert.Null(ack.Rejected);
    }
}

public sealed class SqliteAlertRulesApiTests(PostgresFixture postgres) : AlertRulesApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAlertRulesApiTests(PostgresFixture postgres) : AlertRulesApiTests(DatabaseProvider.Postgres, postgres);
