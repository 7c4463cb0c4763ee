using System.Net;
using Fleet.Api.Links.Aggregators;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;

namespace Fleet.Api.Tests.Links;

/// <summary>Issue 17: the pure rules that allocate a site's id and prefix and build its two sides.</summary>
public sealed class AggregatorSiteAllocationTests
{
    private static readonly IPNetwork s_network = IPNetwork.Parse("10.100.0.0/16");

    [Fact]
    public void FreePrefix_SkipsTheAggregatorsOwnBlockAndTakenOnes_LowestFirst()
    {
        IPAddress[] own = [IPAddress.Parse("10.100.0.1")];

        Assert.Equal("10.100.0.16/28", AggregatorSiteAllocation.FreePrefix(s_network, 28, own, [])!.Value.ToString());
        Assert.Equal(
            "10.100.0.48/28",
            AggregatorSiteAllocation.FreePrefix(s_network, 28, own, [IPNetwork.Parse("10.100.0.16/28"), IPNetwork.Parse("10.100.0.32/28")])!.Value.ToString());

        // A site prefix given by hand that is wider than the blocks covers all of them.
        Assert.Equal("10.100.1.0/28", AggregatorSiteAllocation.FreePrefix(s_network, 28, own, [IPNetwork.Parse("10.100.0.0/24")])!.Value.ToString());
    }

    [Fact]
    public void FreePrefix_NetworkFull_Null()
    {
        var small = IPNetwork.Parse("10.100.0.0/29");

        Assert.Null(AggregatorSiteAllocation.FreePrefix(small, 30, [IPAddress.Parse("10.100.0.1")], [IPNetwork.Parse("10.100.0.4/30")]));
        Assert.Null(AggregatorSiteAllocation.FreePrefix(small, 29, [], []));
    }

    [Fact]
    public void FreePrefix_Ipv6_Works()
    {
        var network = IPNetwork.Parse("fd00:99::/48");

        var prefix = AggregatorSiteAllocation.FreePrefix(network, 64, [IPAddress.Parse("fd00:99::1")], []);

        Assert.Equal("fd00:99:0:1::/64", prefix!.Value.ToString());
        Assert.Equal("fd00:99:0:1::1/48", AggregatorSiteAllocation.TunnelAddress(prefix.Value, network));
    }

    [Fact]
    public void FreeSiteId_LowestUnused()
    {
        var key = Convert.ToBase64String(new byte[32]);
        AggregatorSiteSpec Site(int id) => new() { Id = id, Paths = 1, Prefixes = ["10.100.0.16/28"], Striper = new StriperOptions { Key = key } };

        Assert.Equal(1, AggregatorSiteAllocation.FreeSiteId(new AggregatorOptions()));
        Assert.Equal(2, AggregatorSiteAllocation.FreeSiteId(new AggregatorOptions { Sites = [Site(1), Site(3)] }));
        Assert.Equal(1, AggregatorSiteAllocation.FreeSiteId(new AggregatorOptions { Sites = [Site(2)] }));
    }

    [Fact]
    public void TunnelAddress_FirstHostWithTheNetworksLength()
    {
        Assert.Equal("10.100.0.17/16", AggregatorSiteAllocation.TunnelAddress(IPNetwork.Parse("10.100.0.16/28"), s_network));
    }
}
