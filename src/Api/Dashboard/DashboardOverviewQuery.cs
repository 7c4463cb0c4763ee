using Fleet.Contracts.Links;
using Fleet.Web.Overview;

namespace Fleet.Api.Dashboard;

/// <summary>The fleet overview from a <see cref="FleetSnapshot"/>: totals over every host, filters, order, one page.</summary>
public sealed class DashboardOverviewQuery(FleetSnapshot snapshot, LinkTrendQuery trends, TimeProvider clock) : IFleetOverviewQuery
{
    public async Task<FleetOverview> GetOverviewAsync(OverviewFilter filter, CancellationToken cancellationToken)
    {
        var taken = await snapshot.LoadFleetAsync(cancellationToken);
        var hosts = taken.Hosts;

        var totals = Totals(hosts);
        var labels = hosts.SelectMany(h => h.Summary.Labels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var matching = hosts.Where(h => Matches(h, filter)).ToList();
        var ordered = filter.Sort switch
        {
            // The snapshot's rows are in name order already.
            OverviewSort.Name => matching,
            OverviewSort.Problems => [.. matching.OrderBy(h => h.Summary, ProblemsFirst.Hosts)],
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter.Sort, "unknown sort"),
        };
        var pageSize = Math.Clamp(filter.PageSize, 1, OverviewFilter.MaxPageSize);
        var page = ordered.Skip((Math.Max(1, filter.Page) - 1) * pageSize).Take(pageSize).ToList();

        var pageLinks = page.SelectMany(h => h.Links).Select(l => l.Summary.Id).ToList();
        var shownEvents = await snapshot.ShownEventsAsync(pageLinks, cancellationToken);
        var linkTrends = await trends.TrendsAsync(pageLinks, cancellationToken);
        var pageHosts = page.Select(h =>
        {
            var summary = h.Summary with
            {
                Links = h.Summary.Links
                    .Select(l => l with { LastEvent = shownEvents.GetValueOrDefault(l.Id), Trend = linkTrends.GetValueOrDefault(l.Id) })
                    .ToList(),
            };
            return filter.Sort == OverviewSort.Problems ? ProblemsFirst.WithLinksOrdered(summary) : summary;
        }).ToList();

        return new FleetOverview(totals, pageHosts, matching.Count, labels, clock.GetUtcNow(), taken.TakenAt);
    }

    private static bool Matches(FleetSnapshot.HostRow host, OverviewFilter filter)
    {
        if (filter.Search is { Length: > 0 } search && !host.SearchText.Contains(search, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (filter.Label is { Length: > 0 } label && !host.Summary.Labels.Contains(label, StringComparer.Ordinal))
        {
            return false;
        }

        if (filter.Kind is { } kind && !host.Links.Any(l => l.Summary.Kind == kind))
        {
            return false;
        }

        if (filter.Rollout is { } rollout && !host.Links.Any(l => InRollout(l.Summary.Phase, rollout)))
        {
            return false;
        }

        if (filter.Health is { } health)
        {
            return host.Links.Count == 0
                ? health == LinkHealth.Unknown
                : host.Links.Any(l => l.Summary.Health == health);
        }

        return true;
    }

    private static bool InRollout(LinkPhase phase, RolloutFilter rollout) => rollout switch
    {
        RolloutFilter.InProgress => InProgress(phase),
        RolloutFilter.Failed => ProblemsFirst.IsFailedRollout(phase),
        _ => throw new ArgumentOutOfRangeException(nameof(rollout), rollout, "unknown rollout filter"),
    };

    private static bool InProgress(LinkPhase phase) => phase is LinkPhase.Pending or LinkPhase.Applying;

    private static FleetTotals Totals(IReadOnlyList<FleetSnapshot.HostRow> hosts)
    {
        int online = 0, links = 0, healthy = 0, degraded = 0, down = 0, membersUp = 0, members = 0, rollouts = 0, failed = 0;
        double throughput = 0;
        foreach (var host in hosts)
        {
            online += host.Summary.Online ? 1 : 0;
            foreach (var link in host.Links)
            {
                var s = link.Summary;
                links++;
                healthy += s.Health == LinkHealth.Healthy ? 1 : 0;
                degraded += s.Health == LinkHealth.Degraded ? 1 : 0;
                down += s.Health == LinkHealth.Down ? 1 : 0;
                membersUp += s.MembersUp;
                members += s.Members;
                throughput += s.ThroughputBitsPerSecond ?? 0;
                rollouts += InProgress(s.Phase) ? 1 : 0;
                failed += ProblemsFirst.IsFailedRollout(s.Phase) ? 1 : 0;
            }
        }

        return new FleetTotals(hosts.Count, online, links, healthy, degraded, down, membersUp, members, throughput, rollouts, failed);
    }
}
