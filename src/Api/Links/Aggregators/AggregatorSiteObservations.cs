using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links.Aggregators;

/// <summary>
/// The sites as their aggregator sees them, read from what its agent already reports (docs/aggregator.md, "Watching
/// it"): the aggregator link's latest round of samples, whose members <c>s{id}</c> and <c>s{id}.{path}</c>
/// (<see cref="AggregatorSiteMembers"/>) are each site's session and paths, and the latest event of each session
/// going up or down for "since when". Two indexed queries per aggregator, whatever its number of sites: one sampling
/// round has one time for every member of a host.
/// </summary>
public static class AggregatorSiteObservations
{
    /// <summary>Samples older than this are not shown as the site's state: the aggregator's agent has gone quiet.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);

    /// <summary>Each site's state at <paramref name="aggregatorId"/>, by site id; sites without a fresh sample are absent.</summary>
    public static async Task<IReadOnlyDictionary<int, AggregatorSiteObservedDto>> ReadAsync(
        FleetDbContext db, Guid aggregatorId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fresh = UtcDateTimeConverter.ToStore(now.UtcDateTime - Freshness);
        var latest = await db.Samples.AsNoTracking()
            .Where(s => s.LinkId == aggregatorId && s.Time > fresh)
            .MaxAsync(s => (DateTime?)s.Time, cancellationToken);
        if (latest is not { } time)
        {
            return new Dictionary<int, AggregatorSiteObservedDto>();
        }

        var round = await db.Samples.AsNoTracking().Where(s => s.LinkId == aggregatorId && s.Time == time).ToListAsync(cancellationToken);
        var sessions = new Dictionary<int, bool>();
        var paths = new Dictionary<int, List<AggregatorSitePathDto>>();
        foreach (var sample in round)
        {
            if (!AggregatorSiteMembers.TryParse(sample.Member, out var siteId, out var index))
            {
                continue;
            }

            if (index is not { } path)
            {
                sessions[siteId] = sample.Health == MemberHealth.Up;
                continue;
            }

            var seconds = Math.Max(sample.IntervalMs, 1) / 1000.0;
            if (!paths.TryGetValue(siteId, out var list))
            {
                paths[siteId] = list = [];
            }

            list.Add(new AggregatorSitePathDto
            {
                Index = path,
                Health = sample.Health,
                RttMs = sample.RttMs,
                LossPercent = sample.LossPercent,
                RxBitsPerSecond = sample.RxBytes * 8 / seconds,
                TxBitsPerSecond = sample.TxBytes * 8 / seconds,
            });
        }

        var since = await SessionChangesAsync(db, aggregatorId, cancellationToken);
        var at = new DateTimeOffset(UtcDateTimeConverter.FromStore(time));
        var sites = new Dictionary<int, AggregatorSiteObservedDto>();
        foreach (var siteId in sessions.Keys.Union(paths.Keys))
        {
            var sitePaths = paths.GetValueOrDefault(siteId) ?? [];
            bool? established = sessions.TryGetValue(siteId, out var up) ? up : null;
            sites[siteId] = new AggregatorSiteObservedDto
            {
                Time = at,
                SessionEstablished = established,
                SessionSince = established is { } state && since.TryGetValue((siteId, state), out var changed) ? changed : null,
                RxBitsPerSecond = sitePaths.Sum(p => p.RxBitsPerSecond),
                TxBitsPerSecond = sitePaths.Sum(p => p.TxBitsPerSecond),
                Paths = [.. sitePaths.OrderBy(p => p.Index)],
            };
        }

        return sites;
    }

    /// <summary>
    /// The latest time each site's session went up (true) and down (false), from the agent's member events of the
    /// session members (its sampler reports a member's health changes as MemberUp and MemberDown).
    /// </summary>
    private static async Task<Dictionary<(int Site, bool Up), DateTimeOffset>> SessionChangesAsync(FleetDbContext db, Guid aggregatorId, CancellationToken cancellationToken)
    {
        var latest = await db.Events.AsNoTracking()
            .Where(e => e.LinkId == aggregatorId && e.Member != null
                && (e.Kind == AgentEventKind.MemberUp || e.Kind == AgentEventKind.MemberDown))
            .GroupBy(e => new { e.Member, e.Kind })
            .Select(g => new { g.Key.Member, g.Key.Kind, Time = g.Max(e => e.Time) })
            .ToListAsync(cancellationToken);
        var changes = new Dictionary<(int, bool), DateTimeOffset>();
        foreach (var change in latest)
        {
            if (AggregatorSiteMembers.TryParse(change.Member, out var siteId, out var index) && index is null)
            {
                changes[(siteId, change.Kind == AgentEventKind.MemberUp)] = new DateTimeOffset(UtcDateTimeConverter.FromStore(change.Time));
            }
        }

        return changes;
    }
}
