using Fleet.Api.Data;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>A member's most recent sample, as rates; <c>Drops</c> counts tx + rx drops in the interval.</summary>
public sealed record LatestMemberValue(
    DateTimeOffset Time,
    double TxBitsPerSecond,
    double RxBitsPerSecond,
    long Drops,
    int ReorderDepth,
    double? RttMs,
    double? LossPercent,
    MemberHealth Health);

/// <summary>Where the dashboard gets every member's latest values (overview totals and filters need all of them).</summary>
public interface ILatestMemberValues
{
    /// <summary>Latest values by (link, member interface) for samples newer than <paramref name="since"/>.</summary>
    Task<IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue>> GetAsync(
        IReadOnlyCollection<Guid>? linkIds, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>
/// Latest values from the samples table. For the whole fleet: each member's <c>MAX(time)</c> (an index search per
/// member, in a materialized CTE so the planner cannot turn it into a scan of every sample), then that one sample per
/// member — the cost follows the member count, not the sample rate. For a few links: their recent samples directly.
/// </summary>
public sealed class DatabaseLatestMemberValues(FleetDbContext db) : ILatestMemberValues
{
    public async Task<IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue>> GetAsync(
        IReadOnlyCollection<Guid>? linkIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var sinceUtc = since.UtcDateTime;
        List<LatestSampleRow> rows;
        if (linkIds is null)
        {
            // Portable SQL (SQLite >= 3.35, PostgreSQL >= 12); quoted aliases name the row type's properties.
            // CROSS JOIN makes SQLite keep the join order (members' latest times first, then one index search each);
            // PostgreSQL plans it as the inner join it is.
            rows = await db.Database.SqlQuery<LatestSampleRow>($"""
                WITH latest AS MATERIALIZED (
                    SELECT m.link_id AS link_id, m.interface AS member,
                           (SELECT MAX(s0.time) FROM samples s0 WHERE s0.link_id = m.link_id AND s0.member = m.interface) AS time
                    FROM members m)
                SELECT s.link_id AS "LinkId", s.member AS "Member", s.time AS "Time", s.interval_ms AS "IntervalMs",
                       s.tx_bytes AS "TxBytes", s.rx_bytes AS "RxBytes", s.tx_drops AS "TxDrops", s.rx_drops AS "RxDrops",
                       s.reorder_depth_max AS "ReorderDepthMax", s.rtt_ms AS "RttMs", s.loss_percent AS "LossPercent",
                       s.health AS "Health"
                FROM latest x
                CROSS JOIN samples s
                WHERE s.link_id = x.link_id AND s.time = x.time AND s.member = x.member AND x.time >= {sinceUtc}
                """).ToListAsync(cancellationToken);
        }
        else
        {
            rows = await db.Samples.AsNoTracking()
                .Where(s => linkIds.Contains(s.LinkId) && s.Time >= sinceUtc)
                .Select(s => new LatestSampleRow
                {
                    LinkId = s.LinkId,
                    Member = s.Member,
                    Time = s.Time,
                    IntervalMs = s.IntervalMs,
                    TxBytes = s.TxBytes,
                    RxBytes = s.RxBytes,
                    TxDrops = s.TxDrops,
                    RxDrops = s.RxDrops,
                    ReorderDepthMax = s.ReorderDepthMax,
                    RttMs = s.RttMs,
                    LossPercent = s.LossPercent,
                    Health = s.Health.ToString(),
                })
                .ToListAsync(cancellationToken);
        }

        var result = new Dictionary<(Guid, string), LatestMemberValue>(rows.Count);
        foreach (var s in rows)
        {
            var time = new DateTimeOffset(DateTime.SpecifyKind(s.Time, DateTimeKind.Utc));
            if (result.TryGetValue((s.LinkId, s.Member), out var seen) && seen.Time >= time)
            {
                continue;
            }

            var seconds = Math.Max(s.IntervalMs, 1) / 1000.0;
            result[(s.LinkId, s.Member)] = new LatestMemberValue(
                time,
                s.TxBytes * 8 / seconds,
                s.RxBytes * 8 / seconds,
                s.TxDrops + s.RxDrops,
                s.ReorderDepthMax,
                s.RttMs,
                s.LossPercent,
                Enum.TryParse<MemberHealth>(s.Health, ignoreCase: true, out var health) ? health : MemberHealth.Unknown);
        }

        return result;
    }

    /// <summary>The columns of a sample the dashboard needs.</summary>
    public sealed class LatestSampleRow
    {
        public Guid LinkId { get; set; }

        public string Member { get; set; } = "";

        public DateTime Time { get; set; }

        public int IntervalMs { get; set; }

        public long TxBytes { get; set; }

        public long RxBytes { get; set; }

        public long TxDrops { get; set; }

        public long RxDrops { get; set; }

        public int ReorderDepthMax { get; set; }

        public double? RttMs { get; set; }

        public double? LossPercent { get; set; }

        public string Health { get; set; } = "";
    }
}
