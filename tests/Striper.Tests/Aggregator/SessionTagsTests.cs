using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;

namespace Fleet.Striper.Tests.Aggregator;

public sealed class SessionTagsTests
{
    private static AggregatorSite Site(int id, int workers = 1) => new(new AggregatorSiteSpec
    {
        Id = id,
        Paths = 1,
        Prefixes = ["10.99.1.0/24"],
        Striper = new StriperOptions { Key = "unused" },
    }, () => AggregatorSites.Empty(workers), workers);

    [Fact]
    public void TryClaim_FreeTag_RoutesToTheSite()
    {
        var tags = new SessionTags();
        var site = Site(1);

        Assert.True(tags.TryClaim(site, 0xabcd));

        Assert.Same(site, tags.Find(0xabcd));
        Assert.Equal(0xabcdu, site.Tag);
    }

    [Fact]
    public void TryClaim_TagOfAnotherSitesSession_RefusedAndCounted()
    {
        var tags = new SessionTags();
        var first = Site(1);
        var second = Site(2);
        tags.TryClaim(first, 7);

        Assert.False(tags.TryClaim(second, 7));

        Assert.Same(first, tags.Find(7));
        Assert.Equal(0u, second.Tag);
        Assert.Equal(1, tags.Collisions);
    }

    [Fact]
    public void TryClaim_NewSessionOfTheSameSite_ReleasesItsOldTag()
    {
        var tags = new SessionTags();
        var site = Site(1);
        tags.TryClaim(site, 7);

        Assert.True(tags.TryClaim(site, 8));

        Assert.Null(tags.Find(7));
        Assert.Same(site, tags.Find(8));
        Assert.Equal(1, tags.Count);
    }

    [Fact]
    public void Release_RemovedSite_TagGoneAndNeverClaimedAgain()
    {
        var tags = new SessionTags();
        var site = Site(1);
        tags.TryClaim(site, 7);

        tags.Release(site);

        Assert.Null(tags.Find(7));
        Assert.False(tags.TryClaim(site, 9)); // a handshake finishing on the receive worker after the removal
        Assert.Equal(0, tags.Count);
    }

    [Fact]
    public void TryClaim_TagLandingOnAnotherWorker_RefusedAndCountedAsRedraw()
    {
        var tags = new SessionTags(workers: 2);
        var site = Site(3, workers: 2); // worker 1

        Assert.False(tags.TryClaim(site, 10));
        Assert.True(tags.TryClaim(site, 11));

        Assert.Equal(1, site.Worker);
        Assert.Null(tags.Find(10));
        Assert.Same(site, tags.Find(11));
        Assert.Equal(1, tags.Redraws);
        Assert.Equal(0, tags.Collisions);
    }

    [Fact]
    public void Find_UnknownTag_Null() => Assert.Null(new SessionTags().Find(42));
}
