namespace Fleet.Contracts.Rest;

/// <summary>What kind of endpoint an alert receiver is (docs/alerts.md, "Receivers").</summary>
public enum AlertReceiverKind
{
    /// <summary>A Prometheus Alertmanager: its v2 API, <c>POST {url}api/v2/alerts</c>.</summary>
    Alertmanager,

    /// <summary>An HTTP endpoint that takes Fleet's JSON body, signed with the receiver's secret.</summary>
    Webhook,
}

/// <summary>Where a receiver's definition lives.</summary>
public enum AlertReceiverSource
{
    /// <summary>The Api's configuration (<c>Fleet:Alerts:Receivers</c>): read-only over REST.</summary>
    Configuration,

    /// <summary>Made over REST (<c>/api/v1/alert-receivers</c>), stored in the database.</summary>
    Api,
}

/// <summary>Where one notification to one receiver is in its delivery.</summary>
public enum AlertDeliveryState
{
    /// <summary>Not delivered yet; tried (again) at its next attempt.</summary>
    Pending,

    /// <summary>The receiver accepted it (2xx).</summary>
    Delivered,

    /// <summary>Still failing after the give-up time; kept for the record.</summary>
    Abandoned,
}

/// <summary>A receiver's delivery state: what its outbox holds and how its last attempts went.</summary>
public sealed record AlertReceiverStateDto
{
    /// <summary>Notifications waiting for their first or next attempt.</summary>
    public required int Pending { get; init; }

    /// <summary>Notifications given up on (all time).</summary>
    public required int Abandoned { get; init; }

    /// <summary>When the receiver was last tried, whatever came of it.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the receiver last accepted a notification.</summary>
    public DateTimeOffset? LastDeliveredAt { get; init; }

    /// <summary>The error of the newest attempt, when it failed.</summary>
    public string? LastError { get; init; }

    /// <summary>The earliest next attempt of a pending notification.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>An alert receiver as <c>GET /api/v1/alert-receivers</c> shows it. A webhook's secret is never shown.</summary>
public sealed record AlertReceiverDto
{
    /// <summary>Unique; the outbox and the delivery log name the receiver by it, and its URL is <c>/api/v1/alert-receivers/{name}</c>.</summary>
    public required string Name { get; init; }

    public required AlertReceiverKind Kind { get; init; }

    /// <summary>Configuration (read-only here) or Api.</summary>
    public required AlertReceiverSource Source { get; init; }

    /// <summary>Alertmanager: its base address; webhook: the URL posted to.</summary>
    public required Uri Url { get; init; }

    /// <summary>Only alerts of this severity or worse reach it.</summary>
    public required AlertSeverity MinSeverity { get; init; }

    /// <summary>Whether a signing secret is set (a webhook has one; it is write-only).</summary>
    public required bool HasSecret { get; init; }

    /// <summary>How its deliveries go.</summary>
    public required AlertReceiverStateDto State { get; init; }

    /// <summary>Api receivers: who last changed it.</summary>
    public string? UpdatedBy { get; init; }

    /// <summary>Api receivers: when it was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>
/// Body of <c>POST /api/v1/alert-receivers</c> and <c>PUT /api/v1/alert-receivers/{name}</c>. The name is the
/// receiver's identity (the outbox refers to it): a replacement keeps it.
/// </summary>
public sealed record AlertReceiverRequest
{
    /// <summary>1–64 of a–z, 0–9, <c>_</c> and <c>-</c>, starting with a letter; unique among configured and stored receivers.</summary>
    public string? Name { get; init; }

    public AlertReceiverKind? Kind { get; init; }

    /// <summary>An absolute http or https address.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// Webhook: the HMAC-SHA256 key (32–256 characters); required on create, kept when absent on replace. Alertmanager:
    /// none. Stored encrypted, never returned.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>Warning when absent.</summary>
    public AlertSeverity? MinSeverity { get; init; }
}

/// <summary>One notification in a receiver's delivery log (<c>GET /api/v1/alert-receivers/{name}/deliveries</c>).</summary>
public sealed record AlertDeliveryDto
{
    /// <summary>The outbox row's id: the webhook's <c>deliveryId</c>.</summary>
    public required Guid Id { get; init; }

    public required Guid AlertId { get; init; }

    /// <summary>The alert's rule and summary, as it was recorded.</summary>
    public required AlertRule Rule { get; init; }

    public required string Summary { get; init; }

    /// <summary>What the notification tells: the alert fired or resolved.</summary>
    public required AlertStatus Status { get; init; }

    public required AlertDeliveryState State { get; init; }

    public required int Attempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>Pending: when it is tried next.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? LastError { get; init; }
}
