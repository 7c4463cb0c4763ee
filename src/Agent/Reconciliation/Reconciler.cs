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
/// <para>
/// The steps of commit-confirm run under one gate (capture, intent, apply, confirm, rollback, restart). Their parts live in
/// their own classes — confirmation timers (<see cref="ConfirmationTimers"/>), records and their persistence
/// (<see cref="LinkRecords"/>), backend transitions and host restore (<see cref="LinkTransitions"/>), observation and drift
/// repair (<see cref="DriftRepair"/>) — and the sequences that order them are split by what they finish: the apply in
/// <c>Reconciler.Apply.cs</c>, its confirmation and rollback in <c>Reconciler.Confirmation.cs</c>, the removal (issue 10:
/// a removal runs inside commit-confirm too) in <c>Reconciler.Removal.cs</c>.
/// </para>
/// </summary>
public sealed partial class Reconciler : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly LinkBackends _backends;
    private readonly LinkRecords _records;
    private readonly LinkTransitions _transitions;
    private readonly ConfirmationTimers _timers;
    private readonly DriftRepair _drift;
    private readonly ObservedBonds _bonds = new();
    private readonly AgentEventLog _events;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _removalsPutBack = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>A reconciler for a host without kernel state of its own (the simulated ones): rollbacks restore the spec only.</summary>
    public Reconciler(LinkBackends backends, ILinkStateStore store, AgentEventLog events, TimeProvider time, ILogger<Reconciler> logger)
        : this(backends, new Backends.InMemory.SimulatedHostState(), store, events, time, logger)
    {
    }

    /// <summary>
    /// Creates a reconciler over <paramref name="backends"/>, persisting to <paramref name="store"/>; rollbacks restore the
    /// host state <paramref name="hostState"/> captured before each change.
    /// </summary>
    public Reconciler(LinkBackends backends, IHostState hostState, ILinkStateStore store, AgentEventLog events, TimeProvider time, ILogger<Reconciler> logger)
    {
        _backends = backends;
        _events = events;
        _time = time;
        _logger = logger;
        _records = new LinkRecords(store, logger);
        _records.Changed += () => RecordsChanged?.Invoke();
        _transitions = new LinkTransitions(backends, hostState, logger, _lifetime.Token);
        _timers = new ConfirmationTimers(RollbackIfUnconfirmedAsync, time, logger, _lifetime.Token);
        _drift = new DriftRepair(backends, _records, _transitions, events, Publish, time, logger);
    }

    /// <summary>Receives every state change; set by the hub connection.</summary>
    public ILinkStateReporter? Reporter { get; set; }

    /// <summary>Least time between two attempts to repair the same drifted link.</summary>
    public TimeSpan RepairRetryInterval
    {
        get => _drift.RetryInterval;
        init => _drift.RetryInterval = value;
    }

    /// <summary>Raised after every change to <see cref="Records"/> (on the thread that made it; keep handlers short).</summary>
    public event Action? RecordsChanged;

    /// <summary>A bond in force: what its driver reported last (<see cref="ObservedBonds"/>); null otherwise.</summary>
    public ObservedBond? BondOf(Guid linkId) => _bonds.Of(linkId);

    /// <summary>The records as of the last change.</summary>
    public IReadOnlyList<LinkRecord> Records => _records.Snapshot;

    /// <summary>The state of every link, as reported to the Api (sent again after each connect).</summary>
    public IReadOnlyList<ObservedLinkState> CurrentStates()
    {
        var now = _time.GetUtcNow();
        return [.. Records.Select(record => _bonds.With(record.ToState(now)))];
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
            if (_records.Load() is { } quarantined)
            {
                _events.Add(AgentEventKind.Drift, EventSeverity.Error, quarantined);
            }

            foreach (var record in _records.All())
            {
                if (record.Removal is { } removal)
                {
                    await ResumeRemovalAsync(record, removal);
                }
                else if (record.Pending is { } pending)
                {
                    if (pending.InProgress)
                    {
                        await RollbackAsync(record, $"the agent stopped while applying generation {pending.Generation}");
                        continue;
                    }

                    if (_time.GetUtcNow() >= pending.Deadline)
                    {
                        await RollbackAsync(record, $"generation {pending.Generation} was not confirmed before its deadline (the agent was restarted)");
                        continue;
                    }

                    var result = await _transitions.TransitionAsync(pending.Spec, pending.Spec);
                    if (!result.Succeeded)
                    {
                        await RollbackAsync(record, $"re-applying unconfirmed generation {pending.Generation} after a restart failed: {result.Error}");
                        continue;
                    }

                    _timers.Arm(record.LinkId, pending.Generation, pending.Deadline);
                }
                else if (record.Applied is { } applied)
                {
                    var result = await _transitions.TransitionAsync(applied.Spec, applied.Spec);
                    if (!result.Succeeded)
                    {
                        var drift = $"restoring generation {applied.Generation} after a restart failed: {result.Error}";
                        _events.Add(AgentEventKind.Drift, EventSeverity.Error, drift, record.LinkId);
                        _records.Store(record with { Phase = LinkPhase.Drifted, Error = drift, Drift = drift });
                    }
                }
            }

            SaveAll();
            LogInitialized(_records.Count);
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
            // A removal that cut the host off and was put back is not retried at every reconnect (each would cut it off
            // again for a confirm timeout); the agent's next start retries it.
            if (!wanted.Contains(record.LinkId) && !_removalsPutBack.ContainsKey(record.LinkId))
            {
                await RemoveAsync(record.LinkId);
            }
        }
    }

    /// <summary>
    /// The Api deleted the link: tear down what was created for it (an adopted device is released, not deleted), inside
    /// commit-confirm like an apply (issue 10): the removal is reported with <c>Removing</c> and <c>AwaitingConfirm</c>;
    /// the Api's confirmation makes it final, none before the removed spec's confirm timeout puts the link back.
    /// </summary>
    public async Task RemoveAsync(Guid linkId)
    {
        await _gate.WaitAsync(_lifetime.Token);
        try
        {
            await RemoveCoreAsync(linkId);
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
            var (observed, changed) = await _drift.ObserveAllAsync(cancellationToken);
            if (changed)
            {
                SaveAll();
            }

            foreach (var linkId in _bonds.Update(observed))
            {
                Publish(linkId);
            }

            return observed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for rollbacks started by confirmation timers (tests).</summary>
    internal Task DrainAsync() => _timers.DrainAsync();

    /// <summary>Stops timers; pending confirmations stay persisted and resume at the next start.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        _timers.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Saves after a step whose outcome is already on the host; a failure is reported (the intent on disk is the safe side).</summary>
    private void SaveAll()
    {
        if (_records.Save() is { } error)
        {
            _events.Add(AgentEventKind.ApplyFailed, EventSeverity.Error, $"the link state could not be saved to disk: {error}");
        }
    }

    private void Publish(Guid linkId)
    {
        if (_records.TryGet(linkId, out var record))
        {
            Reporter?.Report(_bonds.With(record.ToState(_time.GetUtcNow())));
        }
    }

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

    [LoggerMessage(EventId = 417, Level = LogLevel.Information, Message = "Link {LinkId}: {Device} exists and Fleet did not create it; the spec adopts it")]
    private partial void LogAdopting(Guid linkId, string device);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Link {LinkId} removed")]
    private partial void LogRemoved(Guid linkId);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Link {LinkId}: removal failed: {Error}")]
    private partial void LogRemoveFailed(Guid linkId, string error);

}
