using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// How an apply ends (commit-confirm's last step): the Api's confirmation puts the pending generation in force; no
/// confirmation by the spec's deadline puts the previous generation back (or removes a new link).
/// </summary>
public sealed partial class Reconciler
{
    /// <summary>The Api confirmed a generation it heard the agent apply.</summary>
    public async Task ConfirmAsync(LinkConfirmation confirmation)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            if (_records.TryGet(confirmation.LinkId, out var removing) && removing.Removal is { InProgress: false } removal && removal.Generation == confirmation.Generation)
            {
                // The Api heard of the removal over the host's network without the link: it stays removed.
                _timers.Disarm(removing.LinkId);
                Forget(removing.LinkId);
                return;
            }

            if (!_records.TryGet(confirmation.LinkId, out var record) || record.Removal is not null || record.Pending?.Generation != confirmation.Generation)
            {
                LogConfirmIgnored(confirmation.LinkId, confirmation.Generation);
                return;
            }

            _timers.Disarm(record.LinkId);
            var pending = record.Pending;
            _records.Store(record.KeepingAdopted(pending.Spec.Name) with { Applied = new GenerationSpec(pending.Generation, pending.Spec), Pending = null, Phase = LinkPhase.Applied, Error = null });
            _events.Add(AgentEventKind.Applied, EventSeverity.Info, $"{pending.Spec.Name}: generation {pending.Generation} applied and confirmed", record.LinkId);
            LogConfirmed(record.LinkId, pending.Generation);
            SaveAll();
            Publish(record.LinkId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RollbackIfUnconfirmedAsync(Guid linkId, long generation)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            if (_records.TryGet(linkId, out var record) && record.Removal is { InProgress: false } removal && removal.Generation == generation)
            {
                await RollbackRemovalAsync(record, $"the removal of {removal.Spec.Name} was not confirmed by the control plane within {removal.Spec.ConfirmTimeoutSeconds} s");
                _removalsPutBack[linkId] = true;
            }
            else if (_records.TryGet(linkId, out record) && record.Removal is null && record.Pending is { } pending && pending.Generation == generation)
            {
                await RollbackAsync(record, $"generation {generation} was not confirmed by the control plane within {pending.Spec.ConfirmTimeoutSeconds} s");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RollbackAsync(LinkRecord record, string reason)
    {
        var pending = record.Pending!;
        _timers.Disarm(record.LinkId);
        var result = await _transitions.ReturnAsync(pending.Spec, record.Applied?.Spec, pending.Snapshot, record.Adopted);
        record = record.KeepingAdopted(record.Applied?.Spec.Name);
        var restored = record.Applied is { } applied
            ? $"generation {applied.Generation} restored"
            : $"{pending.Spec.Name} removed (no earlier generation)";
        if (result.Succeeded)
        {
            var error = $"{reason}; {restored}";
            _records.Store(record with { Pending = null, Phase = LinkPhase.RolledBack, Error = error });
            _events.Add(AgentEventKind.RolledBack, EventSeverity.Warning, error, record.LinkId);
            LogRolledBack(record.LinkId, pending.Generation, error);
        }
        else
        {
            var error = $"{reason}; restoring the previous state failed: {result.Error}";
            _records.Store(record with { Pending = null, Phase = LinkPhase.Failed, Error = error });
            _events.Add(AgentEventKind.RolledBack, EventSeverity.Error, error, record.LinkId);
            LogRolledBack(record.LinkId, pending.Generation, error);
        }

        SaveAll();
        Publish(record.LinkId);
    }
}
