using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Replication;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Agents;

/// <summary>
/// Every <see cref="ReplicationOptions.PendingSpecResendInterval"/>, sends again to the agents connected to this
/// replica the links still <see cref="LinkPhase.Pending"/> at a generation they have not reported and the removals of
/// deleted links they have not acknowledged (<see cref="Data.Entities.LinkEntity.RemovalAcknowledgedAt"/>), and closes
/// the connections of hosts decommissioned meanwhile. A push is fire-and-forget (a backplane does not persist, Redis may
/// restart, another replica may die before it sends): this loop makes a lost push a delay, never a loss. Applying a
/// generation twice does nothing on the agent (its hello applies the whole desired state the same way).
/// </summary>
public sealed partial class PendingSpecResend(
    AgentConnections connections,
    HostAgentsPush push,
    StriperKeyProtection keys,
    IDbContextFactory<FleetDbContext> contexts,
    IOptions<ReplicationOptions> options,
    ReplicaTopology topology,
    TimeProvider time,
    ILogger<PendingSpecResend> logger) : BackgroundService
{
    private readonly TimeSpan _interval = options.Value.PendingSpecResendInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!topology.Backplane)
        {
            // One replica hands its pushes to its own connections and nothing can lose them; an agent that reconnects
            // gets its whole desired state with its hello.
            return;
        }

        using var timer = new PeriodicTimer(_interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ResendAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be away for a moment: the next round tries again.
                    LogRoundFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round (tests call it directly); returns how many specs and removals were sent again.</summary>
    internal async Task<int> ResendAsync(CancellationToken cancellationToken)
    {
        var hosts = connections.ConnectedHostIds();
        if (hosts.Count == 0)
        {
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var decommissioned = await db.Hosts.AsNoTracking()
            .Where(h => hosts.Contains(h.Id) && h.DecommissionedAt != null)
            .Select(h => h.Id)
            .ToListAsync(cancellationToken);
        foreach (var hostId in decommissioned)
        {
            LogDecommissioned(hostId, connections.Abort(hostId));
        }

        // A push younger than one interval may still be on its way: only older ones count as lost.
        var pushedBefore = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime - _interval);
        var pending = await db.Links.AsNoTracking()
            .Where(l => hosts.Contains(l.HostId) && l.DeletedAt == null && l.Phase == LinkPhase.Pending
                && l.ObservedGeneration < l.DesiredGeneration && l.PhaseChangedAt <= pushedBefore)
            .ToListAsync(cancellationToken);
        foreach (var link in pending)
        {
            var desired = new DesiredLink(link.Id, link.DesiredGeneration, keys.FromStorage(link.Spec));
            await push.ToLocalAsync(link.HostId, agent => agent.ApplyLink(desired));
        }

        // Deleted links whose agent has not shown it has the deletion (a Removing report, or a hello since).
        var removals = await db.Links.AsNoTracking()
            .Where(l => hosts.Contains(l.HostId) && l.DeletedAt != null && l.RemovalAcknowledgedAt == null && l.DeletedAt <= pushedBefore)
            .Select(l => new { l.Id, l.HostId })
            .ToListAsync(cancellationToken);
        foreach (var removal in removals)
        {
            await push.ToLocalAsync(removal.HostId, agent => agent.RemoveLink(new LinkRemoval(removal.Id)));
        }

        if (pending.Count + removals.Count > 0)
        {
            LogResent(pending.Count, removals.Count, hosts.Count);
        }

        return pending.Count + removals.Count;
    }

    [LoggerMessage(EventId = 3044, Level = LogLevel.Information, Message = "Sent {Count} pending link specs and {Removals} removals again to agents of {Hosts} hosts connected here")]
    private partial void LogResent(int count, int removals, int hosts);

    [LoggerMessage(EventId = 3045, Level = LogLevel.Information, Message = "Host {HostId} was decommissioned: {Count} agent connections here closed")]
    private partial void LogDecommissioned(Guid hostId, int count);

    [LoggerMessage(EventId = 3046, Level = LogLevel.Warning, Message = "Sending pending link specs again failed")]
    private partial void LogRoundFailed(Exception exception);
}
