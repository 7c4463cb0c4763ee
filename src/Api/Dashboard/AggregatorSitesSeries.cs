using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Samples;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// An aggregator link's traffic as one series (docs/aggregator.md, "Watching it"): every site's path members summed per
/// point in the database, so the aggregator's charts read one row per instant whether it serves ten sites or a thousand.
/// Bytes, packets and drops add up; reorder depth is the deepest path's; RTT and loss average over the paths that
/// measured them; health is Up while every path is up, Down while none is, Degraded between.
/// </summary>
public static class AggregatorSitesSeries
{
    /// <summary>The series over raw samples after <paramref name="fromUtc"/>, stamped at each sampling round's time.</summary>
    public static async Task<IReadOnlyList<SeriesPoint>> RawAsync(
        FleetDbContext db, Guid linkId, IReadOnlyList<string> ownMembers, DateTime fromUtc, CancellationToken cancellationToken)
    {
        var rounds = await Rounds(db.Samples.AsNoTracking().Where(s => s.LinkId == linkId && s.Time > fromUtc), ownMembers)
            .ToListAsync(cancellationToken);
        return [.. rounds.OrderBy(r => r.Time).Select(r => r.Point(TimeSpan.Zero))];
    }

    /// <summary>
    /// The same sum over live samples of one link (the hub's, before or without the database): one sample named
    /// <see cref="AggregatorSiteMembers.AllSites"/> per sampling round, in time order, through the very query
    /// <see cref="RawAsync"/> hands the database, run in memory, so the live and the stored series cannot drift.
    /// </summary>
    public static IReadOnlyList<MemberSample> Live(Guid linkId, IEnumerable<MemberSample> samples, IReadOnlyList<string> ownMembers) =>
        [.. Rounds(samples.Select(SampleEntity.From).AsQueryable(), ownMembers).OrderBy(r => r.Time).AsEnumerable().Select(r => r.Sample(linkId))];

    /// <summary>The sums over every site path per sampling round: the rule written once, for the database and for memory.</summary>
    private static IQueryable<Round> Rounds(IQueryable<SampleEntity> samples, IReadOnlyList<string> ownMembers) =>
        Paths(ownMembers).Apply(samples)
            .GroupBy(s => s.Time)
            .Select(g => new Round(
                g.Key,
                g.Max(s => s.IntervalMs),
                g.Sum(s => s.TxBytes),
                g.Sum(s => s.RxBytes),
                g.Sum(s => s.TxDrops),
                g.Sum(s => s.RxDrops),
                g.Max(s => s.ReorderDepthMax),
                g.Sum(s => s.RttMs ?? 0),
                g.Count(s => s.RttMs != null),
                g.Sum(s => s.LossPercent ?? 0),
                g.Count(s => s.LossPercent != null),
                g.Count(s => s.Health == MemberHealth.Up),
                g.Count(s => s.Health != MemberHealth.Unknown),
                g.Count()));

    /// <summary>The series over 1-minute rollups from <paramref name="fromUtc"/>, each point stamped at its bucket's end.</summary>
    public static async Task<IReadOnlyList<SeriesPoint>> MinutesAsync(
        FleetDbContext db, Guid linkId, IReadOnlyList<string> ownMembers, DateTime fromUtc, CancellationToken cancellationToken) =>
        await RollupsAsync(Paths(ownMembers).Apply(db.SampleMinutes.AsNoTracking()), linkId, fromUtc, TimeSpan.FromMinutes(1), cancellationToken);

    /// <summary>The series over 1-hour rollups from <paramref name="fromUtc"/>.</summary>
    public static async Task<IReadOnlyList<SeriesPoint>> HoursAsync(
        FleetDbContext db, Guid linkId, IReadOnlyList<string> ownMembers, DateTime fromUtc, CancellationToken cancellationToken) =>
        await RollupsAsync(Paths(ownMembers).Apply(db.SampleHours.AsNoTracking()), linkId, fromUtc, TimeSpan.FromHours(1), cancellationToken);

    private static SampleMemberFilter Paths(IReadOnlyList<string> ownMembers) => new() { SitePaths = true, Except = ownMembers };

    private static async Task<IReadOnlyList<SeriesPoint>> RollupsAsync<T>(
        IQueryable<T> rows, Guid linkId, DateTime fromUtc, TimeSpan resolution, CancellationToken cancellationToken)
        where T : SampleRollupEntity
    {
        // A bucket's interval is one path's (every path of a round covers the same time), so sums over paths are rates.
        var buckets = await rows
            .Where(r => r.LinkId == linkId && r.BucketStart >= fromUtc)
            .GroupBy(r => r.BucketStart)
            .Select(g => new Round(
                g.Key,
                g.Max(r => r.IntervalMsSum),
                g.Sum(r => r.TxBytes),
                g.Sum(r => r.RxBytes),
                g.Sum(r => r.TxDrops),
                g.Sum(r => r.RxDrops),
                g.Max(r => r.ReorderDepthMax),
                g.Sum(r => r.RttMsSum),
                g.Sum(r => r.RttCount),
                g.Sum(r => r.LossPercentSum),
                g.Sum(r => r.LossCount),
                g.Count(r => r.HealthWorst == MemberHealth.Up),
                g.Count(r => r.HealthWorst != MemberHealth.Unknown),
                g.Count()))
            .ToListAsync(cancellationToken);
        return [.. buckets.OrderBy(b => b.Time).Select(b => b.Point(resolution))];
    }

    /// <summary>One instant's sums over every site path.</summary>
    private sealed record Round(
        DateTime Time,
        long IntervalMs,
        long TxBytes,
        long RxBytes,
        long TxDrops,
        long RxDrops,
        int ReorderDepthMax,
        double RttMsSum,
        int RttCount,
        double LossPercentSum,
        int LossCount,
        int Up,
        int Known,
        int Paths)
    {
        /// <summary>The chart point, through the one conversion every series uses (<see cref="SeriesPoint.From"/>).</summary>
        public SeriesPoint Point(TimeSpan stampAfter) => SeriesPoint.From(
            SamplePointDto.FromSample(Sample(Guid.Empty)) with { SampleCount = Paths },
            new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)) + stampAfter);

        /// <summary>The round as one sample of the member <see cref="AggregatorSiteMembers.AllSites"/>, as the live hub pushes it.</summary>
        public MemberSample Sample(Guid linkId) => new()
        {
            LinkId = linkId,
            Member = AggregatorSiteMembers.AllSites,
            Time = new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)),
            IntervalMs = (int)IntervalMs,
            TxBytes = TxBytes,
            RxBytes = RxBytes,
            TxDrops = TxDrops,
            RxDrops = RxDrops,
            ReorderDepthMax = ReorderDepthMax,
            RttMs = RttCount == 0 ? null : RttMsSum / RttCount,
            LossPercent = LossCount == 0 ? null : LossPercentSum / LossCount,
            Health = Health,
        };

        private MemberHealth Health => Known == 0 ? MemberHealth.Unknown : Up == Paths ? MemberHealth.Up : Up == 0 ? MemberHealth.Down : MemberHealth.Degraded;
    }
}
