using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// A receiver's deliveries as the outbox (<c>alert_notifications</c>) records them: its state (pending, abandoned,
/// last attempt and its error, next retry) and its log, newest first. REST and the dashboard's Alerts page read both here.
/// </summary>
public static class AlertDeliveryLog
{
    /// <summary>The delivery state of the receiver named <paramref name="receiver"/>.</summary>
    public static async Task<AlertReceiverStateDto> StateAsync(FleetDbContext db, string receiver, CancellationToken cancellationToken)
    {
        var rows = db.AlertNotifications.AsNoTracking().Where(n => n.Receiver == receiver);
        var counts = await rows.Where(n => n.State != AlertNotificationState.Delivered)
            .GroupBy(n => n.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var last = await rows.Where(n => n.LastAttemptAt != null).OrderByDescending(n => n.LastAttemptAt)
            .Select(n => new { n.LastAttemptAt, n.LastError }).FirstOrDefaultAsync(cancellationToken);
        var delivered = await rows.Where(n => n.DeliveredAt != null).MaxAsync(n => n.DeliveredAt, cancellationToken);
        var next = await rows.Where(n => n.State == AlertNotificationState.Pending).MinAsync(n => (DateTime?)n.NextAttemptAt, cancellationToken);
        return new AlertReceiverStateDto
        {
            Pending = counts.Where(c => c.State == AlertNotificationState.Pending).Sum(c => c.Count),
            Abandoned = counts.Where(c => c.State == AlertNotificationState.Abandoned).Sum(c => c.Count),
            LastAttemptAt = Utc(last?.LastAttemptAt),
            LastDeliveredAt = Utc(delivered),
            LastError = last?.LastError,
            NextAttemptAt = Utc(next),
        };
    }

    /// <summary>The receiver's notifications newest first, before <paramref name="before"/> when given, at most <paramref name="take"/>.</summary>
    public static async Task<List<AlertDeliveryDto>> ListAsync(FleetDbContext db, string receiver, Guid? before, int take, CancellationToken cancellationToken)
    {
        var rows = db.AlertNotifications.AsNoTracking().Where(n => n.Receiver == receiver);
        if (before is { } cursor)
        {
            rows = rows.Where(n => n.Id.CompareTo(cursor) < 0);
        }

        var page = await rows.OrderByDescending(n => n.Id).Take(take)
            .Join(db.Alerts, n => n.AlertId, a => a.Id, (n, a) => new { Notification = n, a.Rule, a.Summary })
            .ToListAsync(cancellationToken);
        return [.. page.OrderByDescending(r => r.Notification.Id).Select(r => ToDto(r.Notification, r.Rule, r.Summary))];
    }

    private static AlertDeliveryDto ToDto(AlertNotificationEntity n, AlertRule rule, string summary) => new()
    {
        Id = n.Id,
        AlertId = n.AlertId,
        Rule = rule,
        Summary = summary,
        Status = n.Kind switch
        {
            AlertNotificationKind.Fired => AlertStatus.Firing,
            AlertNotificationKind.Resolved => AlertStatus.Resolved,
            _ => throw new ArgumentOutOfRangeException(nameof(n), n.Kind, "unknown notification kind"),
        },
        State = n.State switch
        {
            AlertNotificationState.Pending => AlertDeliveryState.Pending,
            AlertNotificationState.Delivered => AlertDeliveryState.Delivered,
            AlertNotificationState.Abandoned => AlertDeliveryState.Abandoned,
            _ => throw new ArgumentOutOfRangeException(nameof(n), n.State, "unknown notification state"),
        },
        Attempts = n.Attempts,
        CreatedAt = Utc(n.CreatedAt),
        LastAttemptAt = Utc(n.LastAttemptAt),
        NextAttemptAt = n.State == AlertNotificationState.Pending ? Utc(n.NextAttemptAt) : null,
        DeliveredAt = Utc(n.DeliveredAt),
        LastError = n.LastError,
    };

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}
