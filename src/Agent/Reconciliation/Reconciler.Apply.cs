using Fleet.Agent.Backends;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// The apply of one desired generation: validated, checked against the backend, the host state captured and the intent
/// saved before the kernel is touched, the transition made (the previous state put back on failure), then armed for
/// confirmation (docs/agent.md).
/// </summary>
public sealed partial class Reconciler
{
    private async Task ApplyCoreAsync(DesiredLink desired)
    {
        var record = _records.Find(desired.LinkId) ?? new LinkRecord { LinkId = desired.LinkId };
        if (desired.Generation < record.TargetGeneration)
        {
            LogStale(desired.LinkId, desired.Generation, record.TargetGeneration);
            Publish(record.LinkId);
            return;
        }

        // The same generation again (the Api repeats desired state on every connect): report, do not redo. An agent that
        // died between "Applying" and the outcome has no pending change recorded and applies again.
        var interrupted = record.Phase == LinkPhase.Applying && record.Pending is null;
        if (desired.Generation == record.TargetGeneration && record.Phase != LinkPhase.Pending && !interrupted)
        {
            Publish(record.LinkId);
            return;
        }

        record = record with { TargetGeneration = desired.Generation };
        var spec = desired.Spec;
        var errors = LinkSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            Fail(record, "invalid spec: " + string.Join("; ", errors.Select(e => e.Path.Length == 0 ? e.Message : $"{e.Path}: {e.Message}")));
            return;
        }

        if (_backends.For(spec.Kind) is not { } backend)
        {
            Fail(record, $"this agent has no backend for {LinkTransitions.KindName(spec.Kind)} links");
            return;
        }

        var availability = backend.CheckAvailability();
        if (!availability.Available)
        {
            Fail(record, $"{LinkTransitions.KindName(spec.Kind)} links are not available on this host: {availability.Reason}");
            return;
        }

        // The intent goes to disk before the kernel is touched: an agent that dies inside the apply finds it at its next
        // start and rolls back to the confirmed spec and the host state captured here.
        var previous = record.InForce;
        HostSnapshot before;
        try
        {
            before = await _transitions.CaptureAsync(previous, spec);
        }
        catch (HostStateException ex)
        {
            Fail(record, $"reading the host state before applying generation {desired.Generation} failed, nothing was changed: {ex.Message}");
            return;
        }

        // A device the link does not hold yet and that exists already is someone else's (issue 10): refused unless adopted.
        if (previous?.Name != spec.Name && !record.Adopted.Any(a => a.Name == spec.Name)
            && DeviceOwnership.IsForeign(spec, before.Interfaces.FirstOrDefault(i => i.Name == spec.Name)))
        {
            if (!spec.Adopt)
            {
                Fail(record, DeviceOwnership.Refusal(spec));
                return;
            }

            record = record with { Adopted = [.. record.Adopted, DeviceOwnership.Adopt(spec, before)] };
            LogAdopting(record.LinkId, spec.Name);
        }

        var snapshot = record.Pending?.Snapshot is { } earlier ? earlier.Including(before) : before;
        var intent = new PendingChange(desired.Generation, spec, _time.GetUtcNow().AddSeconds(spec.ConfirmTimeoutSeconds)) { InProgress = true, Snapshot = snapshot };
        _records.Store(record with { Pending = intent, Phase = LinkPhase.Applying, Error = null });
        if (_records.Save() is { } saveError)
        {
            Fail(record.KeepingAdopted(previous?.Name), $"generation {desired.Generation} was not applied: the agent cannot record it durably first ({saveError})");
            return;
        }

        Publish(record.LinkId);
        var result = await _transitions.TransitionAsync(previous, spec, record.Adopted);
        if (!result.Succeeded)
        {
            var restore = await _transitions.ReturnAsync(spec, previous, before, record.Adopted);
            var error = $"applying generation {desired.Generation} failed: {result.Error}";
            if (!restore.Succeeded)
            {
                error += $"; restoring the previous state also failed: {restore.Error}";
            }

            Fail(record.KeepingAdopted(previous?.Name), error);
            return;
        }

        var deadline = _time.GetUtcNow().AddSeconds(spec.ConfirmTimeoutSeconds);
        _records.Store(record with { Pending = intent with { Deadline = deadline, InProgress = false }, Phase = LinkPhase.Applying, Error = null, Drift = null });
        _timers.Arm(record.LinkId, desired.Generation, deadline);
        LogAwaitingConfirm(record.LinkId, desired.Generation, spec.ConfirmTimeoutSeconds);
        SaveAll();
        Publish(record.LinkId);
    }

    private void Fail(LinkRecord record, string error)
    {
        _records.Store(record with { Phase = LinkPhase.Failed, Error = error });
        _events.Add(AgentEventKind.ApplyFailed, EventSeverity.Error, error, record.LinkId);
        LogApplyFailed(record.LinkId, record.TargetGeneration, error);
        SaveAll();
        Publish(record.LinkId);
    }
}
