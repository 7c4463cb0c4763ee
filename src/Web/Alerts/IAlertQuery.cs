using Fleet.Contracts.Rest;

namespace Fleet.Web.Alerts;

/// <summary>Reads alerts and silences (docs/alerts.md) for the Alerts page, the header badge and the host and link pages.</summary>
public interface IAlertQuery
{
    /// <summary>What the Alerts page shows for <paramref name="filter"/>: the firing alerts, a page of the history, the silences.</summary>
    Task<AlertsOverview> GetAlertsAsync(AlertFilter filter, CancellationToken cancellationToken);

    /// <summary>The firing alerts of a host or a link (both null: of the whole fleet), most severe first.</summary>
    Task<IReadOnlyList<AlertRow>> GetFiringAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken);

    /// <summary>How many alerts fire in the whole fleet (the header's badge).</summary>
    Task<int> CountFiringAsync(CancellationToken cancellationToken);

    /// <summary>Every rule, as <c>GET /api/v1/alert-rules</c> lists them: built-in first, then custom by name.</summary>
    Task<IReadOnlyList<AlertRuleDto>> GetRulesAsync(CancellationToken cancellationToken);

    /// <summary>Every receiver with its delivery state, as <c>GET /api/v1/alert-receivers</c> lists them.</summary>
    Task<IReadOnlyList<AlertReceiverDto>> GetReceiversAsync(CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="count"/> entries of a receiver's delivery log.</summary>
    Task<IReadOnlyList<AlertDeliveryDto>> GetDeliveriesAsync(string receiver, int count, CancellationToken cancellationToken);
}

/// <summary>What the operator narrowed the Alerts page to (the query string).</summary>
/// <param name="HistoryPage">1-based page of the resolved alerts.</param>
public sealed record AlertFilter(Guid? HostId, Guid? LinkId, AlertSeverity? Severity, AlertRule? Rule, int HistoryPage)
{
    /// <summary>Resolved alerts per page.</summary>
    public const int HistoryPageSize = 50;

    /// <summary>Most silences listed (newest first).</summary>
    public const int MaxSilences = 100;

    /// <summary>The whole fleet, first page.</summary>
    public static AlertFilter Default { get; } = new(null, null, null, null, 1);
}

/// <summary>The Alerts page's three lists.</summary>
/// <param name="HistoryTotal">Resolved alerts matching the filter, on all pages.</param>
public sealed record AlertsOverview(
    IReadOnlyList<AlertRow> Firing,
    IReadOnlyList<AlertRow> History,
    int HistoryTotal,
    IReadOnlyList<SilenceRow> Silences);

/// <summary>One alert as the dashboard lists it.</summary>
/// <param name="SilencedBy">The silence in force when it fired: it was recorded, not delivered.</param>
/// <param name="CoveredBy">A silence in force now that covers it (firing alerts only). One made after the alert fired
/// does not take back what was delivered, nor stop Alertmanager's resends (docs/alerts.md, "Silences").</param>
public sealed record AlertRow(
    Guid Id,
    AlertRule Rule,
    AlertSeverity Severity,
    AlertStatus Status,
    Guid HostId,
    string HostName,
    Guid? LinkId,
    string? LinkName,
    string? Member,
    string Summary,
    DateTimeOffset FiredAt,
    DateTimeOffset? ResolvedAt,
    Guid? SilencedBy,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    Guid? CoveredBy = null);

/// <summary>Where a silence is in its time range.</summary>
public enum SilenceState
{
    /// <summary>In force now.</summary>
    Active,

    /// <summary>Starts later.</summary>
    Scheduled,

    /// <summary>Ended (or was ended early by deleting it: then it is gone, not listed).</summary>
    Expired,
}

/// <summary>A silence with its scope's names. Null scope fields match anything.</summary>
public sealed record SilenceRow(
    Guid Id,
    SilenceState State,
    Guid? HostId,
    string? HostName,
    Guid? LinkId,
    string? LinkName,
    string? Member,
    AlertRule? Rule,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string Author,
    string Reason);
