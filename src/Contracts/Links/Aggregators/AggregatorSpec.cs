using System.Text.Json.Serialization;

namespace Fleet.Contracts.Links.Aggregators;

/// <summary>
/// One striper aggregator: a TUN device and one UDP port serving many sites, each with its own key, paths and inner
/// prefixes (docs/striper-protocol.md, "Aggregator"). Immutable; a new spec replaces the sites live.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AggregatorSpec
{
    /// <summary>The TUN device every site shares.</summary>
    public required string Name { get; init; }

    /// <summary>The interface the sites reach the aggregator on (its socket is bound to it).</summary>
    public required string Interface { get; init; }

    /// <summary>The address to listen on; null for every address of <see cref="Interface"/>.</summary>
    public string? Address { get; init; }

    /// <summary>The UDP port every site's every path sends to.</summary>
    public required int Port { get; init; }

    /// <summary>The TUN device's MTU; null to derive it from <see cref="Interface"/>'s, as a link does.</summary>
    public int? Mtu { get; init; }

    /// <summary>Addresses of the TUN device with their prefix length (e.g. <c>10.99.0.1/16</c>, covering the sites' prefixes so they route into it).</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>Sites in no particular order; their ids and prefixes are unique.</summary>
    public IReadOnlyList<AggregatorSiteSpec> Sites { get; init; } = [];
}

/// <summary>One site of an aggregator.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AggregatorSiteSpec
{
    /// <summary>The site id (1 … 2³¹ − 1): the site's link has the same <see cref="StriperOptions.SiteId"/>.</summary>
    public required int Id { get; init; }

    /// <summary>How many paths the site stripes over (its link's member count, in the same order).</summary>
    public required int Paths { get; init; }

    /// <summary>
    /// The inner prefixes (e.g. <c>10.99.3.0/24</c>) the site owns: the aggregator routes them to it and accepts only
    /// packets from them.
    /// </summary>
    public required IReadOnlyList<string> Prefixes { get; init; }

    /// <summary>The site's key, scheduler and the rest, as on its link; <see cref="StriperOptions.SiteId"/> is ignored (<see cref="Id"/> is).</summary>
    public required StriperOptions Striper { get; init; }

    /// <summary>
    /// The link spec the aggregator's end of this site amounts to: one member per path, each listening on the
    /// aggregator's port, so it learns where the site's path is from the site's authenticated packets. The members are
    /// named <c>path0</c>, <c>path1</c> … (the site's path ids): they all use the aggregator's one socket on
    /// <see cref="AggregatorSpec.Interface"/>, and a traffic class of the site names its members by these names.
    /// </summary>
    public LinkSpec ToLinkSpec(AggregatorSpec aggregator)
    {
        var members = new MemberSpec[Paths];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = new MemberSpec { Interface = PathName(i), LocalPort = aggregator.Port };
        }

        return new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = aggregator.Name,
            Mtu = aggregator.Mtu,
            Members = members,
            Striper = Striper with { SiteId = Id },
        };
    }

    /// <summary>The aggregator side's name of a site's path <paramref name="index"/>.</summary>
    public static string PathName(int index) => $"path{index}";
}
