using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Aggregators;

/// <summary>
/// The members an aggregator reports its sites under: names that are valid interface names for every site id and path
/// (so samples carry them as any member), read back to the same site and path, and nothing else read as a site.
/// </summary>
public sealed class AggregatorSiteMembersTests
{
    [Theory]
    [InlineData(1, null, "s1")]
    [InlineData(1, 0, "s1.0")]
    [InlineData(12, 3, "s12.3")]
    [InlineData(int.MaxValue, 15, "s2147483647.15")]
    public void Names_RoundTrip_AndAreInterfaceNames(int siteId, int? path, string expected)
    {
        var name = path is { } index ? AggregatorSiteMembers.Path(siteId, index) : AggregatorSiteMembers.Session(siteId);

        Assert.Equal(expected, name);
        Assert.True(InterfaceName.IsValid(name), InterfaceName.Check(name));
        Assert.True(AggregatorSiteMembers.TryParse(name, out var parsedSite, out var parsedPath));
        Assert.Equal((siteId, path), (parsedSite, parsedPath));
    }

    [Theory]
    [InlineData("eth0")]
    [InlineData("s")]
    [InlineData("s0")]
    [InlineData("s01")]
    [InlineData("s1.")]
    [InlineData("s1.x")]
    [InlineData("s1.2.3")]
    [InlineData("s-1")]
    [InlineData("s+1")]
    [InlineData("s99999999999")]
    [InlineData("wwan0")]
    [InlineData(null)]
    public void TryParse_OtherNames_False(string? member)
    {
        Assert.False(AggregatorSiteMembers.TryParse(member, out var siteId, out var path));
        Assert.Equal((0, (int?)null), (siteId, path));
    }
}
