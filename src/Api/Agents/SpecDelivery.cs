using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Follows the link change feed and tells connected agents at once: a new generation → <c>ApplyLink</c> with the
/// link's current desired spec, a deletion → <c>RemoveLink</c>, a decommissioned host → its connections are closed.
/// Agents that are offline get their desired state in <c>HelloResult</c> when they connect. Dashboards following the
/// link see it go Pending.
/// </summary>
public sealed partial class SpecDelivery(
    ILinkChangeFeed feed,
    IHubContext<AgentHub, IAgentClient> hub,
    AgentConnections connections,
    LinkOwnership ownership,
    LiveFanout live,
    IDbContextFactory<FleetDbContext> contexts,
    ILogger<SpecDelivery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe();
        try
        {
            await foreach (var change in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await DeliverAsync(change, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The agent gets the desired state at its next hello anyway.
                    LogDeliveryFailed(change.LinkId, change.HostId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(LinkChange change, CancellationToken cancellationToken)
    {
        switch (change.Kind)
        {
            case LinkChangeKind.HostDecommissioned:
                var closed = connections.Abort(change.HostId);
                LogDecommissioned(change.HostId, closed);
                return;
            case LinkChangeKind.Deleted:
                await hub.Clients.Group(AgentConnections.Group(change.HostId)).RemoveLink(new LinkRemoval(change.LinkId));
                return;
        }

        ownership.Remember(change.LinkId, change.HostId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Links.AsNoTracking().SingleOrDefaultAsync(l => l.Id == change.LinkId, cancellationToken);
        if (link is null || link.DeletedAt is not null || link.DesiredGeneration < change.Generation)
        {
            return;
        }

        live.PublishState(LiveFanout.ToState(link));
        if (connections.IsConnected(link.HostId))
        {
            await hub.Clients.Group(AgentConnections.Group(link.HostId)).ApplyLink(new DesiredLink(link.Id, link.DesiredGeneration, link.Spec));
            LogPushed(link.Id, link.DesiredGeneration, link.HostId);
        }
    }

    [LoggerMessage(EventId = 3040, Level = LogLevel.Debug, Message = "Pushed generation {Generation} of link {LinkId} to host {HostId}")]
    private partial void LogPushed(Guid linkId, long generation, Guid hostId);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Warning, Message = "Delivering a change of link {LinkId} to host {HostId} failed")]
    private partial void LogDeliveryFailed(Guid linkId, Guid hostId, Exception exception);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Information, Message = "Host {HostId} decommissioned: {Count} agent connections closed")]
    private partial void LogDecommissioned(Guid hostId, int count);
}
