using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Per-member series for the link page's charts: raw samples for the live range (the hub continues from there),
/// 1-minute rollups for 1 h and 24 h, 1-hour rollups for 7 d.
/// </summary>
public sealed class DashboardSeriesQuery(FleetDbContext db, TimeProvider clock) : ILinkSeriesQuery
{
    public async Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, CancellationToken cancellationToken)
    {
        var members = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => l.Members.OrderBy(m => m.Position).Select(m => m.Interface).ToList())
            .SingleOrDefaultAsync(cancellationToken);
        if (members is null)
        {
            return null;
        }

        var to = clock.GetUtcNow();
        var from = to - ChartRanges.Span(range);
        var fromUtc = from.UtcDateTime;
        List<(string Member, SeriesPoint Point)> points;
        TimeSpan resolution;
        switch (range)
        {
            case ChartRange.Live:
                resolution = TimeSpan.FromSeconds(1);
                var samples = await db.Samples.AsNoTracking()
                    .Where(s => s.LinkId == linkId && s.Time > fromUtc)
                    .OrderBy(s => s.Time)
                    .Select(s => new { s.Member, s.Time, s.IntervalMs, s.TxBytes, s.RxBytes, s.TxDrops, s.RxDrops, s.ReorderDepthMax, s.RttMs, s.LossPercent, s.Health })
                    .ToListAsync(cancellationToken);
                points = samples.Select(s =>
                {
                    var seconds = Math.Max(s.IntervalMs, 1) / 1000.0;
                    return (s.Member, new SeriesPoint(new DateTimeOffset(s.Time, TimeSpan.Zero), s.TxBytes * 8 / seconds, s.RxBytes * 8 / seconds,
                        (s.TxDrops + s.RxDrops) / seconds, s.ReorderDepthMax, s.RttMs, s.LossPercent, s.Health));
                }).ToList();
                break;
            case ChartRange.Week:
                resolution = TimeSpan.FromHours(1);
                points = FromRollups(await db.SampleHours.AsNoTracking().Where(r => r.LinkId == linkId && r.BucketStart >= fromUtc).OrderBy(r => r.BucketStart).ToListAsync(cancellationToken), resolution);
                break;
            default:
                resolution = TimeSpan.FromMinutes(1);
                points = FromRollups(await db.SampleMinutes.AsNoTracking().Where(r => r.LinkId == linkId && r.BucketStart >= fromUtc).OrderBy(r => r.BucketStart).ToListAsync(cancellationToken), resolution);
                break;
        }

        var byMember = points.ToLookup(p => p.Member, p => p.Point, StringComparer.Ordinal);
        var series = members
            .Concat(byMember.Select(g => g.Key).Where(m => !members.Contains(m)))
            .Where(m => byMember[m].Any())
            .Select(m => new MemberSeries(m, byMember[m].ToList()))
            .ToList();
        return new LinkSeries(range, from, to, resolution, series);
    }

    private static List<(string Member, SeriesPoint Point)> FromRollups<T>(List<T> rollups, TimeSpan resolution)
        where T : SampleRollupEntity =>
        rollups.Select(r =>
        {
            var seconds = Math.Max(r.IntervalMsSum, 1) / 1000.0;
            // A bucket's point is stamped at its end, like a raw sample at the end of its interval.
            return (r.Member, new SeriesPoint(
                new DateTimeOffset(r.BucketStart, TimeSpan.Zero) + resolution,
                r.TxBytes * 8 / seconds,
                r.RxBytes * 8 / seconds,
                (r.TxDrops + r.RxDrops) / seconds,
                r.ReorderDepthMax,
                r.RttCount == 0 ? null : r.RttMsSum / r.RttCount,
                r.LossCount == 0 ? null : r.LossPercentSum / r.LossCount,
                r.HealthWorst));
        }).ToList();
}
