using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// Receivers as REST and the dashboard show them, configured or stored; a secret is only ever said to exist. A webhook
/// URL's path and query are often a secret themselves (chat webhooks), so only admins see the whole URL; everyone else,
/// and the audit log, sees its origin (scheme, host, port).
/// </summary>
public static class AlertReceiverMapping
{
    /// <summary>The URL as <paramref name="admin"/> or anyone else may see it.</summary>
    public static Uri Shown(Uri url, bool admin) => admin ? url : new Uri(url.GetLeftPart(UriPartial.Authority) + "/");

    public static AlertReceiverDto ToDto(AlertReceiverOptions configured, AlertReceiverStateDto state, bool admin) => new()
    {
        Name = configured.Name,
        Kind = configured.Kind,
        Source = AlertReceiverSource.Configuration,
        Url = Shown(configured.Url!, admin),
        MinSeverity = configured.MinSeverity,
        HasSecret = configured.Secret is not null,
        State = state,
    };

    public static AlertReceiverDto ToDto(AlertReceiverEntity stored, AlertReceiverStateDto state, bool admin) => new()
    {
        Name = stored.Name,
        Kind = stored.Kind,
        Source = AlertReceiverSource.Api,
        Url = Shown(new Uri(stored.Url), admin),
        MinSeverity = stored.MinSeverity,
        HasSecret = stored.ProtectedSecret is not null,
        State = state,
        UpdatedBy = stored.UpdatedBy,
        UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(stored.UpdatedAt, DateTimeKind.Utc)),
    };

    /// <summary>What the audit log keeps of a receiver: everything but its secret and its URL's path and query.</summary>
    public static object ForAudit(AlertReceiverEntity stored) =>
        new { stored.Name, stored.Kind, Url = Shown(new Uri(stored.Url), admin: false), stored.MinSeverity, HasSecret = stored.ProtectedSecret is not null };

    /// <summary>A stored receiver's strong ETag: its id and version.</summary>
    public static string ETag(AlertReceiverEntity stored) => $"\"alert-receiver-{stored.Id:N}-{stored.Version}\"";
}
