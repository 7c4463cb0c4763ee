using System.Text.Json;
using System.Text.Json.Serialization;
using Fleet.Api.Data.Entities;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>One alert in Alertmanager's v2 API (<c>postableAlert</c>).</summary>
public sealed record AlertmanagerAlert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL")] Uri? GeneratorUrl);

/// <summary>
/// Posts alerts to a Prometheus Alertmanager (<c>POST {Url}api/v2/alerts</c>). Labels: <c>alertname</c> and
/// <c>rule</c> (the rule's wire name), <c>severity</c>, <c>host</c>, <c>link</c> and <c>member</c> when the alert has
/// them; annotations <c>summary</c>, <c>dashboard_url</c> and <c>fleet_alert_id</c>. A firing alert's <c>endsAt</c> is
/// four resend intervals ahead (as Prometheus does): Alertmanager resolves it by itself if Fleet stops sending.
/// </summary>
public sealed class AlertmanagerSender(IHttpClientFactory clients, IOptions<AlertOptions> options, TimeProvider time)
{
    public Task<DeliveryResult> SendAsync(AlertReceiverOptions receiver, IReadOnlyList<AlertEntity> alerts, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(alerts.Select(ToPostable).ToList());
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.Url!, "api/v2/alerts")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        return SendDisposingAsync(request, cancellationToken);
    }

    /// <summary>The alert in Alertmanager's shape, as of now.</summary>
    public AlertmanagerAlert ToPostable(AlertEntity alert)
    {
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = AlertRuleInfo.AlertName(alert.Rule, alert.CustomRuleName),
            ["rule"] = AlertRuleInfo.WireName(alert.Rule),
            ["severity"] = Common.WireEnum.Name(alert.Severity),
            ["host"] = alert.HostName,
        };
        if (alert.LinkName is { } link)
        {
            labels["link"] = link;
        }

        if (alert.Member is { } member)
        {
            labels["member"] = member;
        }

        var dashboard = AlertMapping.DashboardLink(alert, options.Value.DashboardUrl);
        var annotations = new Dictionary<string, string> { ["summary"] = alert.Summary, ["fleet_alert_id"] = alert.Id.ToString() };
        if (dashboard is not null)
        {
            annotations["dashboard_url"] = dashboard.ToString();
        }

        var endsAt = alert.ResolvedAt is { } resolved
            ? new DateTimeOffset(DateTime.SpecifyKind(resolved, DateTimeKind.Utc))
            : time.GetUtcNow() + (4 * options.Value.AlertmanagerResendInterval);
        return new AlertmanagerAlert(labels, annotations, new DateTimeOffset(DateTime.SpecifyKind(alert.StartsAt, DateTimeKind.Utc)), endsAt, dashboard);
    }

    private async Task<DeliveryResult> SendDisposingAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await DeliveryResult.SendAsync(clients, request, cancellationToken);
        }
    }
}
