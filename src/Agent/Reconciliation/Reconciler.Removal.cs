using Fleet.Agent.Backends;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// The removal of a link, inside commit-confirm like an apply (issue 10): intent saved first, the link removed (an
/// adopted device released), the removal reported with <c>Removing</c>, and put back unless the Api confirms it in time.
/// </summary>
public sealed partial class Reconciler
{
    /// <summary>A removal found at start: cut short or past its deadline → put back; else made again and its deadline resumed.</summary>
    private async Task ResumeRemovalAsync(LinkRecord record, PendingRemoval removal)
    {
        if (removal.InProgress)
        {
            await RollbackRemovalAsync(record, $"the agent stopped while removing {removal.Spec.Name}");
            return;
        }

        if (_time.GetUtcNow() >= removal.Deadline)
        {
            await RollbackRemovalAsync(record, $"the removal of {removal.Spec.Name} was not confirmed before its deadline (the agent was restarted)");
            return;
        }

        // Idempotent: what the previous process removed stays removed (a process's striper engines are gone with it anyway).
        var result = await _transitions.TransitionAsync(removal.Spec, null, record.Adopted);
        if (!result.Succeeded)
        {
            await RollbackRemovalAsync(record, $"removing {removal.Spec.Name} again after a restart failed: {result.Error}");
            return;
        }

        _timers.Arm(record.LinkId, removal.Generation, removal.Deadline);
    }

    private async Task RemoveCoreAsync(Guid linkId)
    {
        if (!_records.TryGet(linkId, out var record))
        {
            // Nothing of the link here (never applied, or removed before): say so, or the replicas would send the
            // removal again until the next hello (docs/agent.md, "Removals").
            ReportGone(linkId, 0);
            return;
        }

        if (record.Removal is not null)
        {
            // A removal sent again while this one awaits its confirmation: the Api hears it is under way.
            Publish(linkId);
            return;
        }

        _timers.Disarm(linkId);
        if (record.InForce is not { } inForce)
        {
            Forget(linkId);
            ReportGone(linkId, record.TargetGeneration);
            return;
        }

        HostSnapshot before;
        try
        {
            before = await _transitions.CaptureAsync(inForce);
        }
        catch (HostStateException ex)
        {
            FailRemoval(record, $"removing {inForce.Name} was not started: reading the host state failed: {ex.Message}");
            return;
        }

        var intent = new PendingRemoval(record.TargetGeneration, inForce, _time.GetUtcNow().AddSeconds(inForce.ConfirmTimeoutSeconds)) { InProgress = true, Snapshot = before };
        _records.Store(record with { Removal = intent });
        if (_records.Save() is { } saveError)
        {
            _records.Store(record);
            FailRemoval(record, $"{inForce.Name} was not removed: the agent cannot record the removal durably first ({saveError})");
            return;
        }

        Publish(linkId);
        var result = await _transitions.TransitionAsync(inForce, null, record.Adopted);
        if (!result.Succeeded)
        {
            var restore = await _transitions.ReturnAsync(null, inForce, before, record.Adopted);
            var error = $"removing {inForce.Name} failed: {result.Error}";
            if (!restore.Succeeded)
            {
                error += $"; putting it back also failed: {restore.Error}";
            }

            FailRemoval(record, error);
            return;
        }

        var deadline = _time.GetUtcNow().AddSeconds(inForce.ConfirmTimeoutSeconds);
        _records.Store(record with { Removal = intent with { Deadline = deadline, InProgress = false } });
        _timers.Arm(linkId, intent.Generation, deadline);
        LogRemovalAwaitingConfirm(linkId, inForce.Name, inForce.ConfirmTimeoutSeconds);
        SaveAll();
        Publish(linkId);
    }

    private void FailRemoval(LinkRecord record, string error)
    {
        _events.Add(AgentEventKind.ApplyFailed, EventSeverity.Error, error, record.LinkId);
        LogRemoveFailed(record.LinkId, error);
        _records.Store(record with { Removal = null, Phase = LinkPhase.Failed, Error = error });
        SaveAll();
        Publish(record.LinkId);
    }

    /// <summary>Puts a removed link back: its spec and the host state from before the removal.</summary>
    private async Task RollbackRemovalAsync(LinkRecord record, string reason)
    {
        var removal = record.Removal!;
        _timers.Disarm(record.LinkId);
        var result = await _transitions.ReturnAsync(null, removal.Spec, removal.Snapshot, record.Adopted);
        var error = result.Succeeded ? $"{reason}; {removal.Spec.Name} was put back" : $"{reason}; putting {removal.Spec.Name} back failed: {result.Error}";
        var restored = record with { Removal = null, Phase = result.Succeeded ? LinkPhase.RolledBack : LinkPhase.Failed, Error = error };
        _records.Store(restored);
        _events.Add(AgentEventKind.RolledBack, result.Succeeded ? EventSeverity.Warning : EventSeverity.Error, error, record.LinkId);
        LogRemovalRolledBack(record.LinkId, error);

        // A change that was awaiting its own confirmation when the link was deleted resumes its deadline.
        if (restored.Pending is { InProgress: false } pending)
        {
            _timers.Arm(record.LinkId, pending.Generation, pending.Deadline);
        }

        SaveAll();
        Publish(record.LinkId);
    }

    /// <summary>
    /// Reports a removal that needed no change on the host: <c>Removing</c> without a confirmation awaited, which the
    /// Api takes as "the agent has the deletion".
    /// </summary>
    private void ReportGone(Guid linkId, long generation) => Reporter?.Report(new ObservedLinkState
    {
        LinkId = linkId,
        ObservedGeneration = 0,
        TargetGeneration = generation,
        Phase = LinkPhase.Applying,
        Removing = true,
        Time = _time.GetUtcNow(),
    });

    private void Forget(Guid linkId)
    {
        _records.Remove(linkId);
        _drift.Forget(linkId);
        _removalsPutBack.TryRemove(linkId, out _);
        LogRemoved(linkId);
        SaveAll();
    }

    [LoggerMessage(EventId = 418, Level = LogLevel.Information, Message = "Link {LinkId}: {Device} removed, awaiting confirmation for {TimeoutSeconds} s")]
    private partial void LogRemovalAwaitingConfirm(Guid linkId, string device, int timeoutSeconds);

    [LoggerMessage(EventId = 419, Level = LogLevel.Warning, Message = "Link {LinkId}: removal rolled back: {Reason}")]
    private partial void LogRemovalRolledBack(Guid linkId, string reason);
}
