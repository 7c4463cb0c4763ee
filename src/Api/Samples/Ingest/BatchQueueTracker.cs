using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Samples.Ingest;

/// <summary>
/// Notices when a host's batches start coming from a new queue (<see cref="SampleBatch.QueueId"/>): the agent lost
/// its queue (a container without the queue volume, a restored backup) or a simulator started again, and numbers its
/// batches from 1 again (issue 21). Batches are keyed by (host, queue, sequence), so nothing new is taken for a resend
/// whatever this does; it records the change once, as a <see cref="AgentEventKind.QueueReset"/> event of the host,
/// because the old queue's unacknowledged batches are gone with it.
/// <para>
/// Off the acknowledgement path: <see cref="Observe"/> is a dictionary look-up per batch, and what it does not know
/// goes to one loop that checks all hosts queued meanwhile in one round trip — after an Api restart a thousand hosts'
/// first batches cost a few queries, not a thousand pool connections at once. The host's current queue lives in
/// <c>hosts.batch_queue_id</c>, changed by compare-and-set, so replicas record one event between them.
/// </para>
/// </summary>
public sealed partial class BatchQueueTracker(IDbContextFactory<FleetDbContext> contexts, DatabaseReadiness readiness, TimeProvider time, ILogger<BatchQueueTracker> logger) : BackgroundService
{
    /// <summary>Least time between two reset events of one host (two agents sharing a credential would alternate).</summary>
    public static readonly TimeSpan EventInterval = TimeSpan.FromMinutes(1);

    /// <summary>Most hosts checked in one round trip.</summary>
    public const int MaxHostsPerRound = 500;

    private readonly ConcurrentDictionary<Guid, Current> _current = new();
    private readonly Channel<(Guid Host, Guid Queue, long Sequence)> _unknown = Channel.CreateUnbounded<(Guid, Guid, long)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Notes that <paramref name="hostId"/> sent a batch of queue <paramref name="queueId"/>; never waits.</summary>
    public void Observe(Guid hostId, Guid queueId, long sequence)
    {
        if (!_current.TryGetValue(hostId, out var known) || known.QueueId != queueId)
        {
            _unknown.Writer.TryWrite((hostId, queueId, sequence));
        }
    }

    /// <summary>Checks what was observed and is not known yet; the loop calls it, tests call it directly.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var round = new Dictionary<Guid, (Guid Queue, long Sequence)>();
        while (round.Count < MaxHostsPerRound && _unknown.Reader.TryRead(out var item))
        {
            if (!_current.TryGetValue(item.Host, out var known) || known.QueueId != item.Queue)
            {
                round[item.Host] = (item.Queue, item.Sequence);
            }
        }

        if (round.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hosts = round.Keys.ToList();
        var stored = await db.Hosts.AsNoTracking()
            .Where(h => hosts.Contains(h.Id))
            .Select(h => new { h.Id, h.BatchQueueId })
            .ToDictionaryAsync(h => h.Id, h => h.BatchQueueId, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var (hostId, (queueId, sequence)) in round)
        {
            if (!stored.TryGetValue(hostId, out var previous))
            {
                continue;
            }

            var lastEvent = _current.TryGetValue(hostId, out var known) ? known.LastEvent : null;
            if (previous != queueId)
            {
                var changed = await db.Hosts
                    .Where(h => h.Id == hostId && h.BatchQueueId == previous)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.BatchQueueId, queueId), cancellationToken) == 1;
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
                    LogQueueReset(hostId, old, queueId, sequence);
                }
            }

            _current[hostId] = new Current(queueId, lastEvent);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _unknown.Reader.WaitToReadAsync(stoppingToken))
        {
            if (readiness.Problem is not null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }

            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost but an event: the host's next unknown batch asks again.
                LogCheckFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 3060, Level = LogLevel.Warning, Message = "Agent of host {HostId}: its batch queue started over (was {Previous}, now {Queue} at batch {Sequence})")]
    private partial void LogQueueReset(Guid hostId, Guid previous, Guid queue, long sequence);

    [LoggerMessage(EventId = 3061, Level = LogLevel.Warning, Message = "Checking agents' batch queues failed")]
    private partial void LogCheckFailed(Exception exception);

    private sealed record Current(Guid QueueId, DateTimeOffset? LastEvent);
}
