using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>The JSON body of a webhook notification (docs/alerts.md, "Webhooks").</summary>
/// <param name="DeliveryId">The outbox row's id: the same on every retry of one notification, so receivers can drop repeats.</param>
/// <param name="Status">The alert's status this notification tells of.</param>
/// <param name="Alert">The alert as REST shows it.</param>
/// <param name="DashboardUrl">The dashboard page of its link or host, when <c>Fleet:Alerts:DashboardUrl</c> is set.</param>
public sealed record WebhookNotification(Guid DeliveryId, AlertStatus Status, AlertDto Alert, Uri? DashboardUrl);

/// <summary>
/// Posts a notification to a webhook, signed: <c>X-Fleet-Timestamp</c> (Unix seconds) and <c>X-Fleet-Signature:
/// sha256=HEX</c>, the HMAC-SHA256 with the receiver's secret over the timestamp, a dot and the body; a receiver checks
/// the signature and refuses old timestamps (replays).
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time)
{
    public const string TimestampHeader = "X-Fleet-Timestamp";
    public const string SignatureHeader = "X-Fleet-Signature";
    public const string DeliveryHeader = "X-Fleet-Delivery";

    /// <summary>The signature header's value for <paramref name="timestamp"/> and <paramref name="body"/>.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var message = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, message);
        message[timestamp.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(timestamp.Length + 1));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public async Task<DeliveryResult> SendAsync(AlertReceiverOptions receiver, AlertNotificationEntity notification, AlertEntity alert, Uri? dashboardUrl, CancellationToken cancellationToken)
    {
        var status = notification.Kind switch
        {
            AlertNotificationKind.Fired => AlertStatus.Firing,
            AlertNotificationKind.Resolved => AlertStatus.Resolved,
            _ => throw new ArgumentOutOfRangeException(nameof(notification), notification.Kind, "unknown notification kind"),
        };
        if (receiver.Secret is not { } secret)
        {
            // A stored receiver whose secret the key ring could not decrypt (AlertReceiverDirectory): never unsigned.
            return new DeliveryResult(false, "the receiver's signing secret cannot be read; set it again");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new WebhookNotification(notification.Id, status, AlertMapping.ToDto(alert), AlertMapping.DashboardLink(alert, dashboardUrl)), FleetJson.Options);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        request.Headers.Add(DeliveryHeader, notification.Id.ToString());
        return await DeliveryResult.SendAsync(clients, request, cancellationToken);
    }
}

/// <summary>How one delivery attempt went: delivered, or the reason it was not (kept in the outbox row).</summary>
public readonly record struct DeliveryResult(bool Delivered, string? Error)
{
    public const string HttpClientName = "fleet-alerts";

    /// <summary>Sends <paramref name="request"/>; any 2xx is delivered, anything else (status, network error, timeout) is not.</summary>
    public static async Task<DeliveryResult> SendAsync(IHttpClientFactory clients, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? new DeliveryResult(true, null)
                : new DeliveryResult(false, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, ex.Message);
        }
    }
}
