using System.Collections.Concurrent;
using Fleet.Api.Data;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>What became of an agent's link state report.</summary>
public enum LinkStateOutcome
{
    /// <summary>Recorded.</summary>
    Recorded,

    /// <summary>Recorded, and the agent awaits confirmation of the desired generation (or of a deleted link's removal): confirm it.</summary>
    Confirm,

    /// <summary>The link belongs to another host or does not exist: refused.</summary>
    Forbidden,

    /// <summary>Nothing to record (the link was deleted, or the report names a generation the Api never had).</summary>
    Ignored,
}

/// <summary>
/// Writes an agent's <see cref="ObservedLinkState"/> to the link's observed columns (observed generation, phase, last
/// error) and to the policy revision's outcome, with <c>ExecuteUpdate</c> so the REST endpoints' desired columns and
/// concurrency token are never touched, then tells the live hub. A report about an older generation than the desired
/// one updates only the observed generation and that revision's outcome: the link's phase belongs to the newest.
/// The hub runs an agent's invocations in parallel (batches are pipelined), so reports of one link are serialised here
/// and one that is older than the last recorded is dropped: an "Applying" that overtook its "Applied" must not win.
/// Older means a lower target generation, or the same generation and an earlier <see cref="ReportOrder"/> (arrival on
/// the agent's connection, a later connection counting as newer) — never the agent's clock, which may step back
/// (issue 10: a state dated a minute earlier than the last one must still be confirmed).
/// </summary>
public sealed partial class LinkStateRecorder(IDbContextFactory<FleetDbContext> contexts, LiveFanout live, TimeProvider time, ILogger<LinkStateRecorder> logger, LiveLinkHealth? linkHealth = null)
{
    /// <summary>Longest error text kept (the rest is cut).</summary>
    public const int MaxErrorLength = 2000;

    private readonly ConcurrentDictionary<Guid, LinkGate> _gates = new();

    public async Task<LinkStateOutcome> RecordAsync(Guid hostId, ObservedLinkState state, ReportOrder order, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(state.LinkId, _ => new LinkGate());
        await gate.Lock.WaitAsync(cancellationToken);
        try
        {
            // A removal report is about a deleted link and changes none of its columns, so it has no order to keep; one
            // that names no generation (nothing of the link was on the host) must not be dropped as older.
            if (!state.Removing && gate.Last is { } last && (state.TargetGeneration < last.Generation || (state.TargetGeneration == last.Generation && order < last.Order)))
            {
                LogOutOfOrder(hostId, state.LinkId, state.Phase, state.TargetGeneration, last.Generation);
                return LinkStateOutcome.Ignored;
            }

            var outcome = await RecordInOrderAsync(hostId, state, cancellationToken);
            if (outcome is LinkStateOutcome.Recorded or LinkStateOutcome.Confirm)
            {
                gate.Last = (state.TargetGeneration, order);
            }

            return outcome;
        }
        finally
        {
            gate.Lock.Release();

            // Reports about links that were never recorded (another host's, unknown ids) leave no gate behind.
            if (gate.Last is null)
            {
                _gates.TryRemove(new KeyValuePair<Guid, LinkGate>(state.LinkId, gate));
            }
        }
    }

    private async Task<LinkStateOutcome> RecordInOrderAsync(Guid hostId, ObservedLinkState state, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (state.Removing)
        {
            return await RemovalOutcomeAsync(db, hostId, state, cancellationToken);
        }

        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        var error = state.Error is { } text ? AgentText.Storable(text, MaxErrorLength) : null;
        var bond = BondReports.Storable(state.Bond);

        // The common case in one statement: a report about the desired generation of a live link of this host.
        var current = await db.Links
            .Where(l => l.Id == state.LinkId && l.HostId == hostId && l.DeletedAt == null && l.DesiredGeneration == state.TargetGeneration && state.ObservedGeneration <= l.DesiredGeneration)
            .ExecuteUpdateAsync(
                s => s.SetProperty(l => l.ObservedGeneration, state.ObservedGeneration)
                    .SetProperty(l => l.Phase, state.Phase)
                    .SetProperty(l => l.LastError, error)
                    .SetProperty(l => l.PhaseChangedAt, l => l.Phase != state.Phase ? now : l.PhaseChangedAt)
                    .SetProperty(l => l.ObservedBond, bond),
                cancellationToken) == 1;
        LiveLinkState published;
        if (current)
        {
            published = new LiveLinkState
            {
                LinkId = state.LinkId,
                HostId = hostId,
                Phase = state.Phase,
                DesiredGeneration = state.TargetGeneration,
                ObservedGeneration = state.ObservedGeneration,
                Error = error,
                AwaitingConfirm = state.AwaitingConfirm,
                Time = time.GetUtcNow(),
            };
        }
        else
        {
            // Not the desired generation, or not this host's link at all: find out which.
            var link = await db.Links.AsNoTracking()
                .Where(l => l.Id == state.LinkId)
                .Select(l => new { l.HostId, l.DesiredGeneration, l.ObservedGeneration, l.Phase, l.LastError, l.DeletedAt })
                .SingleOrDefaultAsync(cancellationToken);
            if (link is null || link.HostId != hostId)
            {
                return LinkStateOutcome.Forbidden;
            }

            if (link.DeletedAt is not null || state.TargetGeneration >= link.DesiredGeneration || state.ObservedGeneration > link.DesiredGeneration)
            {
                LogIgnored(hostId, state.LinkId, state.TargetGeneration, link.DesiredGeneration);
                return LinkStateOutcome.Ignored;
            }

            // A report about an older generation: its outcome and the observed generation, not the newer one's phase. The
            // bond's driver report is what the host shows now, whichever generation is in force.
            await db.Links
                .Where(l => l.Id == state.LinkId)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ObservedGeneration, state.ObservedGeneration).SetProperty(l => l.ObservedBond, bond), cancellationToken);

            published = new LiveLinkState
            {
                LinkId = state.LinkId,
                HostId = hostId,
                Phase = link.Phase,
                DesiredGeneration = link.DesiredGeneration,
                ObservedGeneration = state.ObservedGeneration,
                Error = link.LastError,
                Time = time.GetUtcNow(),
            };
        }

        if (Outcome(state.Phase) is { } outcome)
        {
            var message = outcome == PolicyOutcome.Applied ? null : error;
            await db.PolicyRevisions
                .Where(r => r.LinkId == state.LinkId && r.Generation == state.TargetGeneration && (r.Outcome == PolicyOutcome.Pending || r.Outcome == PolicyOutcome.Superseded))
                .ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Outcome, outcome).SetProperty(r => r.OutcomeMessage, message).SetProperty(r => r.OutcomeAt, now),
                    cancellationToken);
        }

        live.PublishState(published);
        linkHealth?.PhaseChanged(state.LinkId);
        return current && state.AwaitingConfirm && state.Phase == LinkPhase.Applying ? LinkStateOutcome.Confirm : LinkStateOutcome.Recorded;
    }

    /// <summary>
    /// A removal the agent made and waits to have confirmed (issue 10): confirmed only when the link is this host's and
    /// deleted, so an agent never keeps a link removed that the Api still wants. Only the acknowledgement of the removal
    /// is recorded (any removal report, awaiting confirmation or not): the deleted link's row is history.
    /// </summary>
    private async Task<LinkStateOutcome> RemovalOutcomeAsync(FleetDbContext db, Guid hostId, ObservedLinkState state, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == state.LinkId)
            .Select(l => new { l.HostId, l.DeletedAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null || link.HostId != hostId)
        {
            return LinkStateOutcome.Forbidden;
        }

        if (link.DeletedAt is null)
        {
            LogRemovalOfLiveLink(hostId, state.LinkId);
            return LinkStateOutcome.Ignored;
        }

        // The agent has the deletion: the replicas stop sending the removal again (PendingSpecResend).
        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        await db.Links
            .Where(l => l.Id == state.LinkId && l.RemovalAcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RemovalAcknowledgedAt, now), cancellationToken);
        return state.AwaitingConfirm ? LinkStateOutcome.Confirm : LinkStateOutcome.Ignored;
    }

    private static PolicyOutcome? Outcome(LinkPhase phase) => phase switch
    {
        LinkPhase.Applied => PolicyOutcome.Applied,
        LinkPhase.Failed => PolicyOutcome.Failed,
        LinkPhase.RolledBack => PolicyOutcome.RolledBack,
        _ => null,
    };

    [LoggerMessage(EventId = 3031, Level = LogLevel.Debug, Message = "Agent of host {HostId}: state {Phase} of link {LinkId} for generation {Generation} arrived after a newer one (generation {Last}); ignored")]
    private partial void LogOutOfOrder(Guid hostId, Guid linkId, LinkPhase phase, long generation, long last);

    private sealed class LinkGate
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>The generation and place of the last recorded report; null until one is recorded.</summary>
        public (long Generation, ReportOrder Order)? Last { get; set; }
    }

    [LoggerMessage(EventId = 3032, Level = LogLevel.Warning, Message = "Agent of host {HostId} removed link {LinkId}, which is not deleted; not confirmed (the agent puts it back)")]
    private partial void LogRemovalOfLiveLink(Guid hostId, Guid linkId);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Debug, Message = "Agent of host {HostId}: state of link {LinkId} for generation {Generation} ignored (desired {Desired}, or deleted)")]
    private partial void LogIgnored(Guid hostId, Guid linkId, long generation, long desired);
}
