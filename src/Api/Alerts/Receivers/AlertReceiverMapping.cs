using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>Receivers as REST shows them, configured or stored; a secret is only ever said to exist.</summary>
public static class AlertReceiverMapping
{
    public static AlertReceiverDto ToDto(AlertReceiverOptions configured, AlertReceiverStateDto state) => new()
    {
        Name = configured.Name,
        Kind = configured.Kind,
        Source = AlertReceiverSource.Configuration,
        Url = configured.Url!,
        MinSeverity = configured.MinSeverity,
        HasSecret = configured.Secret is not null,
        State = state,
    };

    public static AlertReceiverDto ToDto(AlertReceiverEntity stored, AlertReceiverStateDto state) => new()
    {
        Name = stored.Name,
        Kind = stored.Kind,
        Source = AlertReceiverSource.Api,
        Url = new Uri(stored.Url),
        MinSeverity = stored.MinSeverity,
        HasSecret = stored.ProtectedSecret is not null,
        State = state,
        UpdatedBy = stored.UpdatedBy,
        UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(stored.UpdatedAt, DateTimeKind.Utc)),
    };

    /// <summary>What the audit log keeps of a receiver: everything but its secret.</summary>
    public static object ForAudit(AlertReceiverEntity stored) =>
        new { stored.Name, stored.Kind, stored.Url, stored.MinSeverity, HasSecret = stored.ProtectedSecret is not null };

    /// <summary>A stored receiver's strong ETag: its id and version.</summary>
    public static string ETag(AlertReceiverEntity stored) => $"\"alert-receiver-{stored.Id:N}-{stored.Version}\"";
}
