using System.Text.Json.Serialization;

namespace Fleet.Contracts.Links.Aggregators;

/// <summary>
/// A link of kind <see cref="LinkKind.Aggregator"/>: its one member is the interface (and optionally the address) its
/// UDP socket is bound to, with the port every site dials as the member's <see cref="MemberSpec.LocalPort"/>; the
/// link's first address is the aggregator's own inside the tunnel network, whose prefix the Api allocates the sites'
/// prefixes from (docs/aggregator.md). The sites are written by the Api's site commands, one entry per site link.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AggregatorOptions
{
    /// <summary>The length of the inner prefix the Api gives each site when none is asked for: a /28 (14 addresses).</summary>
    public const int DefaultSitePrefixLength = 28;

    /// <summary>
    /// The address the sites dial, when it is not the member's (an aggregator behind NAT, or a public address on
    /// another device). The Api reads it; the agent ignores it.
    /// </summary>
    public string? PublicAddress { get; init; }

    /// <summary>The length of each site's inner prefix, allocated from the tunnel network. The Api reads it; the agent ignores it.</summary>
    public int SitePrefixLength { get; init; } = DefaultSitePrefixLength;

    /// <summary>The sites, as the aggregator runs them (ids and prefixes unique).</summary>
    public IReadOnlyList<AggregatorSiteSpec> Sites { get; init; } = [];

    /// <summary>
    /// The data plane's configuration of an aggregator link: its device, its socket's interface, address and port, its
    /// addresses and its sites. The spec must be valid (<see cref="Validation.LinkSpecValidator"/>).
    /// </summary>
    public static AggregatorSpec ToAggregatorSpec(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var socket = spec.Members[0];
        return new AggregatorSpec
        {
            Name = spec.Name,
            Interface = socket.Interface,
            Address = socket.Address,
            Port = socket.LocalPort ?? 0,
            Mtu = spec.Mtu,
            Addresses = spec.Addresses,
            Sites = spec.Aggregator?.Sites ?? [],
        };
    }
}
