using System.Collections.Concurrent;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Notices when a host's batches start coming from a new queue (<see cref="SampleBatch.QueueId"/>): the agent lost
/// its queue (a container without the queue volume, a restored backup) or a simulator started again, and numbers its
/// batches from 1 again (issue 21). Batches are keyed by (host, queue, sequence), so nothing new is taken for a resend;
/// this records the change once, as a <see cref="AgentEventKind.QueueReset"/> event of the host, because the old
/// queue's unacknowledged batches are gone with it. The host's current queue lives in <c>hosts.batch_queue_id</c>
/// (compare-and-set, so replicas record one event between them) and is cached here: the check costs a dictionary
/// look-up per batch.
/// </summary>
public sealed partial class BatchQueueTracker(IDbContextFactory<FleetDbContext> contexts, TimeProvider time, ILogger<BatchQueueTracker> logger)
{
    /// <summary>Least time between two reset events of one host (two agents sharing a credential would alternate).</summary>
    public static readonly TimeSpan EventInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, Current> _current = new();

    /// <summary>Notes that <paramref name="hostId"/> sent a batch of queue <paramref name="queueId"/>.</summary>
    public async ValueTask ObserveAsync(Guid hostId, Guid queueId, long sequence, CancellationToken cancellationToken)
    {
        if (_current.TryGetValue(hostId, out var known) && known.QueueId == queueId)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var previous = await db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => h.BatchQueueId).SingleOrDefaultAsync(cancellationToken);
        var lastEvent = known?.LastEvent;
        if (previous != queueId)
        {
            var changed = await db.Hosts
                .Where(h => h.Id == hostId && h.BatchQueueId == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.BatchQueueId, queueId), cancellationToken) == 1;
            var now = time.GetUtcNow();
            if (changed && previous is { } old && (lastEvent is null || now - lastEvent >= EventInterval))
            {
                lastEvent = now;
                db.Events.Add(new EventEntity
                {
                    Id = Guid.CreateVersion7(),
                    Time = UtcDateTimeConverter.ToStore(now.UtcDateTime),
                    HostId = hostId,
                    Kind = AgentEventKind.QueueReset,
                    Severity = EventSeverity.Warning,
                    Message = $"The agent's batch queue started over (queue {queueId}, batch {sequence}; it was {old}): its queue was lost or it started without one. Batches the old queue had not delivered are lost.",
                });
                await db.SaveChangesAsync(cancellationToken);
                LogQueueReset(hostId, old, queueId, sequence);
            }
        }

        _current[hostId] = new Current(queueId, lastEvent);
    }

    [LoggerMessage(EventId = 3060, Level = LogLevel.Warning, Message = "Agent of host {HostId}: its batch queue started over (was {Previous}, now {Queue} at batch {Sequence})")]
    private partial void LogQueueReset(Guid hostId, Guid previous, Guid queue, long sequence);

    private sealed record Current(Guid QueueId, DateTimeOffset? LastEvent);
}
