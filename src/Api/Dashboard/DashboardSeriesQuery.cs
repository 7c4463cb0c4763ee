using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Samples;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Per-member series for the link page's charts: raw samples for the live range (the hub continues from there),
/// 1-minute rollups for 1 h and 24 h, 1-hour rollups for 7 d. An aggregator's charts draw its own member and its sites'
/// sum (<see cref="AggregatorSitesSeries"/>), or one site's members alone: never hundreds of sites' series at once.
/// </summary>
public sealed class DashboardSeriesQuery(FleetDbContext db, TimeProvider clock) : ILinkSeriesQuery
{
    public async Task<LinkSeries?> GetSeriesAsync(Guid linkId, ChartRange range, int? siteId, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new { l.Kind, Members = l.Members.OrderBy(m => m.Position).Select(m => m.Interface).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var members = link.Members;
        var aggregator = link.Kind == LinkKind.Aggregator;
        var filter = (aggregator, siteId) switch
        {
            (true, { } site) => SampleMemberFilter.Site(site),
            (true, null) => new SampleMemberFilter { Named = members },
            (false, _) => SampleMemberFilter.All,
        };
        var to = clock.GetUtcNow();
        var from = to - ChartRanges.Span(range);
        var fromUtc = from.UtcDateTime;
        List<(string Member, SeriesPoint Point)> points;
        TimeSpan resolution;
        IReadOnlyList<SeriesPoint> sites;
        var withSum = aggregator && siteId is null;
        switch (range)
        {
            case ChartRange.Live:
                resolution = TimeSpan.FromSeconds(1);
                points = [.. (await filter.Apply(db.Samples.AsNoTracking())
                        .Where(s => s.LinkId == linkId && s.Time > fromUtc)
                        .OrderBy(s => s.Time)
                        .ToListAsync(cancellationToken))
                    .Select(s => (s.Member, SeriesPoint.From(SamplePointDto.FromSample(s.ToSample()), new DateTimeOffset(s.Time, TimeSpan.Zero))))];
                sites = withSum ? await AggregatorSitesSeries.RawAsync(db, linkId, members, fromUtc, cancellationToken) : [];
                break;
            case ChartRange.Week:
                resolution = TimeSpan.FromHours(1);
                points = FromRollups(await filter.Apply(db.SampleHours.AsNoTracking()).Where(r => r.LinkId == linkId && r.BucketStart >= fromUtc).OrderBy(r => r.BucketStart).ToListAsync(cancellationToken), resolution);
                sites = withSum ? await AggregatorSitesSeries.HoursAsync(db, linkId, members, fromUtc, cancellationToken) : [];
                break;
            case ChartRange.Hour or ChartRange.Day:
                resolution = TimeSpan.FromMinutes(1);
                points = FromRollups(await filter.Apply(db.SampleMinutes.AsNoTracking()).Where(r => r.LinkId == linkId && r.BucketStart >= fromUtc).OrderBy(r => r.BucketStart).ToListAsync(cancellationToken), resolution);
                sites = withSum ? await AggregatorSitesSeries.MinutesAsync(db, linkId, members, fromUtc, cancellationToken) : [];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(range), range, null);
        }

        var byMember = points.ToLookup(p => p.Member, p => p.Point, StringComparer.Ordinal);
        var series = members
            .Concat(byMember.Select(g => g.Key).Where(m => !members.Contains(m)))
            .Where(m => byMember[m].Any())
            .Select(m => new MemberSeries(m, byMember[m].ToList()))
            .ToList();
        if (sites.Count > 0)
        {
            series.Add(new MemberSeries(AggregatorSiteMembers.AllSites, sites));
        }

        return new LinkSeries(range, from, to, resolution, series);
    }

    // A bucket's point is stamped at its end, like a raw sample at the end of its interval.
    private static List<(string Member, SeriesPoint Point)> FromRollups<T>(List<T> rollups, TimeSpan resolution)
        where T : SampleRollupEntity =>
        [.. rollups.Select(r => (r.Member, SeriesPoint.From(r.ToPoint(), new DateTimeOffset(r.BucketStart, TimeSpan.Zero) + resolution)))];
}
