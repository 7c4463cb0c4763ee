using Fleet.Api.Links;

namespace Fleet.Api.Tests.Links;

/// <summary>The in-process link change feed: every subscriber gets every change in order; disposing stops delivery.</summary>
public sealed class LinkChangeFeedTests
{
    [Fact]
    public async Task Publish_TwoSubscribers_EachGetsEveryChangeInOrder()
    {
        var feed = new LinkChangeFeed();
        using var first = feed.Subscribe();
        using var second = feed.Subscribe();
        var host = Guid.CreateVersion7();
        var changes = Enumerable.Range(1, 100).Select(g => new LinkChange(LinkChangeKind.SpecChanged, host, Guid.CreateVersion7(), g)).ToList();

        foreach (var change in changes)
        {
            feed.Publish(change);
        }

        foreach (var subscription in new[] { first, second })
        {
            var received = new List<LinkChange>();
            for (var i = 0; i < changes.Count; i++)
            {
                received.Add(await subscription.Reader.ReadAsync(TestContext.Current.CancellationToken));
            }

            Assert.Equal(changes, received);
            Assert.False(subscription.Reader.TryRead(out _));
        }
    }

    [Fact]
    public async Task Dispose_CompletesTheReader_AndLaterChangesGoOnlyToOthers()
    {
        var feed = new LinkChangeFeed();
        var leaving = feed.Subscribe();
        using var staying = feed.Subscribe();

        leaving.Dispose();
        feed.Publish(new LinkChange(LinkChangeKind.Deleted, Guid.CreateVersion7(), Guid.CreateVersion7(), 3));

        await leaving.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(leaving.Reader.TryRead(out _));
        Assert.True(staying.Reader.TryRead(out var change));
        Assert.Equal(LinkChangeKind.Deleted, change.Kind);
    }

    [Fact]
    public async Task Publish_FromManyThreads_LosesNothing()
    {
        var feed = new LinkChangeFeed();
        using var subscription = feed.Subscribe();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(
            () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    feed.Publish(new LinkChange(LinkChangeKind.Created, Guid.Empty, Guid.Empty, (t * 1000) + i));
                }
            },
            TestContext.Current.CancellationToken)));

        var generations = new HashSet<long>();
        while (subscription.Reader.TryRead(out var change))
        {
            generations.Add(change.Generation);
        }

        Assert.Equal(8000, generations.Count);
    }
}
