using System.Threading.Channels;
using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>
/// Delivers the outbox (<c>alert_notifications</c>): due rows are claimed (their next attempt moved past the attempt's
/// timeout with a compare-and-set, so two replicas never send one row at once), sent, and marked delivered, or retried
/// after a delay that doubles from <see cref="AlertOptions.RetryMinDelay"/> to <see cref="AlertOptions.RetryMaxDelay"/>,
/// until <see cref="AlertOptions.GiveUpAfter"/>. A resolution waits until its firing reached the same receiver, so no
/// receiver hears of an end before its start. Woken by the engine, and every second regardless.
/// </summary>
public sealed partial class AlertNotificationDispatcher(
    IDbContextFactory<FleetDbContext> contexts,
    WebhookSender webhooks,
    AlertmanagerSender alertmanager,
    AlertReceiverDirectory receivers,
    IOptions<AlertOptions> options,
    DatabaseReadiness readiness,
    TimeProvider time,
    ILogger<AlertNotificationDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>New notifications are queued: deliver them now rather than at the next second.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Sends what is due; returns how many were delivered (the loop calls it; tests call it directly).</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var due = await db.AlertNotifications.AsNoTracking()
            .Where(n => n.State == AlertNotificationState.Pending && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt).Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var alertIds = due.Select(n => n.AlertId).Distinct().ToList();
        var alerts = await db.Alerts.AsNoTracking().Where(a => alertIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var firingUndelivered = (await db.AlertNotifications.AsNoTracking()
                .Where(n => alertIds.Contains(n.AlertId) && n.Kind == AlertNotificationKind.Fired && n.State == AlertNotificationState.Pending)
                .Select(n => new { n.AlertId, n.Receiver })
                .ToListAsync(cancellationToken))
            .Select(n => (n.AlertId, n.Receiver)).ToHashSet();
        var delivered = 0;
        foreach (var notification in due)
        {
            if (notification.Kind == AlertNotificationKind.Resolved && firingUndelivered.Contains((notification.AlertId, notification.Receiver)))
            {
                continue;
            }

            var lease = UtcDateTimeConverter.ToStore(now + (2 * settings.DeliveryTimeout));
            var claimed = await db.AlertNotifications
                .Where(n => n.Id == notification.Id && n.State == AlertNotificationState.Pending && n.NextAttemptAt == notification.NextAttemptAt)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.NextAttemptAt, lease), cancellationToken) == 1;
            if (!claimed)
            {
                continue;
            }

            var result = await SendAsync(notification, alerts[notification.AlertId], cancellationToken);
            var after = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
            var attempts = notification.Attempts + 1;
            if (result.Delivered)
            {
                delivered++;
                if (notification.Kind == AlertNotificationKind.Fired)
                {
                    firingUndelivered.Remove((notification.AlertId, notification.Receiver));
                }

                await db.AlertNotifications.Where(n => n.Id == notification.Id).ExecuteUpdateAsync(
                    s => s.SetProperty(n => n.State, AlertNotificationState.Delivered).SetProperty(n => n.Attempts, attempts)
                        .SetProperty(n => n.DeliveredAt, after).SetProperty(n => n.LastAttemptAt, after).SetProperty(n => n.LastError, (string?)null),
                    cancellationToken);
                continue;
            }

            var error = Cut(result.Error ?? "failed");
            var abandon = after - notification.CreatedAt >= settings.GiveUpAfter;
            var next = UtcDateTimeConverter.ToStore(after + RetryDelay(attempts, settings));
            var state = abandon ? AlertNotificationState.Abandoned : AlertNotificationState.Pending;
            await db.AlertNotifications.Where(n => n.Id == notification.Id).ExecuteUpdateAsync(
                s => s.SetProperty(n => n.State, state).SetProperty(n => n.Attempts, attempts).SetProperty(n => n.LastAttemptAt, after)
                    .SetProperty(n => n.NextAttemptAt, next).SetProperty(n => n.LastError, error),
                cancellationToken);
            if (abandon)
            {
                LogAbandoned(notification.Receiver, notification.Id, attempts, error);
            }
            else
            {
                LogRetry(notification.Receiver, notification.Id, attempts, error, next);
            }
        }

        return delivered;
    }

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt: the minimum, doubled per attempt, capped.</summary>
    public static TimeSpan RetryDelay(int attempts, AlertOptions options)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(options.RetryMinDelay.Ticks * factor, options.RetryMaxDelay.Ticks));
        return delay < options.RetryMinDelay ? options.RetryMinDelay : delay;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var second = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    second.CancelAfter(TimeSpan.FromSeconds(1));
                    try
                    {
                        await _wake.Reader.WaitToReadAsync(second.Token);
                        _wake.Reader.TryRead(out _);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }

                if (readiness.Problem is not null)
                {
                    continue;
                }

                try
                {
                    while (await DeliverDueAsync(stoppingToken) > 0)
                    {
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogDeliveryFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<DeliveryResult> SendAsync(AlertNotificationEntity notification, AlertEntity alert, CancellationToken cancellationToken)
    {
        var receiver = (await receivers.GetAsync(cancellationToken)).FirstOrDefault(r => r.Name == notification.Receiver);
        if (receiver is null)
        {
            return new DeliveryResult(false, "no receiver of this name is configured");
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.Value.DeliveryTimeout);
        return receiver.Kind switch
        {
            AlertReceiverKind.Webhook => await webhooks.SendAsync(receiver, notification, alert, options.Value.DashboardUrl, attempt.Token),
            AlertReceiverKind.Alertmanager => await alertmanager.SendAsync(receiver, [alert], attempt.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(notification), receiver.Kind, "unknown receiver kind"),
        };
    }

    private static string Cut(string text) => text.Length <= AlertNotificationEntity.ErrorMaxLength ? text : text[..AlertNotificationEntity.ErrorMaxLength];

    [LoggerMessage(EventId = 3410, Level = LogLevel.Warning, Message = "Alert notification {NotificationId} to {Receiver} failed (attempt {Attempts}: {Error}); next attempt at {NextAttemptAt:o}")]
    private partial void LogRetry(string receiver, Guid notificationId, int attempts, string error, DateTime nextAttemptAt);

    [LoggerMessage(EventId = 3411, Level = LogLevel.Error, Message = "Alert notification {NotificationId} to {Receiver} abandoned after {Attempts} attempts: {Error}")]
    private partial void LogAbandoned(string receiver, Guid notificationId, int attempts, string error);

    [LoggerMessage(EventId = 3412, Level = LogLevel.Warning, Message = "Delivering alert notifications failed")]
    private partial void LogDeliveryFailed(Exception exception);
}
