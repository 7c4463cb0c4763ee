using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts;

/// <summary>
/// Stores what the evaluator decided: a fired alert's row, a resolved alert's status, and, in the same transaction, one
/// outbox row per receiver that should hear of it (none for an alert a silence covered when it fired), so a
/// notification is never lost between the decision and its delivery.
/// </summary>
public sealed class AlertRecorder(IDbContextFactory<FleetDbContext> contexts, AlertReceiverDirectory receivers, TimeProvider time)
{
    /// <summary>The alerts firing now, for an evaluator that starts (again) to take over.</summary>
    public async Task<IReadOnlyList<(Guid Id, AlertCondition Condition, DateTimeOffset StartsAt)>> LoadFiringAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Alerts.AsNoTracking().Where(a => a.Status == AlertStatus.Firing).ToListAsync(cancellationToken);
        return rows
            .Select(a => (a.Id, Restored(a), new DateTimeOffset(a.StartsAt, TimeSpan.Zero)))
            .ToList();
    }

    /// <summary>Stores <paramref name="transitions"/> in one transaction; true when some notification was queued.</summary>
    public async Task<bool> RecordAsync(IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        var to = await receivers.GetAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.StartsAt <= now && s.EndsAt > now).ToListAsync(cancellationToken);
        var resolvedIds = transitions.Where(t => t.Kind == AlertTransitionKind.Resolved).Select(t => t.AlertId).ToList();
        var resolving = await db.Alerts.Where(a => resolvedIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var queued = false;
        foreach (var transition in transitions)
        {
            switch (transition.Kind)
            {
                case AlertTransitionKind.Fired:
                    var alert = NewAlert(transition, AlertSilenceRule.FirstCovering(silences, transition.Condition.Subject, now)?.Id);
                    db.Alerts.Add(alert);
                    queued |= alert.SilencedBy is null && Enqueue(db, to, alert, AlertNotificationKind.Fired, now);
                    break;
                case AlertTransitionKind.Resolved:
                    if (resolving.TryGetValue(transition.AlertId, out var resolved) && resolved.Status == AlertStatus.Firing)
                    {
                        resolved.Status = AlertStatus.Resolved;
                        resolved.ResolvedAt = UtcDateTimeConverter.ToStore(transition.At.UtcDateTime);
                        resolved.Version++;
                        queued |= resolved.SilencedBy is null && Enqueue(db, to, resolved, AlertNotificationKind.Resolved, now);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(transitions), transition.Kind, "unknown transition");
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return queued;
    }

    private static AlertCondition Restored(AlertEntity alert) =>
        new(new AlertSubject(alert.Rule, alert.HostId, alert.LinkId, alert.Member, alert.CustomRuleId), alert.HostName, alert.LinkName, alert.Summary)
        {
            Severity = alert.Severity,
            CustomRuleName = alert.CustomRuleName,
        };

    private static AlertEntity NewAlert(AlertTransition transition, Guid? silencedBy)
    {
        var condition = transition.Condition;
        return new AlertEntity
        {
            Id = transition.AlertId,
            Rule = condition.Subject.Rule,
            Severity = condition.Severity,
            Status = AlertStatus.Firing,
            Subject = condition.Subject.Key,
            HostId = condition.Subject.HostId,
            HostName = Cut(condition.HostName, HostEntity.NameMaxLength),
            LinkId = condition.Subject.LinkId,
            LinkName = condition.LinkName,
            Member = condition.Subject.Member,
            CustomRuleId = condition.Subject.CustomRuleId,
            CustomRuleName = condition.CustomRuleName,
            Summary = Cut(condition.Summary, AlertEntity.SummaryMaxLength),
            StartsAt = UtcDateTimeConverter.ToStore(transition.StartsAt.UtcDateTime),
            FiredAt = UtcDateTimeConverter.ToStore(transition.At.UtcDateTime),
            SilencedBy = silencedBy,
        };
    }

    private static bool Enqueue(FleetDbContext db, IReadOnlyList<AlertReceiverOptions> to, AlertEntity alert, AlertNotificationKind kind, DateTime now)
    {
        var queued = false;
        foreach (var receiver in to)
        {
            if (AlertSeverityOrder.AtLeast(alert.Severity, receiver.MinSeverity))
            {
                db.AlertNotifications.Add(new AlertNotificationEntity
                {
                    Id = Guid.CreateVersion7(),
                    AlertId = alert.Id,
                    Receiver = receiver.Name,
                    Kind = kind,
                    State = AlertNotificationState.Pending,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
                queued = true;
            }
        }

        return queued;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}

/// <summary>Severities in order of urgency.</summary>
public static class AlertSeverityOrder
{
    public static bool AtLeast(AlertSeverity severity, AlertSeverity minimum) => Rank(severity) >= Rank(minimum);

    private static int Rank(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Warning => 0,
        AlertSeverity.Critical => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown severity"),
    };
}
