using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Live;

/// <summary>The live hub's fan-out on a real SQLite database, with a clock the test moves.</summary>
public sealed class LiveFanoutTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private LiveFanoutBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        // Two minutes of history in the raw table: the first subscriber's ring buffer starts from it.
        _bed = await LiveFanoutBed.CreateAsync(postgres, _clock, desiredGeneration: 3, observedGeneration: 2, LinkPhase.Applying, seed: (db, linkId, now) =>
        {
            for (var s = 0; s < 120; s++)
            {
                db.Samples.Add(new SampleEntity { LinkId = linkId, Member = "eth0", Time = now.AddSeconds(s - 120), IntervalMs = 1000, TxBytes = s });
            }
        });
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    private MemberSample Sample(int second) => new() { LinkId = _bed.LinkId, Member = "eth0", Time = _clock.GetUtcNow().AddSeconds(second), IntervalMs = 1000, TxBytes = 1000 + second };

    [Fact]
    public async Task SubscribeLinkAsync_ReturnsStateAndRecentSamplesFromTheDatabase()
    {
        var snapshot = await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, TestContext.Current.CancellationToken);

        Assert.Equal(LinkPhase.Applying, snapshot.State.Phase);
        Assert.Equal(3, snapshot.State.DesiredGeneration);
        Assert.Equal(2, snapshot.State.ObservedGeneration);
        Assert.Equal(120, snapshot.Samples.Count);
        Assert.Equal(0, snapshot.Samples[0].TxBytes);
        Assert.Equal(119, snapshot.Samples[^1].TxBytes);
    }

    [Fact]
    public async Task SubscribeLinkAsync_UnknownLink_IsAHubError()
    {
        await Assert.ThrowsAsync<HubException>(() => _bed.Fanout.SubscribeLinkAsync("c1", Guid.NewGuid(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PublishSamples_ManyPerSecond_PushedAtMostFourTimesASecondWithNothingLost()
    {
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, TestContext.Current.CancellationToken);
        var published = new List<MemberSample>();

        // 50 batches over 2 s, flushing every 20 ms like the hub's loop.
        for (var i = 0; i < 100; i++)
        {
            if (i % 2 == 0)
            {
                var sample = Sample(i);
                published.Add(sample);
                _bed.Fanout.PublishSamples(_bed.HostId, [sample]);
            }

            _bed.Fanout.Flush();
            _clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        _bed.Fanout.Flush();

        var pushes = _bed.Hub.Pushes.Where(p => p.Method == nameof(ILiveClient.LinkSamples)).ToList();
        Assert.InRange(pushes.Count, 8, 10);
        Assert.Equal(published, pushes.SelectMany(p => (IReadOnlyList<MemberSample>)p.Payload));
        Assert.All(pushes, p => Assert.Equal("c1", p.Connection));
    }

    [Fact]
    public async Task PublishState_Coalesced_LatestWins()
    {
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, TestContext.Current.CancellationToken);
        _bed.Fanout.PublishState(State(LinkPhase.Applying));
        _bed.Fanout.Flush();
        _bed.Fanout.PublishState(State(LinkPhase.Applying, awaiting: true));
        _bed.Fanout.PublishState(State(LinkPhase.Applied));
        _bed.Fanout.Flush();

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        _bed.Fanout.Flush();

        var states = _bed.Hub.Pushes.Where(p => p.Method == nameof(ILiveClient.LinkState)).Select(p => ((LiveLinkState)p.Payload).Phase).ToList();
        Assert.Equal([LinkPhase.Applying, LinkPhase.Applied], states);
    }

    [Fact]
    public async Task SubscribeHostAsync_GetsEveryLinkOfTheHost_AndUnsubscribeStopsPushes()
    {
        var snapshot = await _bed.Fanout.SubscribeHostAsync("c2", _bed.HostId, TestContext.Current.CancellationToken);
        Assert.Equal(_bed.LinkId, Assert.Single(snapshot.Links).LinkId);

        _bed.Fanout.PublishSamples(_bed.HostId, [Sample(1)]);
        _bed.Fanout.Flush();
        _bed.Fanout.Unsubscribe("c2", host: true, _bed.HostId);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _bed.Fanout.PublishSamples(_bed.HostId, [Sample(2)]);
        _bed.Fanout.Flush();

        var pushed = Assert.Single(_bed.Hub.Pushes);
        Assert.Equal("c2", pushed.Connection);
    }

    [Fact]
    public async Task Flush_AConnectionThatNeverCompletesASend_DoesNotHoldUpTheOthers_AndIsDropped()
    {
        _bed.Hub.Stalled.Add("slow");
        await _bed.Fanout.SubscribeLinkAsync("slow", _bed.LinkId, TestContext.Current.CancellationToken);
        await _bed.Fanout.SubscribeLinkAsync("fast", _bed.LinkId, TestContext.Current.CancellationToken);
        var published = new List<MemberSample>();

        // 20 s of samples, one a second; the slow connection's first push never completes.
        for (var i = 0; i < 20; i++)
        {
            var sample = Sample(i);
            published.Add(sample);
            _bed.Fanout.PublishSamples(_bed.HostId, [sample]);
            _bed.Fanout.Flush();
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        List<(string Connection, string Method, Guid LinkId, object Payload)> pushes;
        lock (_bed.Hub.Pushes)
        {
            pushes = [.. _bed.Hub.Pushes];
        }

        Assert.Equal(published, pushes.Where(p => p.Connection == "fast").SelectMany(p => (IReadOnlyList<MemberSample>)p.Payload));

        // The slow one got its first push and then nothing: skipped while that push was pending, dropped after the
        // send timeout (its later samples are not kept for it).
        var slow = Assert.Single(pushes, p => p.Connection == "slow");
        Assert.Equal([published[0]], (IReadOnlyList<MemberSample>)slow.Payload);
        Assert.Equal(0, _bed.Fanout.SubscriptionCount("slow"));
        Assert.Equal(1, _bed.Fanout.SubscriptionCount("fast"));
    }

    private LiveLinkState State(LinkPhase phase, bool awaiting = false) => new()
    {
        LinkId = _bed.LinkId,
        HostId = _bed.HostId,
        Phase = phase,
        DesiredGeneration = 3,
        ObservedGeneration = phase == LinkPhase.Applied ? 3 : 2,
        AwaitingConfirm = awaiting,
        Time = _clock.GetUtcNow(),
    };
}
