using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
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
    MemberHealth Health)
{
    /// <summary>The latest values one sample gives: its totals as rates over its interval, its reorder peak.</summary>
    public static LatestMemberValue Of(MemberSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var seconds = Math.Max(sample.IntervalMs, 1) / 1000.0;
        return new(sample.Time, sample.TxBytes * 8 / seconds, sample.RxBytes * 8 / seconds, sample.TxDrops + sample.RxDrops,
            sample.ReorderDepthMax, sample.RttMs, sample.LossPercent, sample.Health);
    }
}

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
        List<SampleEntity> rows;
        if (linkIds is null)
        {
            // Portable SQL (SQLite >= 3.35, PostgreSQL >= 12), read as whole rows (SampleEntity.ToSample is the one
            // mapping from a row). CROSS JOIN makes SQLite keep the join order (members' latest times first, then one
            // index search each); PostgreSQL plans it as the inner join it is.
            rows = await db.Samples.FromSql($"""
                WITH latest AS MATERIALIZED (
                    SELECT m.link_id AS link_id, m.interface AS member,
                           (SELECT MAX(s0.time) FROM samples s0 WHERE s0.link_id = m.link_id AND s0.member = m.interface) AS time
                    FROM members m)
                SELECT s.*
                FROM latest x
                CROSS JOIN samples s
                WHERE s.link_id = x.link_id AND s.time = x.time AND s.member = x.member AND x.time >= {sinceUtc}
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        else
        {
            rows = await db.Samples.AsNoTracking().Where(s => linkIds.Contains(s.LinkId) && s.Time >= sinceUtc).ToListAsync(cancellationToken);
        }

        var result = new Dictionary<(Guid, string), LatestMemberValue>(rows.Count);
        foreach (var row in rows)
        {
            var sample = row.ToSample();
            if (result.TryGetValue((sample.LinkId, sample.Member), out var seen) && seen.Time >= sample.Time)
            {
                continue;
            }

            result[(sample.LinkId, sample.Member)] = LatestMemberValue.Of(sample);
        }

        return result;
    }
}
