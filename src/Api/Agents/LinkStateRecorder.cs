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

    /// <summary>Recorded, and the agent awaits confirmation of the desired generation: confirm it.</summary>
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
/// </summary>
public sealed partial class LinkStateRecorder(IDbContextFactory<FleetDbContext> contexts, LiveFanout live, TimeProvider time, ILogger<LinkStateRecorder> logger)
{
    public async Task<LinkStateOutcome> RecordAsync(Guid hostId, ObservedLinkState state, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == state.LinkId)
            .Select(l => new { l.HostId, l.DesiredGeneration, l.ObservedGeneration, l.Phase, l.LastError, l.DeletedAt, l.PhaseChangedAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null || link.HostId != hostId)
        {
            return LinkStateOutcome.Forbidden;
        }

        if (link.DeletedAt is not null || state.TargetGeneration > link.DesiredGeneration || state.ObservedGeneration > link.DesiredGeneration)
        {
            LogIgnored(hostId, state.LinkId, state.TargetGeneration, link.DesiredGeneration);
            return LinkStateOutcome.Ignored;
        }

        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        var current = state.TargetGeneration == link.DesiredGeneration;
        var error = state.Error is { Length: > 2000 } text ? text[..2000] : state.Error;
        var phase = current ? state.Phase : link.Phase;
        if (current)
        {
            var phaseChanged = link.Phase != state.Phase;
            await db.Links
                .Where(l => l.Id == state.LinkId && l.DesiredGeneration == state.TargetGeneration)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(l => l.ObservedGeneration, state.ObservedGeneration)
                        .SetProperty(l => l.Phase, state.Phase)
                        .SetProperty(l => l.LastError, error)
                        .SetProperty(l => l.PhaseChangedAt, l => phaseChanged ? now : l.PhaseChangedAt),
                    cancellationToken);
        }
        else if (state.ObservedGeneration != link.ObservedGeneration)
        {
            await db.Links
                .Where(l => l.Id == state.LinkId)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ObservedGeneration, state.ObservedGeneration), cancellationToken);
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

        live.PublishState(new LiveLinkState
        {
            LinkId = state.LinkId,
            HostId = hostId,
            Phase = phase,
            DesiredGeneration = link.DesiredGeneration,
            ObservedGeneration = state.ObservedGeneration,
            Error = current ? error : link.LastError,
            AwaitingConfirm = current && state.AwaitingConfirm,
            Time = time.GetUtcNow(),
        });

        return current && state.AwaitingConfirm && state.Phase == LinkPhase.Applying ? LinkStateOutcome.Confirm : LinkStateOutcome.Recorded;
    }

    private static PolicyOutcome? Outcome(LinkPhase phase) => phase switch
    {
        LinkPhase.Applied => PolicyOutcome.Applied,
        LinkPhase.Failed => PolicyOutcome.Failed,
        LinkPhase.RolledBack => PolicyOutcome.RolledBack,
        _ => null,
    };

    [LoggerMessage(EventId = 3030, Level = LogLevel.Debug, Message = "Agent of host {HostId}: state of link {LinkId} for generation {Generation} ignored (desired {Desired}, or deleted)")]
    private partial void LogIgnored(Guid hostId, Guid linkId, long generation, long desired);
}
