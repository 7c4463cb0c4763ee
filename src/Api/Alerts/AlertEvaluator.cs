using Fleet.Api.Alerts.Rules;


namespace Fleet.Api.Alerts;

/// <summary>An alert fired or resolved.</summary>
public enum AlertTransitionKind
{
    Fired,
    Resolved,
}

/// <summary>What one evaluation changed: an alert (its id) fired or resolved, with the condition as last seen.</summary>
public sealed record AlertTransition(AlertTransitionKind Kind, Guid AlertId, AlertCondition Condition, DateTimeOffset StartsAt, DateTimeOffset At);

/// <summary>
/// The alerts' state machine (docs/alerts.md, "Damping"): a condition becomes pending when first seen, fires once it has
/// held for its rule's "for", and resolves once it has been clear for the hold-down time; a condition that returns
/// during the hold-down keeps the same alert. Frozen subjects (<see cref="AlertConditions.IsFrozen"/>) neither start
/// nor resolve. Pure: time from the <see cref="TimeProvider"/>, input from the caller, so unit tests drive it with a
/// fake clock. Not thread-safe: one engine loop owns it.
/// </summary>
public sealed class AlertEvaluator(AlertOptions options, TimeProvider time)
{
    private readonly Dictionary<AlertSubject, Track> _tracks = [];
    private readonly FlapTracker _flaps = new(options.FlapChanges, options.FlapWindow);
    private readonly AggregationTracker _aggregation = new(options.Rules.AggregationLost);

    /// <summary>Subjects whose alert fires now.</summary>
    public IEnumerable<AlertSubject> Firing => _tracks.Where(t => t.Value.AlertId is not null).Select(t => t.Key);

    /// <summary>Takes over an alert that was firing before (an Api restart): it is not fired again.</summary>
    public void Restore(Guid alertId, AlertCondition condition, DateTimeOffset startsAt) =>
        _tracks[condition.Subject] = new Track(condition, startsAt) { AlertId = alertId };

    /// <summary>Evaluates the rules over <paramref name="observation"/> and returns what fired and what resolved.</summary>
    public IReadOnlyList<AlertTransition> Evaluate(FleetObservation observation)
    {
        var now = time.GetUtcNow();
        var conditions = AlertConditions.Evaluate(observation, options, _flaps, _aggregation, now);
        var transitions = new List<AlertTransition>();
        foreach (var (subject, condition) in conditions.Holding)
        {
            var frozen = conditions.IsFrozen(subject);
            if (!_tracks.TryGetValue(subject, out var track))
            {
                if (frozen)
                {
                    continue;
                }

                track = new Track(condition, now);
                _tracks[subject] = track;
            }

            track.Condition = condition;
            track.ClearSince = null;
            if (track.AlertId is null)
            {
                if (frozen)
                {
                    _tracks.Remove(subject);
                }
                else if (now - track.PendingSince >= (condition.For ?? options.For(subject.Rule)))
                {
                    track.AlertId = Guid.CreateVersion7(now);
                    transitions.Add(new AlertTransition(AlertTransitionKind.Fired, track.AlertId.Value, condition, track.PendingSince, now));
                }
            }
        }

        foreach (var (subject, track) in _tracks.ToList())
        {
            if (conditions.Holding.ContainsKey(subject))
            {
                continue;
            }

            if (track.AlertId is not { } alertId)
            {
                _tracks.Remove(subject);
            }
            else if (conditions.IsFrozen(subject))
            {
                track.ClearSince = null;
            }
            else
            {
                track.ClearSince ??= now;
                if (now - track.ClearSince >= options.HoldDown)
                {
                    _tracks.Remove(subject);
                    transitions.Add(new AlertTransition(AlertTransitionKind.Resolved, alertId, track.Condition, track.PendingSince, now));
                }
            }
        }

        return transitions;
    }

    private sealed class Track(AlertCondition condition, DateTimeOffset pendingSince)
    {
        public AlertCondition Condition { get; set; } = condition;

        /// <summary>When the condition was first seen (the alert's <c>startsAt</c>).</summary>
        public DateTimeOffset PendingSince { get; } = pendingSince;

        /// <summary>The alert's id once it fired.</summary>
        public Guid? AlertId { get; set; }

        /// <summary>Since when a firing alert's condition has been clear.</summary>
        public DateTimeOffset? ClearSince { get; set; }
    }
}
