using Fleet.Agent.Backends;
using Fleet.Agent.Events;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// Brings the host to the desired link specs the Api sends, one operation at a time
/// (docs/architecture.md, "Agent ⇄ Api"):
/// <list type="number">
/// <item>validate with the shared <see cref="LinkSpecValidator"/> and check the backend can run the kind → otherwise
/// <see cref="LinkPhase.Failed"/> with the reasons, nothing changed;</item>
/// <item>apply through the backend; on failure put the previous spec back → <see cref="LinkPhase.Failed"/>;</item>
/// <item>report <see cref="LinkPhase.Applying"/> with <c>AwaitingConfirm</c> and wait for the Api's confirmation until the
/// spec's <see cref="LinkSpec.ConfirmTimeoutSeconds"/>: confirmed → <see cref="LinkPhase.Applied"/>; not confirmed → re-apply
/// the last confirmed spec (or remove a new link) → <see cref="LinkPhase.RolledBack"/>.</item>
/// </list>
/// A generation that failed or rolled back is not retried when the Api repeats it (on reconnect); a new generation is.
/// State is persisted after every change, so a restarted agent restores the host and resumes a pending confirmation.
/// </summary>
public sealed partial class Reconciler : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<Guid, LinkRecord> _links = [];
    private readonly Dictionary<Guid, ITimer> _timers = [];
    private readonly Dictionary<Guid, long> _lastRepair = [];
    private readonly List<Task> _background = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly LinkBackends _backends;
    private readonly ILinkStateStore _store;
    private readonly AgentEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private LinkRecord[] _snapshot = [];
    private int _disposed;

    /// <summary>Creates a reconciler over <paramref name="backends"/>, persisting to <paramref name="store"/>.</summary>
    public Reconciler(LinkBackends backends, ILinkStateStore store, AgentEventLog events, TimeProvider time, ILogger<Reconciler> logger)
    {
        _backends = backends;
        _store = store;
        _events = events;
        _time = time;
        _logger = logger;
    }

    /// <summary>Receives every state change; set by the hub connection.</summary>
    public ILinkStateReporter? Reporter { get; set; }

    /// <summary>Least time between two attempts to repair the same drifted link.</summary>
    public TimeSpan RepairRetryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Raised after every change to <see cref="Records"/> (on the thread that made it; keep handlers short).</summary>
    public event Action? RecordsChanged;

    /// <summary>The records as of the last change.</summary>
    public IReadOnlyList<LinkRecord> Records => Volatile.Read(ref _snapshot);

    /// <summary>The state of every link, as reported to the Api (sent again after each connect).</summary>
    public IReadOnlyList<ObservedLinkState> CurrentStates()
    {
        var now = _time.GetUtcNow();
        return [.. Records.Select(record => ToState(record, now))];
    }

    /// <summary>
    /// Loads the saved records and restores the host: re-applies confirmed specs (a reboot loses kernel state), resumes
    /// or expires pending confirmations.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var record in _store.Load())
            {
                _links[record.LinkId] = record;
            }

            foreach (var record in _links.Values.ToList())
            {
                if (record.Pending is { } pending)
                {
                    if (_time.GetUtcNow() >= pending.Deadline)
                    {
                        await RollbackAsync(record, $"generation {pending.Generation} was not confirmed before its deadline (the agent was restarted)");
                        continue;
                    }

                    var result = await TransitionAsync(pending.Spec, pending.Spec);
                    if (!result.Succeeded)
                    {
                        await RollbackAsync(record, $"re-applying unconfirmed generation {pending.Generation} after a restart failed: {result.Error}");
                        continue;
                    }

                    ArmTimer(record.LinkId, pending.Generation, pending.Deadline);
                }
                else if (record.Applied is { } applied)
                {
                    var result = await TransitionAsync(applied.Spec, applied.Spec);
                    if (!result.Succeeded)
                    {
                        var drift = $"restoring generation {applied.Generation} after a restart failed: {result.Error}";
                        _events.Add(AgentEventKind.Drift, EventSeverity.Error, drift, record.LinkId);
                        Store(record with { Phase = LinkPhase.Drifted, Error = drift, Drift = drift });
                    }
                }
            }

            SaveAll();
            LogInitialized(_links.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The Api wants <paramref name="desired"/> on this host.</summary>
    public async Task ApplyAsync(DesiredLink desired)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            await ApplyCoreAsync(desired);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The Api's full desired state (from <c>HelloResult</c>): apply each link, remove the links it no longer names.</summary>
    public async Task SyncAsync(IReadOnlyList<DesiredLink> desired)
    {
        foreach (var link in desired)
        {
            await ApplyAsync(link);
        }

        var wanted = desired.Select(link => link.LinkId).ToHashSet();
        foreach (var record in Records)
        {
            if (!wanted.Contains(record.LinkId))
            {
                await RemoveAsync(record.LinkId);
            }
        }
    }

    /// <summary>The Api deleted the link: tear down what was created for it.</summary>
    public async Task RemoveAsync(Guid linkId)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            if (!_links.TryGetValue(linkId, out var record))
            {
                return;
            }

            DisarmTimer(linkId);
            if (record.InForce is { } inForce)
            {
                var result = await TransitionAsync(inForce, null);
                if (!result.Succeeded)
                {
                    var error = $"removing {inForce.Name} failed: {result.Error}";
                    _events.Add(AgentEventKind.ApplyFailed, EventSeverity.Error, error, linkId);
                    LogRemoveFailed(linkId, result.Error ?? "");
                    Store(record with { Phase = LinkPhase.Failed, Error = error });
                    SaveAll();
                    Publish(linkId);
                    return;
                }
            }

            _links.Remove(linkId);
            _lastRepair.Remove(linkId);
            LogRemoved(linkId);
            SaveAll();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The Api confirmed a generation it heard the agent apply.</summary>
    public async Task ConfirmAsync(LinkConfirmation confirmation)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            if (!_links.TryGetValue(confirmation.LinkId, out var record) || record.Pending?.Generation != confirmation.Generation)
            {
                LogConfirmIgnored(confirmation.LinkId, confirmation.Generation);
                return;
            }

            DisarmTimer(record.LinkId);
            var pending = record.Pending;
            Store(record with { Applied = new GenerationSpec(pending.Generation, pending.Spec), Pending = null, Phase = LinkPhase.Applied, Error = null });
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

    /// <summary>
    /// Observes every link in force (for the sampler), reports drift (once per change) and repairs it when the spec asks.
    /// </summary>
    public async Task<IReadOnlyList<ObservedLink>> ObserveAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var observed = new List<ObservedLink>(_links.Count);
            var changed = false;
            foreach (var record in _links.Values.ToList())
            {
                if (record.InForce is not { } spec || _backends.For(spec.Kind) is not { } backend)
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
                    changed |= await HandleDriftAsync(record, spec, observation);
                }
            }

            if (changed)
            {
                SaveAll();
            }

            return observed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for rollbacks started by confirmation timers (tests).</summary>
    internal Task DrainAsync()
    {
        lock (_background)
        {
            return Task.WhenAll([.. _background]);
        }
    }

    /// <summary>Stops timers; pending confirmations stay persisted and resume at the next start.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        lock (_timers)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }

        _lifetime.Dispose();
    }

    private async Task ApplyCoreAsync(DesiredLink desired)
    {
        var record = _links.GetValueOrDefault(desired.LinkId) ?? new LinkRecord { LinkId = desired.LinkId };
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
            Fail(record, $"this agent has no backend for {KindName(spec.Kind)} links");
            return;
        }

        var availability = backend.CheckAvailability();
        if (!availability.Available)
        {
            Fail(record, $"{KindName(spec.Kind)} links are not available on this host: {availability.Reason}");
            return;
        }

        Store(record with { Phase = LinkPhase.Applying, Error = null });
        SaveAll();
        Publish(record.LinkId);

        var previous = record.InForce;
        var result = await TransitionAsync(previous, spec);
        if (!result.Succeeded)
        {
            var restore = await TransitionAsync(spec, previous);
            var error = $"applying generation {desired.Generation} failed: {result.Error}";
            if (!restore.Succeeded)
            {
                error += $"; restoring the previous state also failed: {restore.Error}";
            }

            Fail(record, error);
            return;
        }

        var deadline = _time.GetUtcNow().AddSeconds(spec.ConfirmTimeoutSeconds);
        Store(record with { Pending = new PendingChange(desired.Generation, spec, deadline), Phase = LinkPhase.Applying, Error = null, Drift = null });
        ArmTimer(record.LinkId, desired.Generation, deadline);
        LogAwaitingConfirm(record.LinkId, desired.Generation, spec.ConfirmTimeoutSeconds);
        SaveAll();
        Publish(record.LinkId);
    }

    private void Fail(LinkRecord record, string error)
    {
        Store(record with { Phase = LinkPhase.Failed, Error = error });
        _events.Add(AgentEventKind.ApplyFailed, EventSeverity.Error, error, record.LinkId);
        LogApplyFailed(record.LinkId, record.TargetGeneration, error);
        SaveAll();
        Publish(record.LinkId);
    }

    private async Task RollbackIfUnconfirmedAsync(Guid linkId, long generation)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            if (_links.TryGetValue(linkId, out var record) && record.Pending is { } pending && pending.Generation == generation)
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
        DisarmTimer(record.LinkId);
        var result = await TransitionAsync(pending.Spec, record.Applied?.Spec);
        var restored = record.Applied is { } applied
            ? $"generation {applied.Generation} restored"
            : $"{pending.Spec.Name} removed (no earlier generation)";
        if (result.Succeeded)
        {
            var error = $"{reason}; {restored}";
            Store(record with { Pending = null, Phase = LinkPhase.RolledBack, Error = error });
            _events.Add(AgentEventKind.RolledBack, EventSeverity.Warning, error, record.LinkId);
            LogRolledBack(record.LinkId, pending.Generation, error);
        }
        else
        {
            var error = $"{reason}; restoring the previous state failed: {result.Error}";
            Store(record with { Pending = null, Phase = LinkPhase.Failed, Error = error });
            _events.Add(AgentEventKind.RolledBack, EventSeverity.Error, error, record.LinkId);
            LogRolledBack(record.LinkId, pending.Generation, error);
        }

        SaveAll();
        Publish(record.LinkId);
    }

    private async Task<bool> HandleDriftAsync(LinkRecord record, LinkSpec spec, LinkObservation observation)
    {
        var drift = observation.Drift ?? (observation.Exists ? null : $"{spec.Name} does not exist on the host");
        if (drift is null)
        {
            if (record.Drift is null)
            {
                return false;
            }

            // Someone put it back (or the repair took).
            Store(record with { Drift = null, Phase = record.Phase == LinkPhase.Drifted ? LinkPhase.Applied : record.Phase, Error = record.Phase == LinkPhase.Drifted ? null : record.Error });
            Publish(record.LinkId);
            return true;
        }

        var changed = false;
        if (!string.Equals(record.Drift, drift, StringComparison.Ordinal))
        {
            _events.Add(AgentEventKind.Drift, EventSeverity.Warning, $"{spec.Name}: {drift}", record.LinkId);
            LogDrift(record.LinkId, drift);
            record = record with
            {
                Drift = drift,
                Phase = record.Phase is LinkPhase.Applied or LinkPhase.Drifted ? LinkPhase.Drifted : record.Phase,
                Error = record.Phase is LinkPhase.Applied or LinkPhase.Drifted ? drift : record.Error,
            };
            Store(record);
            Publish(record.LinkId);
            changed = true;
        }

        if (!spec.RepairDrift)
        {
            return changed;
        }

        var now = _time.GetTimestamp();
        if (_lastRepair.TryGetValue(record.LinkId, out var last) && _time.GetElapsedTime(last, now) < RepairRetryInterval)
        {
            return changed;
        }

        _lastRepair[record.LinkId] = now;
        var result = await TransitionAsync(spec, spec);
        if (result.Succeeded)
        {
            _events.Add(AgentEventKind.Drift, EventSeverity.Info, $"{spec.Name}: drift repaired by re-applying the spec", record.LinkId);
            Store(record with { Drift = null, Phase = record.Phase == LinkPhase.Drifted ? LinkPhase.Applied : record.Phase, Error = record.Phase == LinkPhase.Drifted ? null : record.Error });
            LogRepaired(record.LinkId);
        }
        else
        {
            var error = $"{drift}; repair failed: {result.Error}";
            _events.Add(AgentEventKind.Drift, EventSeverity.Error, $"{spec.Name}: {error}", record.LinkId);
            Store(record with { Error = record.Phase == LinkPhase.Drifted ? error : record.Error });
        }

        Publish(record.LinkId);
        return true;
    }

    /// <summary>Moves the host from <paramref name="from"/> to <paramref name="to"/> (either may be null), across kinds if need be.</summary>
    private async Task<ApplyResult> TransitionAsync(LinkSpec? from, LinkSpec? to)
    {
        var cancellationToken = _lifetime.Token;
        if (to is null)
        {
            return from is null ? ApplyResult.Ok : await InvokeBackendAsync(from.Kind, backend => backend.RemoveAsync(from, cancellationToken));
        }

        if (from is not null && from.Kind != to.Kind)
        {
            var removed = await InvokeBackendAsync(from.Kind, backend => backend.RemoveAsync(from, cancellationToken));
            if (!removed.Succeeded)
            {
                return removed;
            }

            from = null;
        }

        return await InvokeBackendAsync(to.Kind, backend => backend.ApplyAsync(from, to, cancellationToken));
    }

    private async Task<ApplyResult> InvokeBackendAsync(LinkKind kind, Func<ILinkBackend, Task<ApplyResult>> operation)
    {
        if (_backends.For(kind) is not { } backend)
        {
            return ApplyResult.Failed($"this agent has no backend for {KindName(kind)} links");
        }

        try
        {
            return await operation(backend);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A backend bug must not take the agent down; it is a failed apply like any other.
            LogBackendThrew(kind, ex);
            return ApplyResult.Failed($"the {KindName(kind)} backend failed unexpectedly: {ex.Message}");
        }
    }

    private void ArmTimer(Guid linkId, long generation, DateTimeOffset deadline)
    {
        var due = deadline - _time.GetUtcNow();
        lock (_timers)
        {
            if (_timers.Remove(linkId, out var old))
            {
                old.Dispose();
            }

            _timers[linkId] = _time.CreateTimer(
                _ => StartBackground(() => RollbackIfUnconfirmedAsync(linkId, generation)),
                null,
                due < TimeSpan.Zero ? TimeSpan.Zero : due,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void DisarmTimer(Guid linkId)
    {
        lock (_timers)
        {
            if (_timers.Remove(linkId, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    private void StartBackground(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
            }
            catch (ObjectDisposedException) when (_lifetime.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogBackgroundFailed(ex);
            }
        });
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    private void Store(LinkRecord record) => _links[record.LinkId] = record;

    private void SaveAll()
    {
        var records = _links.Values.OrderBy(r => r.LinkId).ToArray();
        Volatile.Write(ref _snapshot, records);
        try
        {
            _store.Save(records);
        }
        catch (IOException ex)
        {
            LogSaveFailed(ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogSaveFailed(ex.Message);
        }

        RecordsChanged?.Invoke();
    }

    private void Publish(Guid linkId)
    {
        if (_links.TryGetValue(linkId, out var record))
        {
            Reporter?.Report(ToState(record, _time.GetUtcNow()));
        }
    }

    private static ObservedLinkState ToState(LinkRecord record, DateTimeOffset now) => new()
    {
        LinkId = record.LinkId,
        ObservedGeneration = record.Applied?.Generation ?? 0,
        TargetGeneration = record.TargetGeneration,
        Phase = record.Phase,
        Error = record.Error,
        AwaitingConfirm = record.Pending is not null,
        Time = now,
    };

    private static string KindName(LinkKind kind) => kind.ToString().ToLowerInvariant();

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Reconciler loaded {Count} links")]
    private partial void LogInitialized(int count);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Link {LinkId}: generation {Generation} applied, awaiting confirmation for {TimeoutSeconds} s")]
    private partial void LogAwaitingConfirm(Guid linkId, long generation, int timeoutSeconds);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Link {LinkId}: generation {Generation} confirmed")]
    private partial void LogConfirmed(Guid linkId, long generation);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Link {LinkId}: generation {Generation} failed: {Error}")]
    private partial void LogApplyFailed(Guid linkId, long generation, string error);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Link {LinkId}: generation {Generation} rolled back: {Reason}")]
    private partial void LogRolledBack(Guid linkId, long generation, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Debug, Message = "Link {LinkId}: confirmation of generation {Generation} ignored (not pending)")]
    private partial void LogConfirmIgnored(Guid linkId, long generation);

    [LoggerMessage(EventId = 406, Level = LogLevel.Debug, Message = "Link {LinkId}: generation {Generation} is older than {Current}; ignored")]
    private partial void LogStale(Guid linkId, long generation, long current);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Link {LinkId} drifted: {Drift}")]
    private partial void LogDrift(Guid linkId, string drift);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Link {LinkId}: drift repaired")]
    private partial void LogRepaired(Guid linkId);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Link {LinkId} removed")]
    private partial void LogRemoved(Guid linkId);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Link {LinkId}: removal failed: {Error}")]
    private partial void LogRemoveFailed(Guid linkId, string error);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "Link {LinkId}: observation failed: {Error}")]
    private partial void LogObserveFailed(Guid linkId, string error);

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "The {Kind} backend threw")]
    private partial void LogBackendThrew(LinkKind kind, Exception exception);

    [LoggerMessage(EventId = 413, Level = LogLevel.Error, Message = "Saving link state failed: {Error}")]
    private partial void LogSaveFailed(string error);

    [LoggerMessage(EventId = 414, Level = LogLevel.Error, Message = "A confirmation timer's rollback failed")]
    private partial void LogBackgroundFailed(Exception exception);
}
