using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
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
                points = [.. (await db.Samples.AsNoTracking()
                        .Where(s => s.LinkId == linkId && s.Time > fromUtc)
                        .OrderBy(s => s.Time)
                        .ToListAsync(cancellationToken))
                    .Select(s => (s.Member, SeriesPoint.From(SamplePointDto.FromSample(s.ToSample()), new DateTimeOffset(s.Time, TimeSpan.Zero))))];
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

    // A bucket's point is stamped at its end, like a raw sample at the end of its interval.
    private static List<(string Member, SeriesPoint Point)> FromRollups<T>(List<T> rollups, TimeSpan resolution)
        where T : SampleRollupEntity =>
        [.. rollups.Select(r => (r.Member, SeriesPoint.From(r.ToPoint(), new DateTimeOffset(r.BucketStart, TimeSpan.Zero) + resolution)))];
}
