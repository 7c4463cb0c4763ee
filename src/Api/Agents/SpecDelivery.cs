using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Follows the link change feed and tells connected agents at once: a new generation → <c>ApplyLink</c> with the
/// link's current desired spec, a deletion → <c>RemoveLink</c>, a decommissioned host → its connections here are closed
/// (the other replicas close theirs in <see cref="PendingSpecResend"/>). The feed is this process's own: pushes reach
/// an agent on another replica through the host's group on the backplane (<see cref="HostAgentsPush"/>). Agents that
/// are offline get their desired state in <c>HelloResult</c> when they connect. Dashboards following the link, here
/// and on the other replicas, see it go Pending.
/// </summary>
public sealed partial class SpecDelivery(
    ILinkChangeFeed feed,
    HostAgentsPush push,
    AgentConnections connections,
    LinkOwnership ownership,
    LiveFanout live,
    StriperKeyProtection keys,
    IDbContextFactory<FleetDbContext> contexts,
    ILogger<SpecDelivery> logger) : BackgroundService
{
    /// <summary>Most changes delivered per database round trip.</summary>
    public const int MaxChangesPerRead = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe();
        var changes = new List<LinkChange>();
        try
        {
            while (await subscription.Reader.WaitToReadAsync(stoppingToken))
            {
                // Everything published meanwhile goes in one read: a rollout to a thousand hosts is a few queries,
                // not a thousand in a row.
                changes.Clear();
                while (changes.Count < MaxChangesPerRead && subscription.Reader.TryRead(out var change))
                {
                    changes.Add(change);
                }

                try
                {
                    await DeliverAsync(changes, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The agents get the desired state at their next hello anyway.
                    LogDeliveryFailed(changes.Count, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(List<LinkChange> changes, CancellationToken cancellationToken)
    {
        var wanted = changes.Where(c => c.Kind is LinkChangeKind.Created or LinkChangeKind.SpecChanged or LinkChangeKind.Reverted).Select(c => c.LinkId).Distinct().ToList();
        var links = new Dictionary<Guid, LinkEntity>();
        if (wanted.Count > 0)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            foreach (var link in await db.Links.AsNoTracking().Where(l => wanted.Contains(l.Id)).ToListAsync(cancellationToken))
            {
                links[link.Id] = link;
            }
        }

        // In publication order; a link changed twice is sent its current spec once.
        var sent = new HashSet<Guid>();
        foreach (var change in changes)
        {
            switch (change.Kind)
            {
                case LinkChangeKind.HostDecommissioned:
                    LogDecommissioned(change.HostId, connections.Abort(change.HostId));
                    continue;
                case LinkChangeKind.Deleted:
                    await push.ToHostAsync(change.HostId, agent => agent.RemoveLink(new LinkRemoval(change.LinkId)));
                    continue;
            }

            ownership.Changed(change.LinkId, change.HostId);
            if (!links.TryGetValue(change.LinkId, out var link) || link.DeletedAt is not null || !sent.Add(link.Id))
            {
                continue;
            }

            live.PublishState(LiveFanout.ToState(link));
            var desired = new DesiredLink(link.Id, link.DesiredGeneration, keys.FromStorage(link.Spec));
            await push.ToHostAsync(link.HostId, agent => agent.ApplyLink(desired));
            LogPushed(link.Id, link.DesiredGeneration, link.HostId);
        }
    }

    [LoggerMessage(EventId = 3040, Level = LogLevel.Debug, Message = "Pushed generation {Generation} of link {LinkId} to host {HostId}")]
    private partial void LogPushed(Guid linkId, long generation, Guid hostId);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Warning, Message = "Delivering {Count} link changes failed")]
    private partial void LogDeliveryFailed(int count, Exception exception);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Information, Message = "Host {HostId} decommissioned: {Count} agent connections closed")]
    private partial void LogDecommissioned(Guid hostId, int count);
}
