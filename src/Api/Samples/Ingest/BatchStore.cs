using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Samples.Ingest;

/// <summary>What identifies a batch: the host, the agent's queue, the sequence within it.</summary>
/// <param name="HostId">The host.</param>
/// <param name="QueueId">The agent's queue (<see cref="SampleBatch.QueueId"/>).</param>
/// <param name="Sequence">The batch's sequence within the queue.</param>
public readonly record struct BatchKey(Guid HostId, Guid QueueId, long Sequence)
{
    public static BatchKey Of(IngestItem item) => new(item.HostId, item.Batch.QueueId, item.Batch.Sequence);
}

/// <summary>One batch to store, from one host.</summary>
/// <param name="HostId">The reporting host (from its credential).</param>
/// <param name="Batch">The batch.</param>
/// <param name="ReceivedAt">When it arrived (UTC).</param>
public sealed record IngestItem(Guid HostId, SampleBatch Batch, DateTime ReceivedAt);

/// <summary>
/// Writes batches durably and exactly once: each batch's <c>ingested_batches</c> row, samples, class samples and events go in one
/// transaction, and a batch whose (host, queue, sequence) row exists already is skipped as a duplicate.
/// </summary>
public interface IBatchStore
{
    /// <summary>Stores <paramref name="items"/> (distinct by <see cref="BatchKey"/>); per item true when stored now, false when it was stored before.</summary>
    Task<bool[]> StoreAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken);
}

/// <summary>Row shapes both stores share.</summary>
internal static class IngestRows
{
    public static IngestedBatchEntity Batch(IngestItem item)
    {
        var (first, last) = SampleSpan(item.Batch.Samples);
        return new IngestedBatchEntity
        {
            HostId = item.HostId,
            QueueId = item.Batch.QueueId,
            Sequence = item.Batch.Sequence,
            ReceivedAt = UtcDateTimeConverter.ToStore(item.ReceivedAt),
            SampleCount = item.Batch.Samples.Count,
            FirstSampleAt = first,
            LastSampleAt = last,
        };
    }

    /// <summary>The earliest and the latest sample time of a batch, as stored; null when it has no samples.</summary>
    public static (DateTime? First, DateTime? Last) SampleSpan(IReadOnlyList<MemberSample> samples)
    {
        DateTime? first = null;
        DateTime? last = null;
        for (var i = 0; i < samples.Count; i++)
        {
            var time = UtcDateTimeConverter.ToStore(samples[i].Time.UtcDateTime);
            first = first is null || time < first ? time : first;
            last = last is null || time > last ? time : last;
        }

        return (first, last);
    }

    public static ClassSampleEntity Class(ClassSample c) => new()
    {
        LinkId = c.LinkId,
        Class = c.Class,
        Action = c.Action,
        Time = UtcDateTimeConverter.ToStore(c.Time.UtcDateTime),
        IntervalMs = c.IntervalMs,
        TxPackets = c.TxPackets,
        TxBytes = c.TxBytes,
        DuplicatesSent = c.DuplicatesSent,
        DuplicateBytes = c.DuplicateBytes,
        FecBlocks = c.FecBlocks,
        FecParityPackets = c.FecParityPackets,
        FecParityBytes = c.FecParityBytes,
        DropNoPath = c.DropNoPath,
        RxPackets = c.RxPackets,
        RxBytes = c.RxBytes,
        DuplicatesDropped = c.DuplicatesDropped,
        FecRecovered = c.FecRecovered,
        FecLost = c.FecLost,
        PinnedMember = c.PinnedMember,
    };

    public static EventEntity Event(Guid hostId, AgentEvent e) => new()
    {
        Id = Guid.CreateVersion7(),
        Time = UtcDateTimeConverter.ToStore(e.Time.UtcDateTime),
        HostId = hostId,
        LinkId = e.LinkId,
        Member = e.Member,
        Kind = e.Kind,
        Severity = e.Severity,
        Message = AgentText.Cut(e.Message, EventEntity.MessageMaxLength),
    };
}

/// <summary>SQLite: one EF transaction per group of batches (SQLite has one writer anyway).</summary>
internal sealed class SqliteBatchStore(IDbContextFactory<FleetDbContext> contexts) : IBatchStore
{
    public async Task<bool[]> StoreAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var hosts = items.Select(i => i.HostId).Distinct().ToList();
        var sequences = items.Select(i => i.Batch.Sequence).Distinct().ToList();
        var existing = (await db.IngestedBatches.AsNoTracking()
                .Where(b => hosts.Contains(b.HostId) && sequences.Contains(b.Sequence))
                .Select(b => new { b.HostId, b.QueueId, b.Sequence })
                .ToListAsync(cancellationToken))
            .Select(k => new BatchKey(k.HostId, k.QueueId, k.Sequence))
            .ToHashSet();
        var stored = new bool[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (existing.Contains(BatchKey.Of(item)))
            {
                continue;
            }

            stored[i] = true;
            db.IngestedBatches.Add(IngestRows.Batch(item));
            foreach (var sample in item.Batch.Samples)
            {
                db.Samples.Add(SampleEntity.From(sample));
            }

            foreach (var e in item.Batch.Events)
            {
                db.Events.Add(IngestRows.Event(item.HostId, e));
            }

            foreach (var c in item.Batch.Striper?.Classes ?? [])
            {
                db.ClassSamples.Add(IngestRows.Class(c));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }
}
