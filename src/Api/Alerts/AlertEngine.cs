using Fleet.Api.Alerts.Caps;
using Fleet.Api.Configuration;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>
/// The alert loop: every <see cref="AlertOptions.EvaluationInterval"/> reads the fleet's observed state, lets the
/// <see cref="AlertEvaluator"/> decide, stores its decisions (<see cref="AlertRecorder"/>) and wakes the delivery.
/// The evaluator starts from the alerts firing in the database, so a restart neither fires them again nor forgets them;
/// when storing fails (the database away, another replica that fired or resolved the same alert first) it starts over
/// from the database at the next tick.
/// </summary>
public sealed partial class AlertEngine(
    FleetObservationReader reader,
    AlertRecorder recorder,
    AlertNotificationDispatcher dispatcher,
    PendingDemotions demotions,
    IOptions<AlertOptions> options,
    DatabaseReadiness readiness,
    TimeProvider time,
    ILogger<AlertEngine> logger) : BackgroundService
{
    private AlertEvaluator? _evaluator;

    /// <summary>One evaluation (the loop calls it; tests call it directly).</summary>
    public async Task EvaluateOnceAsync(CancellationToken cancellationToken)
    {
        if (_evaluator is null)
        {
            var evaluator = new AlertEvaluator(options.Value, time);
            // Starting over (a restart included) owes again the demotions of the firing alerts: one recorded by a
            // process that died before demoting is made now; one already made is found done (PendingDemotions).
            demotions.Clear();
            foreach (var (id, condition, startsAt) in await recorder.LoadFiringAsync(cancellationToken))
            {
                evaluator.Restore(id, condition, startsAt);
                OweDemotion(id, condition, startsAt);
            }

            _evaluator = evaluator;
        }

        var observation = await reader.ReadAsync(cancellationToken);
        var transitions = _evaluator.Evaluate(observation);
        if (transitions.Count > 0)
        {
            try
            {
                if (await recorder.RecordAsync(transitions, cancellationToken))
                {
                    dispatcher.Wake();
                }
            }
            catch
            {
                _evaluator = null;
                throw;
            }

            foreach (var transition in transitions)
            {
                switch (transition.Kind)
                {
                    case AlertTransitionKind.Fired:
                        OweDemotion(transition.AlertId, transition.Condition, transition.StartsAt);
                        break;
                    case AlertTransitionKind.Resolved:
                        demotions.Remove(transition.AlertId);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown transition {transition.Kind}");
                }

                LogTransition(transition.Kind, AlertRuleInfo.AlertName(transition.Condition.Subject.Rule, transition.Condition.CustomRuleName), transition.AlertId, transition.Condition.Summary);
            }
        }

        await demotions.RunDueAsync(cancellationToken);
    }

    private void OweDemotion(Guid alertId, AlertCondition condition, DateTimeOffset startsAt)
    {
        if (condition.Subject is { Rule: AlertRule.DataCapExhausted, LinkId: { } linkId, Member: { } member })
        {
            demotions.Add(alertId, linkId, member, startsAt);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
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
                    await EvaluateOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogEvaluationFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Alert {Kind}: {Rule} ({AlertId}): {Summary}")]
    private partial void LogTransition(AlertTransitionKind kind, string rule, Guid alertId, string summary);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Evaluating alert rules failed; the evaluator starts over from the stored alerts")]
    private partial void LogEvaluationFailed(Exception exception);
}
