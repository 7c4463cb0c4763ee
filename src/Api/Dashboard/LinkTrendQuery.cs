using Fleet.Api.Data;
using Fleet.Contracts.Links;
using Fleet.Web.Overview;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The overview rows' trends (<see cref="LinkTrend"/>): each link's throughput and health per minute over the last
/// <see cref="LinkTrend.Minutes"/> whole minutes, from the 1-minute rollups, in one grouped read for a page of links.
/// </summary>
public sealed class LinkTrendQuery(FleetDbContext db, TimeProvider clock)
{
    /// <summary>The trend of each link in <paramref name="linkIds"/> that has a rollup in the window; the others have none.</summary>
    public async Task<IReadOnlyDictionary<Guid, LinkTrend>> TrendsAsync(IReadOnlyCollection<Guid> linkIds, CancellationToken cancellationToken)
    {
        if (linkIds.Count == 0)
        {
            return new Dictionary<Guid, LinkTrend>();
        }

        // Whole minutes only: the one under way is still being rolled up.
        var now = clock.GetUtcNow().UtcDateTime;
        var to = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var from = to.AddMinutes(-LinkTrend.Minutes);
        var rows = await db.SampleMinutes.AsNoTracking()
            .Where(r => r.BucketStart >= from && r.BucketStart < to && linkIds.Contains(r.LinkId))
            .GroupBy(r => new { r.LinkId, r.BucketStart })
            .Select(g => new
            {
                g.Key.LinkId,
                g.Key.BucketStart,
                Bits = g.Sum(r => (r.TxBytes + r.RxBytes) * 8000.0 / (r.IntervalMsSum > 0 ? r.IntervalMsSum : 1)),
                Known = g.Sum(r => r.HealthWorst != MemberHealth.Unknown ? 1 : 0),
                Carrying = g.Sum(r => r.HealthWorst == MemberHealth.Up || r.HealthWorst == MemberHealth.Degraded ? 1 : 0),
                Impaired = g.Sum(r => r.HealthWorst == MemberHealth.Down || r.HealthWorst == MemberHealth.Degraded
                    || r.LossPercentMax > LinkHealthRule.LossWarningPercent ? 1 : 0),
            })
            .ToListAsync(cancellationToken);

        var trends = new Dictionary<Guid, LinkTrend>();
        foreach (var link in rows.GroupBy(r => r.LinkId))
        {
            var throughput = new double?[LinkTrend.Minutes];
            var health = new LinkHealth[LinkTrend.Minutes];
            foreach (var row in link)
            {
                var slot = (int)((row.BucketStart - from).Ticks / TimeSpan.TicksPerMinute);
                throughput[slot] = row.Bits;
                health[slot] = MinuteHealth(row.Known, row.Carrying, row.Impaired);
            }

            trends[link.Key] = new LinkTrend(new DateTimeOffset(from, TimeSpan.Zero), throughput, health);
        }

        return trends;
    }

    /// <summary>
    /// A minute's health from its members' worst moments, by <see cref="LinkHealthRule.FromTally"/>. (The rollout phase
    /// of that minute is not kept, so a failed rollout does not colour the strip; the badge above it says so.)
    /// </summary>
    public static LinkHealth MinuteHealth(int known, int carrying, int impaired) =>
        LinkHealthRule.FromTally(known > 0, carrying, impaired > 0);
}
