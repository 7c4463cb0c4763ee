using System.Net;
using System.Net.Sockets;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links.Pairs;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Links.Aggregators;

/// <summary>
/// The rules that turn a request for a site into its two sides (docs/aggregator.md, "Sites through the Api"), pure:
/// the lowest free site id, the lowest free inner prefix of the aggregator's tunnel network (never the block holding
/// the aggregator's own address), the site's striper link (every member dialing the aggregator, its tunnel address
/// the prefix's first host with the network's length) and the aggregator's entry for it (the same key and options).
/// </summary>
public static class AggregatorSiteAllocation
{
    /// <summary>Blocks of the tunnel network looked at before giving up (a /16 of /28s is 4,096).</summary>
    public const int MaxBlocks = 1 << 16;

    /// <summary>The lowest site id no site of <paramref name="aggregator"/> has.</summary>
    public static int FreeSiteId(AggregatorOptions aggregator)
    {
        var used = aggregator.Sites.Select(s => s.Id).ToHashSet();
        var id = 1;
        while (used.Contains(id))
        {
            id++;
        }

        return id;
    }

    /// <summary>
    /// The lowest block of <paramref name="length"/> bits in <paramref name="network"/> that holds none of
    /// <paramref name="reserved"/> (the aggregator's own addresses) and overlaps none of <paramref name="used"/>; null when
    /// the network is full.
    /// </summary>
    public static IPNetwork? FreePrefix(IPNetwork network, int length, IReadOnlyCollection<IPAddress> reserved, IReadOnlyCollection<IPNetwork> used)
    {
        var bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length <= network.PrefixLength || length > bits)
        {
            return null;
        }

        var start = ToNumber(network.BaseAddress);
        var step = UInt128.One << (bits - length);
        var blocks = length - network.PrefixLength >= 17 ? MaxBlocks : 1 << (length - network.PrefixLength);
        for (var i = 0; i < blocks; i++)
        {
            var candidate = new IPNetwork(ToAddress(start + ((UInt128)(uint)i * step), bits), length);
            if (reserved.Any(candidate.Contains) || used.Any(u => u.Contains(candidate.BaseAddress) || candidate.Contains(u.BaseAddress)))
            {
                continue;
            }

            return candidate;
        }

        return null;
    }

    /// <summary>The site's address on its tunnel device: the prefix's first host, with the tunnel network's length so the whole network routes into the tunnel.</summary>
    public static string TunnelAddress(IPNetwork prefix, IPNetwork network)
    {
        var bits = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return $"{ToAddress(ToNumber(prefix.BaseAddress) + 1, bits)}/{network.PrefixLength}";
    }

    /// <summary>The site's striper link: its members dial <paramref name="aggregatorEndpoint"/>, its key and site id are the aggregator's entry's.</summary>
    public static LinkSpec SiteLink(CreateAggregatorSiteRequest request, LinkSpec aggregator, int siteId, string tunnelAddress, string key, IPEndPoint aggregatorEndpoint) => new()
    {
        Kind = LinkKind.Striper,
        Name = request.Name,
        Members = Members(request.Members, aggregatorEndpoint),
        Addresses = [tunnelAddress],
        Mtu = request.Mtu ?? aggregator.Mtu,
        ConfirmTimeoutSeconds = request.ConfirmTimeoutSeconds,
        Striper = StriperPairEnds.Options(request.Striper, key) with { SiteId = siteId },
    };

    /// <summary>
    /// A site's link after an edit: the request's members, dialing <paramref name="aggregatorEndpoint"/>, and its striper
    /// options, MTU and confirmation timeout where given; its name, addresses, key and site id stay.
    /// </summary>
    public static LinkSpec EditedSiteLink(LinkSpec current, UpdateAggregatorSiteRequest request, IPEndPoint aggregatorEndpoint) => current with
    {
        Members = Members(request.Members, aggregatorEndpoint),
        Mtu = request.Mtu ?? current.Mtu,
        ConfirmTimeoutSeconds = request.ConfirmTimeoutSeconds ?? current.ConfirmTimeoutSeconds,
        Striper = request.Striper is null
            ? current.Striper
            : StriperPairEnds.Options(request.Striper, current.Striper!.Key) with { SiteId = current.Striper.SiteId },
    };

    /// <summary>The aggregator's entry after its site's link became <paramref name="siteLink"/>: one path per member, the same options; its prefixes stay.</summary>
    public static AggregatorSiteSpec EditedEntry(AggregatorSiteSpec entry, LinkSpec siteLink) => entry with
    {
        Paths = siteLink.Members.Count,
        Striper = siteLink.Striper! with { SiteId = null },
    };

    private static MemberSpec[] Members(IReadOnlyList<AggregatorSiteMember> members, IPEndPoint aggregatorEndpoint) =>
    [
        .. members.Select(m => new MemberSpec
        {
            Interface = m.Interface,
            Address = m.Address,
            AdminState = m.AdminState,
            Weight = m.Weight,
            RateBitsPerSecond = m.RateBitsPerSecond,
            Tier = m.Tier,
            Peer = aggregatorEndpoint.ToString(),
        }),
    ];

    /// <summary>The aggregator's entry for a site link: its id, one path per member, its prefix, its key and options.</summary>
    public static AggregatorSiteSpec SiteEntry(LinkSpec siteLink, IPNetwork prefix) => new()
    {
        Id = siteLink.Striper!.SiteId ?? 0,
        Paths = siteLink.Members.Count,
        Prefixes = [prefix.ToString()],
        Striper = siteLink.Striper with { SiteId = null },
    };

    /// <summary>The aggregator's own addresses (no prefix), which no site's prefix may hold.</summary>
    public static IReadOnlyList<IPAddress> OwnAddresses(LinkSpec aggregator) => [.. StriperPairEnds.TunnelAddresses(aggregator)];

    /// <summary>Every prefix the aggregator's sites own.</summary>
    public static IReadOnlyList<IPNetwork> UsedPrefixes(AggregatorOptions aggregator) =>
        [.. aggregator.Sites.SelectMany(s => s.Prefixes).Select(p => IPNetwork.TryParse(p, out var n) ? (IPNetwork?)n : null).OfType<IPNetwork>()];

    /// <summary>
    /// Where the sites send: the aggregator's public address, else its member's address, else its interface's first
    /// address as its agent reported it; null (with the reason in <paramref name="errors"/>) when there is none.
    /// </summary>
    public static IPEndPoint? Endpoint(LinkSpec aggregator, HostEntity host, Dictionary<string, string[]> errors)
    {
        var socket = aggregator.Members[0];
        var address = StriperPairEnds.ListenerAddress(
            host, new LinkPairMember { Interface = socket.Interface, Address = aggregator.Aggregator?.PublicAddress ?? socket.Address }, "aggregator", errors);
        return address is null || socket.LocalPort is not { } port ? null : new IPEndPoint(address, port);
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static IPAddress ToAddress(UInt128 value, int bits)
    {
        var bytes = new byte[bits / 8];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }
}
