using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Alerts.Receivers;

/// <summary>
/// Alert receivers over REST on a real database (docs/alerts.md, "Receivers"): admin-only changes with ETags and field
/// errors, the secret encrypted at rest and never returned or audited, configured receivers listed read-only, and a
/// stored webhook's delivery state and log as a real HTTP endpoint first fails, then takes the signed notification.
/// </summary>
public abstract class AlertReceiversApiTests(DatabaseProvider provider, PostgresFixture postgres) : AlertsTestBase(provider, postgres)
{
    private static readonly string s_secret = "pager-secret-" + new string('p', 40);

    [Fact]
    public async Task Receivers_AdminChangesWithETags_OperatorRefusedSecretNeverShownOrStoredInClear()
    {
        using var admin = Client();
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator, "ops")).Secret);

        using var refused = await operatorClient.PostAsJsonAsync("api/v1/alert-receivers", Webhook("pager"), FleetJson.Options, Cancel);
        using var invalid = await admin.PostAsJsonAsync("api/v1/alert-receivers", new AlertReceiverRequest { Name = "Pager!", Kind = AlertReceiverKind.Webhook, Secret = "short" }, FleetJson.Options, Cancel);
        using var taken = await admin.PostAsJsonAsync("api/v1/alert-receivers", Webhook("hook"), FleetJson.Options, Cancel);
        using var created = await admin.PostAsJsonAsync("api/v1/alert-receivers", Webhook("pager"), FleetJson.Options, Cancel);
        var createdBody = await created.Content.ReadAsStringAsync(Cancel);
        using var unconditional = await admin.PutAsJsonAsync("api/v1/alert-receivers/pager", Webhook("pager"), FleetJson.Options, Cancel);
        using var replaced = await PutAsync(admin, "pager", created.Headers.ETag!.Tag, Webhook("pager") with { Secret = null, Url = new Uri("https://hooks.example.net/v2") });
        using var configured = await PutAsync(admin, "hook", "\"x\"", Webhook("hook"));
        var list = await operatorClient.GetFromJsonAsync<List<AlertReceiverDto>>("api/v1/alert-receivers", FleetJson.Options, Cancel);
        using var deleted = await admin.DeleteAsync("api/v1/alert-receivers/pager", Cancel);
        using var gone = await admin.GetAsync("api/v1/alert-receivers/pager", Cancel);

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
        var errors = (await ProblemAssert.IsProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["name", "secret", "url"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["name"], (await ProblemAssert.IsProblemAsync(taken, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(s_secret, createdBody, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(unconditional, HttpStatusCode.PreconditionRequired);
        Assert.Equal(new Uri("https://hooks.example.net/v2"), (await ReadAsync<AlertReceiverDto>(replaced)).Url);
        await ProblemAssert.IsProblemAsync(configured, HttpStatusCode.Conflict);
        Assert.Equal([("hook", AlertReceiverSource.Configuration, true), ("pager", AlertReceiverSource.Api, true)], list!.Select(r => (r.Name, r.Source, r.HasSecret)));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound);
        await using var db = Database.CreateContext();
        var audit = await db.AuditLog.Where(a => a.TargetType == "alert_receiver").OrderBy(a => a.Id).ToListAsync(Cancel);
        Assert.Equal(["alert_receiver.created", "alert_receiver.updated", "alert_receiver.deleted"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.DoesNotContain(s_secret, $"{a.Before}{a.After}", StringComparison.Ordinal));
    }

    // A chat webhook's path is its secret, and a password in a URL is one: viewers, the dashboard and the audit log saw
    // the whole URL, and a URL with user:password was accepted.
    [Fact]
    public async Task Url_OnlyAdminsSeeItsPathNoPasswordAcceptedAuditKeepsTheOrigin()
    {
        using var admin = Client();
        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "viewer")).Secret);
        var secretPath = new Uri("https://chat.example.net/hooks/T000/B000/xyzzy-token");

        using var withPassword = await admin.PostAsJsonAsync("api/v1/alert-receivers", Webhook("am") with
        {
            Kind = AlertReceiverKind.Alertmanager, Secret = null, Url = new Uri("https://fleet:hunter2@alertmanager.example.net:9093/"),
        }, FleetJson.Options, Cancel);
        using var created = await admin.PostAsJsonAsync("api/v1/alert-receivers", Webhook("chat") with { Url = secretPath }, FleetJson.Options, Cancel);
        var asViewer = await viewer.GetFromJsonAsync<List<AlertReceiverDto>>("api/v1/alert-receivers", FleetJson.Options, Cancel);
        var oneAsViewer = await viewer.GetFromJsonAsync<AlertReceiverDto>("api/v1/alert-receivers/chat", FleetJson.Options, Cancel);
        var asAdmin = await admin.GetFromJsonAsync<AlertReceiverDto>("api/v1/alert-receivers/chat", FleetJson.Options, Cancel);

        Assert.Equal(["url"], (await ProblemAssert.IsProblemAsync(withPassword, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Uri("https://chat.example.net/"), Assert.Single(asViewer!, r => r.Name == "chat").Url);
        Assert.Equal(new Uri("https://chat.example.net/"), oneAsViewer!.Url);
        Assert.Equal(secretPath, asAdmin!.Url);
        await using var db = Database.CreateContext();
        var audit = await db.AuditLog.Where(a => a.TargetType == "alert_receiver").ToListAsync(Cancel);
        Assert.All(audit, a => Assert.DoesNotContain("xyzzy-token", $"{a.Before}{a.After}", StringComparison.Ordinal));
    }

    // One stored secret the key ring cannot decrypt (a lost or foreign key ring) made reading the receivers throw, and
    // with it every evaluation's recording and every delivery, to the configured receivers too.
    [Fact]
    public async Task StoredSecretTheKeyRingCannotRead_OnlyThatReceiverLosesItsSecret()
    {
        await using (var db = Database.CreateContext())
        {
            db.AlertReceivers.Add(new AlertReceiverEntity
            {
                Id = Guid.CreateVersion7(), Name = "lost", Kind = AlertReceiverKind.Webhook, Url = "https://hooks.example.net/lost",
                ProtectedSecret = "CfDJ8-protected-by-a-key-ring-this-Api-does-not-have", UpdatedBy = "test", UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(Cancel);
        }

        var receivers = await Api.Services.GetRequiredService<AlertReceiverDirectory>().GetAsync(Cancel);

        Assert.Equal(["hook", "lost"], receivers.Select(r => r.Name));
        Assert.NotNull(receivers[0].Secret);
        Assert.Null(receivers[1].Secret);
    }

    [Fact]
    public async Task StoredWebhook_FailsThenAccepts_StateAndLogShowAttemptsErrorRetryAndSignedDelivery()
    {
        await using var endpoint = await WebhookReceiver.StartAsync(s_secret, failFirst: 1);
        using var admin = Client();
        using var created = await admin.PostAsJsonAsync("api/v1/alert-receivers", Webhook("pager") with { Url = endpoint.Url }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var (_, link) = await OnlineHostWithLinkAsync();
        await SetHealthAsync(link.Id, "eth2", MemberHealth.Down);
        await EvaluateForAsync(TimeSpan.FromSeconds(31));
        var dispatcher = Api.Services.GetRequiredService<AlertNotificationDispatcher>();

        await dispatcher.DeliverDueAsync(Cancel);
        var failing = await admin.GetFromJsonAsync<AlertReceiverDto>("api/v1/alert-receivers/pager", FleetJson.Options, Cancel);
        Clock.Advance(TimeSpan.FromSeconds(2));
        await dispatcher.DeliverDueAsync(Cancel);
        var delivered = await admin.GetFromJsonAsync<AlertReceiverDto>("api/v1/alert-receivers/pager", FleetJson.Options, Cancel);
        var log = await admin.GetFromJsonAsync<Page<AlertDeliveryDto>>("api/v1/alert-receivers/pager/deliveries?limit=10", FleetJson.Options, Cancel);

        Assert.Equal((1, "HTTP 500 Internal Server Error"), (failing!.State.Pending, failing.State.LastError));
        Assert.NotNull(failing.State.NextAttemptAt);
        Assert.Null(failing.State.LastDeliveredAt);
        Assert.Equal((0, (string?)null), (delivered!.State.Pending, delivered.State.LastError));
        Assert.NotNull(delivered.State.LastDeliveredAt);
        var entry = Assert.Single(log!.Items);
        Assert.Equal((AlertRule.MemberDown, AlertStatus.Firing, AlertDeliveryState.Delivered, 2), (entry.Rule, entry.Status, entry.State, entry.Attempts));
        Assert.Equal([(500, true), (200, true)], endpoint.Requests.Select(r => (r.Answered, r.SignatureValid)));
        Assert.All(endpoint.Requests, r => Assert.Equal(entry.Id.ToString(), r.Delivery));
        await using var db = Database.CreateContext();
        Assert.DoesNotContain(s_secret, (await db.AlertReceivers.SingleAsync(Cancel)).ProtectedSecret!, StringComparison.Ordinal);
    }

    private static AlertReceiverRequest Webhook(string name) => new()
    {
        Name = name, Kind = AlertReceiverKind.Webhook, Url = new Uri("https://hooks.example.net/fleet"), Secret = s_secret, MinSeverity = AlertSeverity.Warning,
    };

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string name, string etag, AlertReceiverRequest request)
    {
        var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/alert-receivers/{name}") { Content = JsonContent.Create(request, options: FleetJson.Options) };
        put.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        return client.SendAsync(put, Cancel);
    }
}

public sealed class SqliteAlertReceiversApiTests(PostgresFixture postgres) : AlertReceiversApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAlertReceiversApiTests(PostgresFixture postgres) : AlertReceiversApiTests(DatabaseProvider.Postgres, postgres);
