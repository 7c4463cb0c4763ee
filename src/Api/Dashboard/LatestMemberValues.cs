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
/// Latest values from the samples table: one window-function query (<c>ROW_NUMBER() OVER (PARTITION BY link, member
/// ORDER BY time DESC)</c>) over the recent samples only, using the time index.
/// </summary>
public sealed class DatabaseLatestMemberValues(FleetDbContext db) : ILatestMemberValues
{
    public async Task<IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue>> GetAsync(
        IReadOnlyCollection<Guid>? linkIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var sinceUtc = since.UtcDateTime;
        var recent = db.Samples.AsNoTracking().Where(s => s.Time >= sinceUtc);
        if (linkIds is not null)
        {
            recent = recent.Where(s => linkIds.Contains(s.LinkId));
        }

        var rows = await recent
            .GroupBy(s => new { s.LinkId, s.Member })
            .Select(g => g.OrderByDescending(s => s.Time).Select(s => new
            {
                s.LinkId,
                s.Member,
                s.Time,
                s.IntervalMs,
                s.TxBytes,
                s.RxBytes,
                s.TxDrops,
                s.RxDrops,
                s.ReorderDepthMax,
                s.RttMs,
                s.LossPercent,
                s.Health,
            }).First())
            .ToListAsync(cancellationToken);

        var result = new Dictionary<(Guid, string), LatestMemberValue>(rows.Count);
        foreach (var s in rows)
        {
            var seconds = Math.Max(s.IntervalMs, 1) / 1000.0;
            result[(s.LinkId, s.Member)] = new LatestMemberValue(
                new DateTimeOffset(s.Time, TimeSpan.Zero),
                s.TxBytes * 8 / seconds,
                s.RxBytes * 8 / seconds,
                s.TxDrops + s.RxDrops,
                s.ReorderDepthMax,
                s.RttMs,
                s.LossPercent,
                s.Health);
        }

        return result;
    }
}
