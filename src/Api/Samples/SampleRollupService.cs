using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Partitions;
using Fleet.Contracts.Agents.Counters;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Samples;

/// <summary>One stored batch's host and sample time range, as <c>ingested_batches</c> records it.</summary>
public readonly record struct BatchRange(Guid HostId, DateTime First, DateTime Last);

/// <summary>Minute buckets to recompute, for every link or one host's.</summary>
/// <param name="From">First minute (inclusive).</param>
/// <param name="To">End (exclusive), a whole minute.</param>
/// <param name="HostId">Only this host's links; null for every link.</param>
public sealed record RollupRange(DateTime From, DateTime To, Guid? HostId);

/// <summary>
/// Folds raw samples into 1-minute rollups and those into 1-hour rollups, and applies retention. Which buckets to
/// recompute comes from <c>ingested_batches</c>: every batch received since the last successful pass names its host
/// and the time range of its samples, so a batch an agent resends hours late still updates the buckets it falls in.
/// Only those buckets are recomputed (<see cref="Plan"/>): the recent ones of every batch together for all links, a
/// late batch's or replayed backlog's only for its own host's links, and never a minute older than raw retention
/// (<see cref="SampleTimeWindow"/>) nor an hour older than minute retention, whose source rows retention has begun
/// to delete. A bucket is always recomputed whole (INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE), which makes
/// passes idempotent and lets several replicas run this at once; the watermark moves only after a pass succeeded,
/// so a failed pass is simply done again. The still-open minute is recomputed again on the next pass. On PostgreSQL
/// it also keeps the sample tables' time partitions: created ahead at start and with retention, dropped whole by it
/// (<see cref="TimePartitions"/>).
/// </summary>
public sealed partial class SampleRollupService(
    IDbContextFactory<FleetDbContext> contexts,
    IOptions<FleetOptions> options,
    DatabaseReadiness readiness,
    TimeProvider timeProvider,
    ILogger<SampleRollupService> logger) : BackgroundService
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_retentionInterval = TimeSpan.FromMinutes(10);

    // Batches commit a moment after their received_at; re-reading this much overlap keeps none from slipping past.
    private static readonly TimeSpan s_overlap = TimeSpan.FromMinutes(1);

    // Samples up to this long before a pass's read-from time count as current: they are rolled up for all links
    // at once, as one range; anything older came late (a replay) and is rolled up for its own host only.
    private static readonly TimeSpan s_recent = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTime _watermark = timeProvider.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(10);
    private DateTime _lastRetention = DateTime.MinValue;

    /// <summary>
    /// Rolls up what batches received since the last successful pass touched; returns the ranges recomputed.
    /// Throws when a statement fails; the next pass then covers the same batches again.
    /// </summary>
    public async Task<IReadOnlyList<RollupRange>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var since = _watermark - s_overlap;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var batches = await db.IngestedBatches
                .Where(b => b.ReceivedAt >= since && b.FirstSampleAt != null && b.LastSampleAt != null)
                .Select(b => new BatchRange(b.HostId, b.FirstSampleAt!.Value, b.LastSampleAt!.Value))
                .ToListAsync(cancellationToken);
            var retention = options.Value.Retention;
            var plan = Plan(batches, since, SampleTimeWindow.At(now, retention).Earliest.UtcDateTime);
            var hourFloor = Ceiling(now - retention.MinuteRollups, TimeSpan.FromHours(1));
            foreach (var range in plan)
            {
                await RollupAsync(db, range.From, range.To, range.HostId, hourFloor, cancellationToken);
            }

            // Only now: a pass that threw above leaves the watermark where it was, and the next one retries it all.
            _watermark = now;
            return plan;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The minute ranges a pass recomputes for <paramref name="batches"/> read from <paramref name="since"/> on: each
    /// batch's minutes, none before <paramref name="earliest"/> (rounded up to a whole minute); those from
    /// <see cref="s_recent"/> before <paramref name="since"/> on as one range for every link, older ones merged per
    /// host. Ordered: the all-links range first, then by host and time.
    /// </summary>
    public static IReadOnlyList<RollupRange> Plan(IEnumerable<BatchRange> batches, DateTime since, DateTime earliest)
    {
        var minute = TimeSpan.FromMinutes(1);
        var floor = Ceiling(earliest, minute);
        var recentFrom = Floor(since, minute) - s_recent;
        DateTime? recentStart = null;
        DateTime? recentEnd = null;
        var late = new Dictionary<Guid, List<(DateTime From, DateTime To)>>();
        foreach (var batch in batches)
        {
            var from = Max(Floor(batch.First, minute), floor);
            var to = Floor(batch.Last, minute) + minute;
            if (from >= to)
            {
                continue;
            }

            if (to > recentFrom)
            {
                var start = Max(from, recentFrom);
                recentStart = recentStart is { } s && s < start ? s : start;
                recentEnd = recentEnd is { } e && e > to ? e : to;
            }

            if (from < recentFrom)
            {
                if (!late.TryGetValue(batch.HostId, out var ranges))
                {
                    ranges = [];
                    late[batch.HostId] = ranges;
                }

                ranges.Add((from, Min(to, recentFrom)));
            }
        }

        var plan = new List<RollupRange>();
        if (recentStart is { } recentFromMinute && recentEnd is { } recentTo)
        {
            plan.Add(new RollupRange(recentFromMinute, recentTo, null));
        }

        foreach (var (hostId, ranges) in late.OrderBy(pair => pair.Key))
        {
            ranges.Sort((a, b) => a.From.CompareTo(b.From));
            var (from, to) = ranges[0];
            foreach (var next in ranges.Skip(1))
            {
                if (next.From <= to)
                {
                    to = Max(to, next.To);
                    continue;
                }

                plan.Add(new RollupRange(from, to, hostId));
                (from, to) = next;
            }

            plan.Add(new RollupRange(from, to, hostId));
        }

        return plan;
    }

    /// <summary>Recomputes the 1-minute buckets in [from, to) and the 1-hour buckets that contain them, for every link.</summary>
    public static Task RollupAsync(FleetDbContext db, DateTime from, DateTime to, CancellationToken cancellationToken) =>
        RollupAsync(db, from, to, hostId: null, hourFloor: DateTime.MinValue, cancellationToken);

    /// <summary>
    /// Recomputes the 1-minute buckets in [from, to) and the 1-hour buckets that contain them (none before
    /// <paramref name="hourFloor"/>), for every link or only <paramref name="hostId"/>'s, in one transaction.
    /// </summary>
    public static async Task RollupAsync(FleetDbContext db, DateTime from, DateTime to, Guid? hostId, DateTime hourFloor, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        var minuteBucket = postgres ? "date_trunc('minute', \"time\")" : "substr(\"time\", 1, 16) || ':00'";
        var hourBucket = postgres ? "date_trunc('hour', bucket_start)" : "substr(bucket_start, 1, 13) || ':00:00'";
        var hourFrom = Max(Floor(from, TimeSpan.FromHours(1)), hourFloor);
        var hourTo = Floor(to.AddTicks(-1), TimeSpan.FromHours(1)).AddHours(1);

        // A host's links (deleted ones keep their row, so their late samples still roll up).
        var links = hostId is null ? "" : "AND link_id IN (SELECT id FROM links WHERE host_id = {2})";
        object[] minuteArguments = hostId is { } host ? [from, to, host] : [from, to];
        object[] hourArguments = hostId is { } hourHost ? [hourFrom, hourTo, hourHost] : [hourFrom, hourTo];

        // The SQL is assembled from constants only (the catalogue's columns, bucket expressions per provider); values go as parameters.
        var minutesSql = $$"""
            INSERT INTO samples_1m ({{s_columns}})
            SELECT link_id, member, {{minuteBucket}}, COUNT(*), SUM(interval_ms), {{s_fromSamples}}
            FROM samples
            WHERE "time" >= {0} AND "time" < {1} {{links}}
            GROUP BY link_id, member, {{minuteBucket}}
            {{s_upsert}}
            """;
        var hoursSql = $$"""
            INSERT INTO samples_1h ({{s_columns}})
            SELECT link_id, member, {{hourBucket}}, SUM(sample_count), SUM(interval_ms_sum), {{s_fromMinutes}}
            FROM samples_1m
            WHERE bucket_start >= {0} AND bucket_start < {1} {{links}}
            GROUP BY link_id, member, {{hourBucket}}
            {{s_upsert}}
            """;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(minutesSql, minuteArguments, cancellationToken);
        if (hourFrom < hourTo)
        {
            await db.Database.ExecuteSqlRawAsync(hoursSql, hourArguments, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Removes raw samples (class samples too), rollups, events and batch records older than their retention. On
    /// PostgreSQL the sample tables lose whole partitions (<see cref="TimePartitions.DropExpiredAsync"/>: a day of raw
    /// samples, a week of minutes, a month of hours, once all of it is past retention); everything else, and every
    /// table on SQLite, is deleted by age.
    /// </summary>
    public async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var retention = options.Value.Retention;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rawCutoff = now - retention.RawSamples;
        var minuteCutoff = now - retention.MinuteRollups;
        var hourCutoff = now - retention.HourRollups;
        var eventCutoff = now - retention.Events;
        int raw, minutes, hours;
        if (db.Database.IsNpgsql())
        {
            raw = await DropExpiredAsync(db, TimePartitionedTable.Samples, rawCutoff, cancellationToken);
            minutes = await DropExpiredAsync(db, TimePartitionedTable.MinuteRollups, minuteCutoff, cancellationToken);
            hours = await DropExpiredAsync(db, TimePartitionedTable.HourRollups, hourCutoff, cancellationToken);
        }
        else
        {
            raw = await db.Samples.Where(s => s.Time < rawCutoff).ExecuteDeleteAsync(cancellationToken);
            minutes = await db.SampleMinutes.Where(s => s.BucketStart < minuteCutoff).ExecuteDeleteAsync(cancellationToken);
            hours = await db.SampleHours.Where(s => s.BucketStart < hourCutoff).ExecuteDeleteAsync(cancellationToken);
        }

        // Class samples are raw only (not rolled up) and follow raw retention.
        raw += await db.ClassSamples.Where(s => s.Time < rawCutoff).ExecuteDeleteAsync(cancellationToken);
        var events = await db.Events.Where(e => e.Time < eventCutoff).ExecuteDeleteAsync(cancellationToken);
        // The dedupe records outlive raw retention by the clock skew a sample may have: a batch resent after its
        // record is gone carries only samples older than raw retention, which ingestion refuses (SampleTimeWindow).
        var batchCutoff = rawCutoff - SampleTimeWindow.MaxAhead;
        var batches = await db.IngestedBatches.Where(b => b.ReceivedAt < batchCutoff).ExecuteDeleteAsync(cancellationToken);
        if (raw + minutes + hours + events + batches > 0)
        {
            LogRetention(logger, raw, minutes, hours, events, batches);
        }
    }

    /// <summary>
    /// PostgreSQL: creates the sample tables' partitions ahead of the clock and moves rows out of their default
    /// partitions (<see cref="TimePartitions.EnsureAsync(FleetDbContext, DateTime, CancellationToken)"/>); nothing on SQLite.
    /// </summary>
    public async Task EnsurePartitionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!db.Database.IsNpgsql())
        {
            return;
        }

        foreach (var partition in await TimePartitions.EnsureAsync(db, timeProvider.GetUtcNow().UtcDateTime, cancellationToken))
        {
            LogPartitionCreated(logger, partition);
        }
    }

    private async Task<int> DropExpiredAsync(FleetDbContext db, TimePartitionedTable table, DateTime cutoff, CancellationToken cancellationToken)
    {
        var result = await TimePartitions.DropExpiredAsync(db, table, cutoff, cancellationToken);
        foreach (var partition in result.Dropped)
        {
            LogPartitionDropped(logger, partition, cutoff);
        }

        return result.DeletedFromDefault;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_interval, timeProvider);
        try
        {
            // At start, if the database is ready: PostgreSQL's partitions for today and ahead (the migration made
            // some already). Otherwise the first pass below makes them, as every retention pass does.
            if (readiness.Problem is null)
            {
                try
                {
                    await EnsurePartitionsAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }

            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (readiness.Problem is not null)
                {
                    continue;
                }

                try
                {
                    await RunOnceAsync(stoppingToken);
                    if (timeProvider.GetUtcNow().UtcDateTime - _lastRetention >= s_retentionInterval)
                    {
                        await EnsurePartitionsAsync(stoppingToken);
                        await ApplyRetentionAsync(stoppingToken);
                        _lastRetention = timeProvider.GetUtcNow().UtcDateTime;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped: a cancelled ExecuteAsync would count as a crash and stop the whole host.
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    // The counters' rollup columns and aggregates come from the catalogue, in its order (docs/conventions.md,
    // "Adding a counter"); only the bucket's own columns are written here.
    private static readonly RollupColumn[] s_counterColumns = [.. MemberCounterCatalog.All.SelectMany(c => c.RollupColumns)];

    private static readonly string s_columns =
        "link_id, member, bucket_start, sample_count, interval_ms_sum, " + string.Join(", ", s_counterColumns.Select(c => c.Name));

    private static readonly string s_fromSamples = string.Join(", ", s_counterColumns.Select(c => c.FromSamples));

    private static readonly string s_fromMinutes = string.Join(", ", s_counterColumns.Select(c => c.FromMinutes));

    private static readonly string s_upsert =
        "ON CONFLICT (link_id, member, bucket_start) DO UPDATE SET sample_count = excluded.sample_count, interval_ms_sum = excluded.interval_ms_sum, "
        + string.Join(", ", s_counterColumns.Select(c => $"{c.Name} = excluded.{c.Name}"));

    private static DateTime Floor(DateTime value, TimeSpan bucket) =>
        new(value.Ticks - (value.Ticks % bucket.Ticks), DateTimeKind.Utc);

    private static DateTime Ceiling(DateTime value, TimeSpan bucket) =>
        value.Ticks % bucket.Ticks == 0 ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : Floor(value, bucket) + bucket;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Retention removed {Raw} raw samples (member and class), {Minutes} 1-minute and {Hours} 1-hour rollups, {Events} events, {Batches} batch records")]
    private static partial void LogRetention(ILogger logger, int raw, int minutes, int hours, int events, int batches);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Created partition {Partition}")]
    private static partial void LogPartitionCreated(ILogger logger, string partition);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Retention dropped partition {Partition}: all of it is older than {Cutoff:O}")]
    private static partial void LogPartitionDropped(ILogger logger, string partition, DateTime cutoff);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Sample rollup or retention failed; retrying on the next run")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
