using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>
/// Sends every firing, unsilenced alert to each Alertmanager receiver again every
/// <see cref="AlertOptions.AlertmanagerResendInterval"/>, as Alertmanager expects of its clients: an alert that stops
/// arriving is resolved by it at its <c>endsAt</c>, so a lost Fleet does not leave pages open forever. Best effort: the
/// transitions themselves go through the durable outbox (<see cref="AlertNotificationDispatcher"/>).
/// </summary>
public sealed partial class AlertmanagerResender(
    IDbContextFactory<FleetDbContext> contexts,
    AlertmanagerSender sender,
    AlertReceiverDirectory directory,
    IOptions<AlertOptions> options,
    DatabaseReadiness readiness,
    TimeProvider time,
    ILogger<AlertmanagerResender> logger) : BackgroundService
{
    /// <summary>One round (the loop calls it; tests call it directly).</summary>
    public async Task ResendAsync(CancellationToken cancellationToken)
    {
        var receivers = (await directory.GetAsync(cancellationToken)).Where(r => r.Kind == AlertReceiverKind.Alertmanager).ToList();
        if (receivers.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var firing = await db.Alerts.AsNoTracking().Where(a => a.Status == AlertStatus.Firing && a.SilencedBy == null).ToListAsync(cancellationToken);
        foreach (var receiver in receivers)
        {
            var alerts = firing.Where(a => AlertSeverityOrder.AtLeast(a.Severity, receiver.MinSeverity)).ToList();
            if (alerts.Count == 0)
            {
                continue;
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(options.Value.DeliveryTimeout);
            var result = await sender.SendAsync(receiver, alerts, attempt.Token);
            if (!result.Delivered)
            {
                LogResendFailed(receiver.Name, alerts.Count, result.Error ?? "failed");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.AlertmanagerResendInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (readiness.Problem is not null)
                {
                    continue;
                }

                try
                {
                    await ResendAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogResendError(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3420, Level = LogLevel.Warning, Message = "Resending {Count} firing alerts to Alertmanager {Receiver} failed: {Error}")]
    private partial void LogResendFailed(string receiver, int count, string error);

    [LoggerMessage(EventId = 3421, Level = LogLevel.Warning, Message = "Resending firing alerts to Alertmanager failed")]
    private partial void LogResendError(Exception exception);
}
