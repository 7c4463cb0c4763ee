using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Api.Samples.Ingest;

/// <summary>
/// PostgreSQL: in one transaction, claim the batches' (host, queue, sequence) keys with one
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING</c> (what comes back is new; the rest are
/// duplicates), then binary-COPY the new batches' samples, events and class samples.
/// <para>
/// It writes over connections of its own (<see cref="MaxConnections"/>, <c>application_name</c>
/// <c>fleet-api ingest</c>), not the Api's pool: a reconnect storm of a thousand agents authenticating and saying hello
/// at once queues for the pool, and ingestion must not queue behind it (issue 21). One writer stores one group at a
/// time, so it needs one connection; the second covers a broken one being replaced.
/// </para>
/// </summary>
internal sealed class PostgresBatchStore : IBatchStore, IAsyncDisposable
{
    /// <summary>Most connections the ingest writer opens (docs/operations.md).</summary>
    public const int MaxConnections = 2;

    private const string ClaimSql = """
        INSERT INTO ingested_batches (host_id, queue_id, sequence, received_at, sample_count, first_sample_at, last_sample_at)
        SELECT * FROM unnest(@host_ids, @queue_ids, @sequences, @received_at, @sample_counts, @first_sample_at, @last_sample_at)
        ON CONFLICT DO NOTHING
        RETURNING host_id, queue_id, sequence
        """;

    // The counters' columns come from the catalogue, in its order, and WriteCounters writes them in the same order.
    private static readonly string s_copySamples =
        $"COPY samples (link_id, member, time, interval_ms, {string.Join(", ", MemberCounterCatalog.All.Select(c => c.Column))}) FROM STDIN (FORMAT BINARY)";

    private const string CopyClasses = "COPY class_samples (link_id, class, action, time, interval_ms, tx_packets, tx_bytes, duplicates_sent, duplicate_bytes, fec_blocks, fec_parity_packets, fec_parity_bytes, drop_no_path, rx_packets, rx_bytes, duplicates_dropped, fec_recovered, fec_lost, pinned_member) FROM STDIN (FORMAT BINARY)";

    private const string CopyEvents = "COPY events (id, time, host_id, link_id, member, kind, severity, message) FROM STDIN (FORMAT BINARY)";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresBatchStore(FleetDatabase database)
    {
        var builder = new NpgsqlDataSourceBuilder(database.ConnectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = MaxConnections;
        builder.ConnectionStringBuilder.ApplicationName = "fleet-api ingest";
        _dataSource = builder.Build();
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public async Task<bool[]> StoreAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var claimed = await ClaimAsync(connection, transaction, items, cancellationToken);
        var stored = new bool[items.Count];
        var sampleCount = 0;
        var eventCount = 0;
        var classCount = 0;
        for (var i = 0; i < items.Count; i++)
        {
            stored[i] = claimed.Contains(BatchKey.Of(items[i]));
            if (stored[i])
            {
                sampleCount += items[i].Batch.Samples.Count;
                eventCount += items[i].Batch.Events.Count;
                classCount += items[i].Batch.Striper?.Classes.Count ?? 0;
            }
        }

        if (sampleCount > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(s_copySamples, cancellationToken);
            for (var i = 0; i < items.Count; i++)
            {
                if (!stored[i])
                {
                    continue;
                }

                foreach (var s in items[i].Batch.Samples)
                {
                    await copy.StartRowAsync(cancellationToken);
                    copy.Write(s.LinkId, NpgsqlDbType.Uuid);
                    copy.Write(s.Member, NpgsqlDbType.Varchar);
                    copy.Write(UtcDateTimeConverter.ToStore(s.Time.UtcDateTime), NpgsqlDbType.TimestampTz);
                    copy.Write(s.IntervalMs, NpgsqlDbType.Integer);
                    WriteCounters(copy, s);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (eventCount > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(CopyEvents, cancellationToken);
            for (var i = 0; i < items.Count; i++)
            {
                if (!stored[i])
                {
                    continue;
                }

                foreach (var e in items[i].Batch.Events)
                {
                    var row = IngestRows.Event(items[i].HostId, e);
                    await copy.StartRowAsync(cancellationToken);
                    copy.Write(row.Id, NpgsqlDbType.Uuid);
                    copy.Write(row.Time, NpgsqlDbType.TimestampTz);
                    copy.Write(row.HostId, NpgsqlDbType.Uuid);
                    if (row.LinkId is { } link)
                    {
                        copy.Write(link, NpgsqlDbType.Uuid);
                    }
                    else
                    {
                        copy.WriteNull();
                    }

                    if (row.Member is { } member)
                    {
                        copy.Write(member, NpgsqlDbType.Varchar);
                    }
                    else
                    {
                        copy.WriteNull();
                    }

                    copy.Write(row.Kind.ToString(), NpgsqlDbType.Varchar);
                    copy.Write(row.Severity.ToString(), NpgsqlDbType.Varchar);
                    copy.Write(row.Message, NpgsqlDbType.Varchar);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (classCount > 0)
        {
            await CopyClassSamplesAsync(connection, items, stored, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    /// <summary>
    /// Inserts the batches' <c>ingested_batches</c> rows, skipping those stored before; returns the keys inserted now.
    /// The columns go as arrays straight from the batches: no entity object per batch.
    /// </summary>
    private static async Task<HashSet<BatchKey>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        var count = items.Count;
        var hostIds = new Guid[count];
        var queueIds = new Guid[count];
        var sequences = new long[count];
        var receivedAt = new DateTime[count];
        var sampleCounts = new int[count];
        var firstSampleAt = new DateTime?[count];
        var lastSampleAt = new DateTime?[count];
        for (var i = 0; i < count; i++)
        {
            var item = items[i];
            hostIds[i] = item.HostId;
            queueIds[i] = item.Batch.QueueId;
            sequences[i] = item.Batch.Sequence;
            receivedAt[i] = UtcDateTimeConverter.ToStore(item.ReceivedAt);
            sampleCounts[i] = item.Batch.Samples.Count;
            (firstSampleAt[i], lastSampleAt[i]) = IngestRows.SampleSpan(item.Batch.Samples);
        }

        var claimed = new HashSet<BatchKey>(count);
        await using var claim = new NpgsqlCommand(ClaimSql, connection, transaction);
        claim.Parameters.Add(new NpgsqlParameter<Guid[]>("host_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = hostIds });
        claim.Parameters.Add(new NpgsqlParameter<Guid[]>("queue_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = queueIds });
        claim.Parameters.Add(new NpgsqlParameter<long[]>("sequences", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = sequences });
        claim.Parameters.Add(new NpgsqlParameter<DateTime[]>("received_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = receivedAt });
        claim.Parameters.Add(new NpgsqlParameter<int[]>("sample_counts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = sampleCounts });
        claim.Parameters.Add(new NpgsqlParameter<DateTime?[]>("first_sample_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = firstSampleAt });
        claim.Parameters.Add(new NpgsqlParameter<DateTime?[]>("last_sample_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = lastSampleAt });
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new BatchKey(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt64(2)));
        }

        return claimed;
    }

    private static async Task CopyClassSamplesAsync(NpgsqlConnection connection, IReadOnlyList<IngestItem> items, bool[] stored, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(CopyClasses, cancellationToken);
        for (var i = 0; i < items.Count; i++)
        {
            if (!stored[i])
            {
                continue;
            }

            foreach (var c in items[i].Batch.Striper?.Classes ?? [])
            {
                await copy.StartRowAsync(cancellationToken);
                copy.Write(c.LinkId, NpgsqlDbType.Uuid);
                copy.Write(c.Class, NpgsqlDbType.Varchar);
                copy.Write(c.Action, NpgsqlDbType.Varchar);
                copy.Write(UtcDateTimeConverter.ToStore(c.Time.UtcDateTime), NpgsqlDbType.TimestampTz);
                copy.Write(c.IntervalMs, NpgsqlDbType.Integer);
                foreach (var counter in (ReadOnlySpan<long>)[c.TxPackets, c.TxBytes, c.DuplicatesSent, c.DuplicateBytes, c.FecBlocks, c.FecParityPackets,
                    c.FecParityBytes, c.DropNoPath, c.RxPackets, c.RxBytes, c.DuplicatesDropped, c.FecRecovered, c.FecLost])
                {
                    copy.Write(counter, NpgsqlDbType.Bigint);
                }

                if (c.PinnedMember is { } pinned)
                {
                    copy.Write(pinned, NpgsqlDbType.Varchar);
                }
                else
                {
                    copy.WriteNull();
                }
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// A sample's counters in catalogue order, each in the column type its kind is stored as (<see cref="CounterKind"/>:
    /// deltas <c>bigint</c>, depths and health <c>integer</c>, measurements nullable <c>double precision</c>).
    /// </summary>
    private static void WriteCounters(NpgsqlBinaryImporter copy, MemberSample sample)
    {
        var counters = MemberCounterCatalog.All;
        for (var i = 0; i < counters.Count; i++)
        {
            var counter = counters[i];
            switch (counter.Kind)
            {
                case CounterKind.Delta:
                    copy.Write(counter.Whole!(sample), NpgsqlDbType.Bigint);
                    break;
                case CounterKind.Level or CounterKind.Peak or CounterKind.Health:
                    copy.Write((int)counter.Whole!(sample), NpgsqlDbType.Integer);
                    break;
                case CounterKind.Measured when counter.Measure!(sample) is { } value:
                    copy.Write(value, NpgsqlDbType.Double);
                    break;
                case CounterKind.Measured:
                    copy.WriteNull();
                    break;
                default:
                    throw new InvalidOperationException($"counter kind {counter.Kind} is not known");
            }
        }
    }
}
