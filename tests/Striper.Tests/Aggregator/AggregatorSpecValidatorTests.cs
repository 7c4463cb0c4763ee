using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;

namespace Fleet.Striper.Tests.Aggregator;

public sealed class AggregatorSpecValidatorTests
{
    private static AggregatorSiteSpec Site(int id, params string[] prefixes) => new()
    {
        Id = id,
        Paths = 2,
        Prefixes = prefixes,
        Striper = new StriperOptions { Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
    };

    private static AggregatorSpec Spec(params AggregatorSiteSpec[] sites) => new() { Name = "agg0", Interface = "eth0", Port = 7000, Sites = sites };

    [Fact]
    public void Validate_DistinctSites_NoErrors() =>
        Assert.Empty(AggregatorSpecValidator.Validate(Spec(Site(1, "10.99.1.0/24"), Site(2, "10.99.2.0/24", "fd00:99:2::/48"))));

    [Fact]
    public void Validate_EveryMistake_EveryErrorAtItsPath()
    {
        var spec = Spec(
            Site(1, "10.99.1.0/24"),
            Site(1, "10.99.1.128/25") with { Paths = 0 },
            Site(3, "10.99.3.1/24", "not a prefix") with { Striper = new StriperOptions { Key = "short", ProbeIntervalMs = 1 } },
            Site(0)) with { Port = 0, Name = "" };

        var errors = AggregatorSpecValidator.Validate(spec).Select(e => e.Path).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "name", "port", "sites[1].id", "sites[1].paths", "sites[1].prefixes[0]", "sites[2].prefixes[0]", "sites[2].prefixes[1]",
            "sites[2].striper.key", "sites[2].striper.probeIntervalMs", "sites[3].id", "sites[3].prefixes",
        }, errors);
    }

    [Fact]
    public void ToLinkSpec_Site_OneListeningMemberPerPathAndTheSiteId()
    {
        var spec = Spec(Site(5, "10.99.5.0/24"));

        var link = spec.Sites[0].ToLinkSpec(spec);

        Assert.Equal(["path0", "path1"], link.Members.Select(m => m.Interface));
        Assert.All(link.Members, m => Assert.Equal(7000, m.LocalPort));
        Assert.Equal(5, link.Striper!.SiteId);
        Assert.Equal("agg0", link.Name);
    }
}
