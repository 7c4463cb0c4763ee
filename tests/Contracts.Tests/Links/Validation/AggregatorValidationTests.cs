using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

/// <summary>
/// Issue 17: a link of kind aggregator. Its one member is its socket (interface, optional address, required port),
/// its first address names the tunnel network its sites' prefixes come from, and its sites are checked by the data
/// plane's own rules (<see cref="AggregatorSpecValidator"/>), reported under <c>aggregator.sites</c>.
/// </summary>
public sealed class AggregatorValidationTests
{
    private static readonly string s_key = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    [Fact]
    public void Validate_AggregatorWithSites_Valid_AndConvertsToTheDataPlanesSpec()
    {
        var spec = Aggregator([Site(1, "10.100.0.16/28"), Site(2, "10.100.0.32/28")]);

        Assert.Empty(LinkSpecValidator.Validate(spec));
        var plane = AggregatorOptions.ToAggregatorSpec(spec);
        Assert.Equal(("hub0", "eth0", "192.0.2.1", 7000, 2), (plane.Name, plane.Interface, plane.Address, plane.Port, plane.Sites.Count));
        Assert.Equal(["10.100.0.1/16"], plane.Addresses);
        Assert.Empty(AggregatorSpecValidator.Validate(plane));
    }

    [Fact]
    public void Validate_SocketRules_OneMemberWithAPort()
    {
        var two = Aggregator([]) with { Members = [Socket(), new MemberSpec { Interface = "eth1", LocalPort = 7001 }] };
        var noPort = Aggregator([]) with { Members = [Socket() with { LocalPort = null }] };
        var peer = Aggregator([]) with { Members = [Socket() with { Peer = "192.0.2.9:7000" }] };

        Assert.Contains(LinkSpecValidator.Validate(two), e => e.Path == "members");
        Assert.Contains(LinkSpecValidator.Validate(noPort), e => e.Path == "members[0].localPort");
        Assert.Contains(LinkSpecValidator.Validate(peer), e => e.Path == "members[0].peer");
    }

    [Fact]
    public void Validate_NetworkAndOptions_FieldErrors()
    {
        Assert.Contains(LinkSpecValidator.Validate(Aggregator([]) with { Addresses = [] }), e => e.Path == "addresses");
        Assert.Contains(LinkSpecValidator.Validate(Aggregator([]) with { Aggregator = null }), e => e.Path == "aggregator");

        // A site prefix no longer than the network's own cannot be carved from it.
        var wide = Aggregator([]) with { Aggregator = new AggregatorOptions { SitePrefixLength = 16 } };
        Assert.Contains(LinkSpecValidator.Validate(wide), e => e.Path == "aggregator.sitePrefixLength");
        var badPublic = Aggregator([]) with { Aggregator = new AggregatorOptions { PublicAddress = "not an address" } };
        Assert.Contains(LinkSpecValidator.Validate(badPublic), e => e.Path == "aggregator.publicAddress");

        // Striper options belong to striper links only.
        var striper = Aggregator([]) with { Striper = new StriperOptions { Key = s_key } };
        Assert.Contains(LinkSpecValidator.Validate(striper), e => e.Path == "striper");
    }

    [Fact]
    public void Validate_Sites_TheDataPlanesRulesUnderAggregatorSites()
    {
        var spec = Aggregator([Site(1, "10.100.0.16/28"), Site(1, "10.100.0.20/30"), Site(3, "10.100.0.33/28")]);

        var paths = LinkSpecValidator.Validate(spec).Select(e => e.Path).ToList();

        Assert.Contains("aggregator.sites[1].id", paths);
        Assert.Contains("aggregator.sites[1].prefixes[0]", paths);
        Assert.Contains("aggregator.sites[2].prefixes[0]", paths);
    }

    [Fact]
    public void TunnelNetwork_IsTheFirstAddresssNetwork()
    {
        Assert.Equal("10.100.0.0/16", LinkSpecValidator.TunnelNetwork(Aggregator([]))!.Value.ToString());
        Assert.Equal("fd00:99::/64", LinkSpecValidator.TunnelNetwork(Aggregator([]) with { Addresses = ["fd00:99::1/64"] })!.Value.ToString());
        Assert.Null(LinkSpecValidator.TunnelNetwork(Aggregator([]) with { Addresses = [] }));
    }

    private static MemberSpec Socket() => new() { Interface = "eth0", Address = "192.0.2.1", LocalPort = 7000 };

    private static LinkSpec Aggregator(IReadOnlyList<AggregatorSiteSpec> sites) => new()
    {
        Kind = LinkKind.Aggregator,
        Name = "hub0",
        Members = [Socket()],
        Addresses = ["10.100.0.1/16"],
        Aggregator = new AggregatorOptions { Sites = sites },
    };

    private static AggregatorSiteSpec Site(int id, string prefix) => new()
    {
        Id = id,
        Paths = 2,
        Prefixes = [prefix],
        Striper = new StriperOptions { Key = s_key },
    };
}
