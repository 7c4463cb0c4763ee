using Fleet.Agent.Backends;
using Fleet.Agent.Events;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// Observes every link in force through its backend (for the sampler) and turns what a confirmed link shows into drift
/// handling: a difference from the spec is reported once per
/// change (event <c>drift</c>, phase <see cref="LinkPhase.Drifted"/>), its end once, and when the spec says
/// <see cref="LinkSpec.RepairDrift"/> the spec is re-applied, at most every <see cref="RetryInterval"/>.
/// Runs under the reconciler's gate.
/// </summary>
internal sealed partial class DriftRepair(
    LinkBackends backends,
    LinkRecords records,
    LinkTransitions transitions,
    AgentEventLog events,
    Action<Guid> publish,
    TimeProvider time,
    ILogger logger)
{
    private readonly Dictionary<Guid, long> _lastRepair = [];

    /// <summary>Least time between two attempts to repair the same drifted link.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Forgets a removed link's repair history.</summary>
    public void Forget(Guid linkId) => _lastRepair.Remove(linkId);

    /// <summary>Observes every link in force; <c>Changed</c> when a record changed (drift seen, ended or repaired).</summary>
    public async Task<(List<ObservedLink> Observed, bool Changed)> ObserveAllAsync(CancellationToken cancellationToken)
    {
        var observed = new List<ObservedLink>(records.Count);
        var changed = false;
        foreach (var record in records.All())
        {
            if (record.InForce is not { } spec || backends.For(spec.Kind) is not { } backend)
            {
                continue;
            }

            LinkObservation observation;
            try
            {
                observation = await backend.ObserveAsync(spec, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogObserveFailed(record.LinkId, ex.Message);
                continue;
            }

            observed.Add(new ObservedLink(record.LinkId, spec, observation));
            if (record.Pending is null)
            {
                changed |= await HandleAsync(record, spec, observation);
            }
        }

        return (observed, changed);
    }

    /// <summary>Handles one observation of <paramref name="record"/>'s <paramref name="spec"/>; true when the record changed.</summary>
    public async Task<bool> HandleAsync(LinkRecord record, LinkSpec spec, LinkObservation observation)
    {
        var drift = observation.Drift ?? (observation.Exists ? null : $"{spec.Name} does not exist on the host");
        if (drift is null)
        {
            if (record.Drift is null)
            {
                return false;
            }

            // Someone put it back (or the repair took).
            records.Store(Resolved(record));
            publish(record.LinkId);
            return true;
        }

        var changed = false;
        if (!string.Equals(record.Drift, drift, StringComparison.Ordinal))
        {
            events.Add(AgentEventKind.Drift, EventSeverity.Warning, $"{spec.Name}: {drift}", record.LinkId);
            LogDrift(record.LinkId, drift);
            record = record with
            {
                Drift = drift,
                Phase = record.Phase is LinkPhase.Applied or LinkPhase.Drifted ? LinkPhase.Drifted : record.Phase,
                Error = record.Phase is LinkPhase.Applied or LinkPhase.Drifted ? drift : record.Error,
            };
            records.Store(record);
            publish(record.LinkId);
            changed = true;
        }

        if (!spec.RepairDrift)
        {
            return changed;
        }

        var now = time.GetTimestamp();
        if (_lastRepair.TryGetValue(record.LinkId, out var last) && time.GetElapsedTime(last, now) < RetryInterval)
        {
            return changed;
        }

        _lastRepair[record.LinkId] = now;
        var result = await transitions.TransitionAsync(spec, spec);
        if (result.Succeeded)
        {
            events.Add(AgentEventKind.Drift, EventSeverity.Info, $"{spec.Name}: drift repaired by re-applying the spec", record.LinkId);
            records.Store(Resolved(record));
            LogRepaired(record.LinkId);
        }
        else
        {
            var error = $"{drift}; repair failed: {result.Error}";
            events.Add(AgentEventKind.Drift, EventSeverity.Error, $"{spec.Name}: {error}", record.LinkId);
            records.Store(record with { Error = record.Phase == LinkPhase.Drifted ? error : record.Error });
        }

        publish(record.LinkId);
        return true;
    }

    private static LinkRecord Resolved(LinkRecord record) => record with
    {
        Drift = null,
        Phase = record.Phase == LinkPhase.Drifted ? LinkPhase.Applied : record.Phase,
        Error = record.Phase == LinkPhase.Drifted ? null : record.Error,
    };

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Link {LinkId} drifted: {Drift}")]
    private partial void LogDrift(Guid linkId, string drift);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "Link {LinkId}: observation failed: {Error}")]
    private partial void LogObserveFailed(Guid linkId, string error);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Link {LinkId}: drift repaired")]
    private partial void LogRepaired(Guid linkId);
}
