using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Web.Overview;

/// <summary>Reads what the fleet overview shows: totals, and one page of hosts with their links.</summary>
public interface IFleetOverviewQuery
{
    /// <summary>Totals over the whole fleet and the page of hosts matching <paramref name="filter"/>.</summary>
    Task<FleetOverview> GetOverviewAsync(OverviewFilter filter, CancellationToken cancellationToken);
}

/// <summary>What the operator narrowed the overview to, and its order (problems first unless asked otherwise).</summary>
/// <param name="Search">Part of a host name, link name or label (case-insensitive).</param>
/// <param name="Health">Only hosts with at least one link in this health (a host without links is Unknown).</param>
/// <param name="Kind">Only hosts with at least one link of this kind.</param>
/// <param name="Label">Only hosts carrying this label.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Hosts per page.</param>
/// <param name="Sort">Hosts by <see cref="ProblemsFirst"/> (the default) or by name.</param>
/// <param name="Rollout">Only hosts with at least one link whose rollout is in this state.</param>
public sealed record OverviewFilter(
    string? Search,
    LinkHealth? Health,
    LinkKind? Kind,
    string? Label,
    int Page,
    int PageSize,
    OverviewSort Sort = OverviewSort.Problems,
    RolloutFilter? Rollout = null)
{
    /// <summary>Hosts per page unless the viewer picks another size.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page (a wall screen showing the whole fleet).</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The unfiltered first page.</summary>
    public static OverviewFilter Default { get; } = new(null, null, null, null, 1, DefaultPageSize);
}

/// <summary>The overview's order (query string <c>sort</c>).</summary>
public enum OverviewSort
{
    /// <summary><see cref="ProblemsFirst"/>: Down, failed rollouts, Degraded, offline, then by name.</summary>
    Problems,

    /// <summary>By host name.</summary>
    Name,
}

/// <summary>A rollout state the overview filters by (query string <c>rollout</c>).</summary>
public enum RolloutFilter
{
    /// <summary>Pending or Applying.</summary>
    InProgress,

    /// <summary>Failed or rolled back (<see cref="ProblemsFirst.IsFailedRollout"/>).</summary>
    Failed,
}

/// <summary>
/// The overview: totals of the whole fleet (not just the filtered page) and one page of hosts, rendered at
/// <paramref name="GeneratedAt"/> from what the database said at <paramref name="TakenAt"/>.
/// </summary>
public sealed record FleetOverview(
    FleetTotals Totals,
    IReadOnlyList<HostSummary> Hosts,
    int MatchingHosts,
    IReadOnlyList<string> Labels,
    DateTimeOffset GeneratedAt,
    DateTimeOffset TakenAt);

/// <summary>
/// Fleet-wide totals for the strip on top of the overview. <paramref name="RolloutsFailed"/>: links whose last change
/// failed or was rolled back (they run their previous generation).
/// </summary>
public sealed record FleetTotals(
    int Hosts,
    int HostsOnline,
    int Links,
    int LinksHealthy,
    int LinksDegraded,
    int LinksDown,
    int MembersUp,
    int Members,
    double ThroughputBitsPerSecond,
    int RolloutsInProgress,
    int RolloutsFailed);

/// <summary>One host on the overview.</summary>
public sealed record HostSummary(
    Guid Id,
    string Name,
    IReadOnlyList<string> Labels,
    bool Online,
    DateTimeOffset? LastSeen,
    LinkHealth Health,
    IReadOnlyList<LinkSummary> Links);

/// <summary>One link as the overview and the host page list it.</summary>
/// <param name="ThroughputBitsPerSecond">tx + rx of all members over the latest interval.</param>
/// <param name="WorstLossPercent">Highest loss of any member over the latest interval.</param>
/// <param name="WorstReorderDepth">Deepest resequencing buffer of any member over the latest interval.</param>
/// <param name="LastEvent">The event the row shows: the worst recent one (<see cref="WorstRecentEvent"/>).</param>
public sealed record LinkSummary(
    Guid Id,
    string Name,
    LinkKind Kind,
    LinkPhase Phase,
    LinkHealth Health,
    double? ThroughputBitsPerSecond,
    int MembersUp,
    int Members,
    double? WorstLossPercent,
    int? WorstReorderDepth,
    EventSummary? LastEvent)
{
    /// <summary>The last minutes' throughput and health (<see cref="LinkTrend"/>); null where the page does not show it.</summary>
    public LinkTrend? Trend { get; init; }

    /// <summary>
    /// The latest interval's transmit against the carrying members' capacities from the link's latest speed test
    /// (docs/doctor.md, "Aggregation ratio"); null without one, or without demand.
    /// </summary>
    public AggregationRatio? Aggregation { get; init; }
}

/// <summary>An event of a link, in one line.</summary>
public sealed record EventSummary(DateTimeOffset Time, EventSeverity Severity, string Kind, string Message);
