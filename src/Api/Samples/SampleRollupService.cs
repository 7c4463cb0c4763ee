using Fleet.Api.Data;
using Fleet.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Samples;

/// <summary>
/// Folds raw samples into 1-minute rollups and those into 1-hour rollups, and applies retention. Which buckets to
/// recompute comes from <c>ingested_batches</c>: every batch received since the last run names the time range of its
/// samples, so a batch an agent resends hours late still updates the buckets it falls in. A bucket is always
/// recomputed whole (INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE), which makes runs idempotent and lets
/// several replicas run this at once. The still-open minute is recomputed again on the next run.
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

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTime _watermark = timeProvider.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(10);
    private DateTime _lastRetention = DateTime.MinValue;

    /// <summary>Rolls up what batches received since the last run touched; returns the raw range recomputed, if any.</summary>
    public async Task<(DateTime From, DateTime To)?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var since = _watermark - s_overlap;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var range = await db.IngestedBatches
                .Where(b => b.ReceivedAt >= since && b.FirstSampleAt != null && b.LastSampleAt != null)
                .GroupBy(_ => 1)
                .Select(g => new { From = g.Min(b => b.FirstSampleAt), To = g.Max(b => b.LastSampleAt) })
                .SingleOrDefaultAsync(cancellationToken);
            _watermark = now;
            if (range?.From is not { } first || range.To is not { } last)
            {
                return null;
            }

            var from = Floor(first, TimeSpan.FromMinutes(1));
            var to = Floor(last, TimeSpan.FromMinutes(1)).AddMinutes(1);
            await RollupAsync(db, from, to, cancellationToken);
            return (from, to);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Recomputes the 1-minute buckets in [from, to) and the 1-hour buckets that contain them.</summary>
    public static async Task RollupAsync(FleetDbContext db, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        var minuteBucket = postgres ? "date_trunc('minute', \"time\")" : "substr(\"time\", 1, 16) || ':00'";
        var hourBucket = postgres ? "date_trunc('hour', bucket_start)" : "substr(bucket_start, 1, 13) || ':00:00'";
        var hourFrom = Floor(from, TimeSpan.FromHours(1));
        var hourTo = Floor(to.AddTicks(-1), TimeSpan.FromHours(1)).AddHours(1);

        // The SQL is assembled from constants only (bucket expressions per provider); values go as parameters.
        var minutesSql = $$"""
            INSERT INTO samples_1m ({{Columns}})
            SELECT link_id, member, {{minuteBucket}}, COUNT(*), SUM(interval_ms), SUM(tx_bytes), SUM(rx_bytes),
                   SUM(tx_packets), SUM(rx_packets), SUM(tx_drops), SUM(rx_drops), SUM(errors), SUM(reorder_depth),
                   MAX(reorder_depth_max), COALESCE(SUM(rtt_ms), 0), MAX(rtt_ms), COUNT(rtt_ms),
                   COALESCE(SUM(loss_percent), 0), MAX(loss_percent), COUNT(loss_percent), MAX(health)
            FROM samples
            WHERE "time" >= {0} AND "time" < {1}
            GROUP BY link_id, member, {{minuteBucket}}
            {{Upsert}}
            """;
        var hoursSql = $$"""
            INSERT INTO samples_1h ({{Columns}})
            SELECT link_id, member, {{hourBucket}}, SUM(sample_count), SUM(interval_ms_sum), SUM(tx_bytes), SUM(rx_bytes),
                   SUM(tx_packets), SUM(rx_packets), SUM(tx_drops), SUM(rx_drops), SUM(errors), SUM(reorder_depth_sum),
                   MAX(reorder_depth_max), SUM(rtt_ms_sum), MAX(rtt_ms_max), SUM(rtt_count),
                   SUM(loss_percent_sum), MAX(loss_percent_max), SUM(loss_count), MAX(health_worst)
            FROM samples_1m
            WHERE bucket_start >= {0} AND bucket_start < {1}
            GROUP BY link_id, member, {{hourBucket}}
            {{Upsert}}
            """;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(minutesSql, [from, to], cancellationToken);
        await db.Database.ExecuteSqlRawAsync(hoursSql, [hourFrom, hourTo], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Deletes raw samples, rollups, events and batch records older than their retention.</summary>
    public async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var retention = options.Value.Retention;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rawCutoff = now - retention.RawSamples;
        var minuteCutoff = now - retention.MinuteRollups;
        var hourCutoff = now - retention.HourRollups;
        var eventCutoff = now - retention.Events;
        var raw = await db.Samples.Where(s => s.Time < rawCutoff).ExecuteDeleteAsync(cancellationToken);
        var minutes = await db.SampleMinutes.Where(s => s.BucketStart < minuteCutoff).ExecuteDeleteAsync(cancellationToken);
        var hours = await db.SampleHours.Where(s => s.BucketStart < hourCutoff).ExecuteDeleteAsync(cancellationToken);
        var events = await db.Events.Where(e => e.Time < eventCutoff).ExecuteDeleteAsync(cancellationToken);
        var batches = await db.IngestedBatches.Where(b => b.ReceivedAt < rawCutoff).ExecuteDeleteAsync(cancellationToken);
        if (raw + minutes + hours + events + batches > 0)
        {
            LogRetention(logger, raw, minutes, hours, events, batches);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_interval, timeProvider);
        try
        {
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

    private const string Columns =
        "link_id, member, bucket_start, sample_count, interval_ms_sum, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, " +
        "errors, reorder_depth_sum, reorder_depth_max, rtt_ms_sum, rtt_ms_max, rtt_count, loss_percent_sum, loss_percent_max, loss_count, health_worst";

    private const string Upsert =
        """
        ON CONFLICT (link_id, member, bucket_start) DO UPDATE SET
            sample_count = excluded.sample_count, interval_ms_sum = excluded.interval_ms_sum,
            tx_bytes = excluded.tx_bytes, rx_bytes = excluded.rx_bytes, tx_packets = excluded.tx_packets,
            rx_packets = excluded.rx_packets, tx_drops = excluded.tx_drops, rx_drops = excluded.rx_drops,
            errors = excluded.errors, reorder_depth_sum = excluded.reorder_depth_sum,
            reorder_depth_max = excluded.reorder_depth_max, rtt_ms_sum = excluded.rtt_ms_sum,
            rtt_ms_max = excluded.rtt_ms_max, rtt_count = excluded.rtt_count,
            loss_percent_sum = excluded.loss_percent_sum, loss_percent_max = excluded.loss_percent_max,
            loss_count = excluded.loss_count, health_worst = excluded.health_worst
        """;

    private static DateTime Floor(DateTime value, TimeSpan bucket) =>
        new(value.Ticks - (value.Ticks % bucket.Ticks), DateTimeKind.Utc);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Retention removed {Raw} raw samples, {Minutes} 1-minute and {Hours} 1-hour rollups, {Events} events, {Batches} batch records")]
    private static partial void LogRetention(ILogger logger, int raw, int minutes, int hours, int events, int batches);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Sample rollup or retention failed; retrying on the next run")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
