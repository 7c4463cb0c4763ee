using Fleet.Contracts.Links;
using Fleet.Web.Overview;

namespace Fleet.Web.Aggregators;

/// <summary>How the Sites panel orders an aggregator's sites (<c>?sites-sort=</c>).</summary>
public enum SiteSort
{
    /// <summary>Problems first (<see cref="SiteOrder.ProblemOf"/>), then by id: the default.</summary>
    Problems,

    /// <summary>Most traffic at the aggregator (received plus sent) first: the busiest sites.</summary>
    Throughput,

    /// <summary>By site id.</summary>
    Id,
}

/// <summary>
/// The Sites panel's ordering rules, so that hundreds of sites page well: a site's most urgent problem in the overview's
/// terms (<see cref="Problem"/>, <see cref="ProblemsFirst"/>), and the orders an operator picks from.
/// </summary>
public static class SiteOrder
{
    /// <summary>The sorts in the selector's order.</summary>
    public static IReadOnlyList<SiteSort> All { get; } = [SiteSort.Problems, SiteSort.Throughput, SiteSort.Id];

    /// <summary>The query-string value of a sort.</summary>
    public static string Key(SiteSort sort) => sort switch
    {
        SiteSort.Problems => "problems",
        SiteSort.Throughput => "throughput",
        SiteSort.Id => "id",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
    };

    /// <summary>What the selector says.</summary>
    public static string Label(SiteSort sort) => sort switch
    {
        SiteSort.Problems => "Problems first",
        SiteSort.Throughput => "Busiest first",
        SiteSort.Id => "By id",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
    };

    /// <summary>Parses a query-string value; unknown values mean problems first.</summary>
    public static SiteSort Parse(string? key) => key switch
    {
        "throughput" => SiteSort.Throughput,
        "id" => SiteSort.Id,
        _ => SiteSort.Problems,
    };

    /// <summary>
    /// A site's most urgent problem: Down when the aggregator sees no session or no path up, a failed rollout of its link,
    /// Degraded when a path is down at either end, Offline when the aggregator reported nothing about it lately.
    /// </summary>
    public static Problem ProblemOf(AggregatorSiteRow site)
    {
        if (site.AtAggregator is { } seen && (seen.SessionEstablished == false || (seen.Paths.Count > 0 && !seen.Paths.Any(p => p.Health == MemberHealth.Up))))
        {
            return Problem.Down;
        }

        if (site.Phase is { } phase && ProblemsFirst.IsFailedRollout(phase))
        {
            return Problem.FailedRollout;
        }

        if (site.MembersUp < site.Members || site.AtAggregator?.Paths.Any(p => p.Health != MemberHealth.Up) == true)
        {
            return Problem.Degraded;
        }

        return site.AtAggregator is null ? Problem.Offline : Problem.None;
    }

    /// <summary>The sites in <paramref name="sort"/>'s order, ties by site id.</summary>
    public static IReadOnlyList<AggregatorSiteRow> Sort(IEnumerable<AggregatorSiteRow> sites, SiteSort sort) => sort switch
    {
        SiteSort.Problems => [.. sites.OrderBy(ProblemOf).ThenBy(s => s.SiteId)],
        SiteSort.Throughput => [.. sites.OrderByDescending(Throughput).ThenBy(s => s.SiteId)],
        SiteSort.Id => [.. sites.OrderBy(s => s.SiteId)],
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
    };

    private static double Throughput(AggregatorSiteRow site) =>
        site.AtAggregator is { } seen ? seen.RxBitsPerSecond + seen.TxBitsPerSecond : -1;
}
