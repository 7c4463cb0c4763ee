using Fleet.Api.Data;
using Fleet.Api.Samples;
using Fleet.Contracts.Agents;
using Fleet.Web.Links;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Per-class series for the link page's class charts, from the raw class samples (the same read as
/// <c>GET /links/{id}/classes/samples</c>), at most <see cref="MaxRows"/> rows.
/// </summary>
public sealed class DashboardClassSeriesQuery(FleetDbContext db, TimeProvider clock) : ILinkClassSeriesQuery
{
    /// <summary>Most rows one page load reads: an hour at 1 Hz of a dozen classes.</summary>
    public const int MaxRows = 50_000;

    public async Task<IReadOnlyList<ClassSeries>> GetClassSeriesAsync(Guid linkId, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var rows = await ClassSamplesApi.ReadAsync(db, linkId, from, clock.GetUtcNow().AddSeconds(1), className: null, MaxRows, cancellationToken);
        return [.. rows.GroupBy(r => r.Class, StringComparer.Ordinal).Select(g =>
        {
            var points = g.Select(s =>
            {
                var seconds = Math.Max(s.IntervalMs, 1) / 1000.0;
                return new ClassSeriesPoint(
                    new DateTimeOffset(s.Time, TimeSpan.Zero),
                    s.TxBytes * 8 / seconds,
                    s.RxBytes * 8 / seconds,
                    ClassOverhead.Percent(s.TxBytes, s.DuplicateBytes, s.FecParityBytes),
                    s.FecLost / seconds,
                    s.FecRecovered / seconds);
            }).ToList();
            return new ClassSeries(g.Key, g.Last().Action, points);
        })];
    }
}
