using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Alerts delivered as an ops team receives them (issue 11): a member of a real Api's link goes down on a hand-made
/// agent connection; a real Alertmanager gets the alert with its labels and sees it resolved after the member recovers,
/// and a real webhook endpoint that failed twice gets it on the third, signed, attempt.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class AlertDeliveryTests(PostgresFixture postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MemberDown_DeliveredToAlertmanagerAndSignedWebhook_ThenResolved()
    {
        Privileged.RequireTool(AlertmanagerServer.Binary, "prometheus-alertmanager");
        await using var alertmanager = await AlertmanagerServer.StartAsync(Cancel);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await using var webhook = await WebhookReceiver.StartAsync(secret, failFirst: 2);
        var settings = Settings(webhook, secret);
        settings["Fleet:Alerts:Receivers:1:Name"] = "alertmanager";
        settings["Fleet:Alerts:Receivers:1:Kind"] = "Alertmanager";
        settings["Fleet:Alerts:Receivers:1:Url"] = alertmanager.BaseAddress.ToString();
        await using var fleet = await FleetEnvironment.StartAsync(postgres, configuration: settings);
        string Detail() => $"alertmanager:\n{alertmanager.Output}\nwebhook: {string.Join('\n', webhook.Requests)}\napi:\n{fleet.Api.Output}";
        await using var site = await ReportingSite.StartAsync(fleet);
        var (host, link) = (site.Host, site.Link);
        var hostId = host.Id;

        await site.ReportAsync(MemberHealth.Up);
        await site.ReportAsync(MemberHealth.Down);

        // Alertmanager: the member-down alert with Fleet's labels and annotations.
        IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)> active = [];
        await Eventually.TrueAsync(async () => (active = await alertmanager.AlertsAsync(Cancel)).Count > 0, "the alert in Alertmanager", TimeSpan.FromSeconds(60), Detail);
        var (labels, annotations) = Assert.Single(active);
        Assert.Equal("member_down", labels["alertname"]);
        Assert.Equal("member_down", labels["rule"]);
        Assert.Equal("warning", labels["severity"]);
        Assert.Equal(host.Name, labels["host"]);
        Assert.Equal(link.Name, labels["link"]);
        Assert.Equal("eth1", labels["member"]);
        Assert.Equal($"Member eth1 of {link.Name} on {host.Name} is down", annotations["summary"]);
        Assert.Equal($"https://fleet.example.net/links/{link.Id}", annotations["dashboard_url"]);

        // The webhook: 500, 500, then accepted; the same delivery each time, each signed over its own timestamp.
        await Eventually.TrueAsync(() => webhook.Requests.Any(r => r.Answered == 200), "the webhook accepted the alert", TimeSpan.FromSeconds(60), Detail);
        var attempts = webhook.Requests;
        Assert.Equal([500, 500, 200], attempts.Take(3).Select(r => r.Answered));
        Assert.All(attempts, r => Assert.True(r.SignatureValid, $"signature of {r}"));
        Assert.Single(attempts.Take(3).Select(r => r.Delivery).Distinct());
        using (var body = JsonDocument.Parse(attempts[2].Body))
        {
            Assert.Equal("firing", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("member_down", body.RootElement.GetProperty("alert").GetProperty("rule").GetString());
            Assert.Equal("eth1", body.RootElement.GetProperty("alert").GetProperty("member").GetString());
        }

        Assert.False(WebhookReceiver.SignatureValid("another secret of at least thirty-two chars", attempts[2].Timestamp, attempts[2].Signature, System.Text.Encoding.UTF8.GetBytes(attempts[2].Body)));

        // Recovery: resolved after the hold-down, in Fleet, in Alertmanager and at the webhook.
        await site.ReportAsync(MemberHealth.Up);
        await Eventually.TrueAsync(async () => (await alertmanager.AlertsAsync(Cancel)).Count == 0, "the alert resolved in Alertmanager", TimeSpan.FromSeconds(60), Detail);
        await Eventually.TrueAsync(() => webhook.Requests.Any(r => r.Answered == 200 && r.Body.Contains("\"status\":\"resolved\"", StringComparison.Ordinal)), "the resolution at the webhook", TimeSpan.FromSeconds(60), Detail);
        var page = await fleet.Rest.Http.GetFromJsonAsync<Page<AlertDto>>($"api/v1/alerts?hostId={hostId}", FleetJson.Options, Cancel);
        var alert = Assert.Single(page!.Items);
        Assert.Equal((AlertRule.MemberDown, AlertStatus.Resolved, "eth1"), (alert.Rule, alert.Status, alert.Member));
        Assert.NotNull(alert.ResolvedAt);
        Assert.Equal(HttpStatusCode.OK, (await fleet.Rest.Http.PostAsync($"api/v1/alerts/{alert.Id}/ack", null, Cancel)).StatusCode);
    }

    [Fact]
    public async Task ApiKilledBeforeDelivery_DeliversAfterRestartWithoutFiringAgain()
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await using var webhook = await WebhookReceiver.StartAsync(secret, failFirst: int.MaxValue);
        await using var fleet = await FleetEnvironment.StartAsync(postgres, configuration: Settings(webhook, secret));
        string Detail() => $"webhook: {string.Join('\n', webhook.Requests)}\napi:\n{fleet.Api.Output}";
        await using (var site = await ReportingSite.StartAsync(fleet))
        {
            await site.ReportAsync(MemberHealth.Up);
            await site.ReportAsync(MemberHealth.Down);
            await Eventually.TrueAsync(() => webhook.Requests.Count > 0, "a first, refused, delivery attempt", TimeSpan.FromSeconds(60), Detail);

            // Killed between firing and delivery: the notification waits in the outbox.
            await fleet.Api.KillAsync();
        }

        Assert.Equal(1, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM alert_notifications WHERE state = 'Pending' AND kind = 'Fired'"));
        var refusedDelivery = webhook.Requests[0].Delivery;
        webhook.AcceptFromNow();
        await fleet.Api.RestartAsync(Cancel);

        await Eventually.TrueAsync(() => webhook.Requests.Any(r => r.Answered == 200), "the delivery after the restart", TimeSpan.FromSeconds(60), Detail);
        var delivered = webhook.Requests.First(r => r.Answered == 200);
        Assert.Equal(refusedDelivery, delivered.Delivery);
        Assert.True(delivered.SignatureValid);

        // The row is marked delivered after the receiver's answer arrives.
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM alert_notifications WHERE state = 'Delivered'") == 1,
            "the outbox row marked delivered", TimeSpan.FromSeconds(30), Detail);
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM alert_notifications WHERE state = 'Pending'"));

        // The restarted Api took the firing alert over instead of firing it again.
        await Task.Delay(TimeSpan.FromSeconds(3), Cancel);
        Assert.Equal(1, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM alerts"));
        Assert.Single(webhook.Requests, r => r.Answered == 200);
    }

    private static Dictionary<string, string> Settings(WebhookReceiver webhook, string secret) => new()
    {
        ["Fleet:Alerts:EvaluationInterval"] = "00:00:00.2",
        ["Fleet:Alerts:Rules:MemberDown:For"] = "00:00:01",
        ["Fleet:Alerts:HoldDown"] = "00:00:02",
        ["Fleet:Alerts:RetryMinDelay"] = "00:00:00.3",
        ["Fleet:Alerts:RetryMaxDelay"] = "00:00:01",
        ["Fleet:Alerts:AlertmanagerResendInterval"] = "00:00:02",
        ["Fleet:Alerts:DashboardUrl"] = "https://fleet.example.net/",
        ["Fleet:Alerts:Receivers:0:Name"] = "hook",
        ["Fleet:Alerts:Receivers:0:Kind"] = "Webhook",
        ["Fleet:Alerts:Receivers:0:Url"] = webhook.Url.ToString(),
        ["Fleet:Alerts:Receivers:0:Secret"] = secret,
    };

    /// <summary>An enrolled host on a hand-made agent connection, with a bond over eth0 and eth1 whose health it reports.</summary>
    private sealed class ReportingSite : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly Guid _queue = Guid.NewGuid();
        private long _sequence;

        private ReportingSite(HubConnection connection, HostDto host, LinkDto link)
        {
            _connection = connection;
            Host = host;
            Link = link;
        }

        public HostDto Host { get; }

        public LinkDto Link { get; }

        public static async Task<ReportingSite> StartAsync(FleetEnvironment fleet)
        {
            var (agent, hostId) = await fleet.EnrollAgentAsync();
            var connection = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, RawAgentConnection.CredentialOf(agent.DataDirectory));
            await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("alert-site"), Cancel);
            return new ReportingSite(connection, await fleet.Rest.GetHostAsync(hostId), await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond()));
        }

        /// <summary>One batch: eth0 up, eth1 as given.</summary>
        public async Task ReportAsync(MemberHealth eth1)
        {
            var time = DateTimeOffset.UtcNow;
            var ack = await _connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), new SampleBatch
            {
                Sequence = ++_sequence,
                QueueId = _queue,
                Samples =
                [
                    new MemberSample { LinkId = Link.Id, Member = "eth0", Time = time, IntervalMs = 1000, Health = MemberHealth.Up },
                    new MemberSample { LinkId = Link.Id, Member = "eth1", Time = time, IntervalMs = 1000, Health = eth1 },
                ],
            }, Cancel);
            Assert.Equal(_sequence, ack.Sequence);
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
