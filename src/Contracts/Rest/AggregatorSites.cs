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
}
