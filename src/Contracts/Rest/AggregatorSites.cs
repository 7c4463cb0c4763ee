using System.Text.Json.Serialization;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Rest;

/// <summary>
/// Add a site to an aggregator (issue 17): one call makes the site's striper link on its host (every member dialing
/// the aggregator) and the aggregator's session entry, with a site id, an inner prefix and a key the Api allocates.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateAggregatorSiteRequest
{
    /// <summary>The site's host.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The name of the site's tunnel device on its host (<c>agg0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The site's uplinks, one path each, in priority order (1–16).</summary>
    public required IReadOnlyList<AggregatorSiteMember> Members { get; init; }

    /// <summary>The striper's options of the site (both directions); absent fields take the striper's defaults.</summary>
    public LinkPairStriperOptions? Striper { get; init; }

    /// <summary>MTU of the site's tunnel device; the aggregator's, else the striper's default, when absent.</summary>
    public int? Mtu { get; init; }

    /// <summary>How long the site's agent waits for the Api's confirmation before it rolls the link back.</summary>
    public int ConfirmTimeoutSeconds { get; init; } = LinkSpec.DefaultConfirmTimeoutSeconds;

    /// <summary>Why, for both links' policy history (up to 500 characters).</summary>
    public string? Reason { get; init; }
}

/// <summary>One uplink of a site.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AggregatorSiteMember
{
    /// <summary>The interface name on the site's host (<c>eth1</c>, <c>wwan0</c>).</summary>
    public required string Interface { get; init; }

    /// <summary>The address to send from (no prefix); the interface's own when absent.</summary>
    public string? Address { get; init; }

    /// <summary>Active, backup or disabled.</summary>
    public MemberAdminState AdminState { get; init; } = MemberAdminState.Active;

    /// <summary>Share of traffic for the weighted schedulers.</summary>
    public double? Weight { get; init; }

    /// <summary>Expected rate in bit/s, a hint for schedulers and dashboards.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Primary, overflow, backup or never (docs/link-kinds.md, "Tiers").</summary>
    public LinkTier? Tier { get; init; }
}

/// <summary>A site of an aggregator, as the Api allocated it, with its link on the site's host.</summary>
public sealed record AggregatorSiteDto
{
    /// <summary>The aggregator link.</summary>
    public required Guid AggregatorId { get; init; }

    /// <summary>The site's id at the aggregator (its link's <c>striper.siteId</c>).</summary>
    public required int SiteId { get; init; }

    /// <summary>The inner prefix the site owns: the aggregator routes it to the site and accepts only it from the site.</summary>
    public required string Prefix { get; init; }

    /// <summary>The site's address on its tunnel device, with the tunnel network's length.</summary>
    public required string TunnelAddress { get; init; }

    /// <summary>The site's striper link (key redacted for every role), or null when it is missing.</summary>
    public LinkDto? Link { get; init; }

    /// <summary>The site at the aggregator's end (session, paths, throughput); null when the aggregator's agent has reported none lately.</summary>
    public AggregatorSiteObservedDto? Observed { get; init; }
}

/// <summary>
/// A site as its aggregator sees it (docs/aggregator.md, "Watching it"): its session and its paths at the aggregator's
/// end, from the aggregator's latest samples (its members <see cref="Links.Aggregators.AggregatorSiteMembers"/>).
/// </summary>
public sealed record AggregatorSiteObservedDto
{
    /// <summary>The end of the sampling interval these values are from.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The site has a session with the aggregator (keys agreed); null when the aggregator reported no session member for it.</summary>
    public bool? SessionEstablished { get; init; }

    /// <summary>
    /// Since when the session is as <see cref="SessionEstablished"/> says: the aggregator's agent's latest event of the
    /// site's session going up or down; null when it has seen no change since it started.
    /// </summary>
    public DateTimeOffset? SessionSince { get; init; }

    /// <summary>The site's paths summed: what the aggregator received from the site over the interval, bit/s.</summary>
    public double RxBitsPerSecond { get; init; }

    /// <summary>The site's paths summed: what the aggregator sent to the site over the interval, bit/s.</summary>
    public double TxBitsPerSecond { get; init; }

    /// <summary>The site's paths by index (its link's members in order) as the aggregator sees them.</summary>
    public IReadOnlyList<AggregatorSitePathDto> Paths { get; init; } = [];
}

/// <summary>One path of a site at the aggregator's end.</summary>
public sealed record AggregatorSitePathDto
{
    /// <summary>The path's index: the site link's member at this position.</summary>
    public required int Index { get; init; }

    /// <summary>Health from the aggregator's probes of the path.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>Smoothed round-trip time in ms, when measured.</summary>
    public double? RttMs { get; init; }

    /// <summary>Loss in percent the site reports for what the aggregator sends on the path, when measured.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Received from the site on this path over the interval, bit/s.</summary>
    public double RxBitsPerSecond { get; init; }

    /// <summary>Sent to the site on this path over the interval, bit/s.</summary>
    public double TxBitsPerSecond { get; init; }
}

/// <summary>
/// Change a site after it is made: its paths (the uplinks, replacing the list) and, when given, its striper options and
/// MTU. Both sides change together: the site's link gets its next generation (with commit-confirm) and the aggregator's
/// entry its path count and options. The site keeps its id, prefix, tunnel address and key.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateAggregatorSiteRequest
{
    /// <summary>The site's uplinks, one path each, in priority order (1–16): the path count at the aggregator follows.</summary>
    public required IReadOnlyList<AggregatorSiteMember> Members { get; init; }

    /// <summary>The striper's options of the site (both directions, absent fields the striper's defaults); the site's current ones when absent.</summary>
    public LinkPairStriperOptions? Striper { get; init; }

    /// <summary>MTU of the site's tunnel device; unchanged when absent.</summary>
    public int? Mtu { get; init; }

    /// <summary>How long the site's agent waits for the Api's confirmation before it rolls the change back; unchanged when absent.</summary>
    public int? ConfirmTimeoutSeconds { get; init; }

    /// <summary>Why, for both links' policy history (up to 500 characters).</summary>
    public string? Reason { get; init; }
}
