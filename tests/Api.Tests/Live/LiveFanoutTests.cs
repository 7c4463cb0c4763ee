using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Live;

/// <summary>The live hub's fan-out on a real SQLite database, with a clock the test moves.</summary>
public sealed class LiveFanoutTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingLiveHub _hub = new();
    private TestDatabase _database = null!;
    private LiveFanout _fanout = null!;
    private Guid _hostId;
    private Guid _linkId;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        _hostId = Guid.CreateVersion7();
        _linkId = Guid.CreateVersion7();
        var now = _clock.GetUtcNow().UtcDateTime;
        db.Hosts.Add(new HostEntity { Id = _hostId, Name = "h", Hostname = "h", EnrolledAt = now });
        db.Links.Add(new LinkEntity
        {
            Id = _linkId,
            HostId = _hostId,
            Name = "bond0",
            Kind = LinkKind.Bond,
            Spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } },
            DesiredGeneration = 3,
            ObservedGeneration = 2,
            Phase = LinkPhase.Applying,
            PhaseChangedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        });

        // Two minutes of history in the raw table: the first subscriber's ring buffer starts from it.
        for (var s = 0; s < 120; s++)
        {
            db.Samples.Add(new SampleEntity { LinkId = _linkId, Member = "eth0", Time = now.AddSeconds(s - 120), IntervalMs = 1000, TxBytes = s });
        }

        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        var factory = new PooledDbContextFactory<FleetDbContext>(options.Options);
        _fanout = new LiveFanout(_hub, factory, _clock, NullLogger<LiveFanout>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _fanout.Dispose();
        await _database.DisposeAsync();
    }

    private MemberSample Sample(int second) => new() { LinkId = _linkId, Member = "eth0", Time = _clock.GetUtcNow().AddSeconds(second), IntervalMs = 1000, TxBytes = 1000 + second };

    [Fact]
    public async Task SubscribeLinkAsync_ReturnsStateAndRecentSamplesFromTheDatabase()
    {
        var snapshot = await _fanout.SubscribeLinkAsync("c1", _linkId, TestContext.Current.CancellationToken);

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
        await Assert.ThrowsAsync<HubException>(() => _fanout.SubscribeLinkAsync("c1", Guid.NewGuid(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PublishSamples_ManyPerSecond_PushedAtMostFourTimesASecondWithNothingLost()
    {
        await _fanout.SubscribeLinkAsync("c1", _linkId, TestContext.Current.CancellationToken);
        var published = new List<MemberSample>();

        // 50 batches over 2 s, flushing every 20 ms like the hub's loop.
        for (var i = 0; i < 100; i++)
        {
            if (i % 2 == 0)
            {
                var sample = Sample(i);
                published.Add(sample);
                _fanout.PublishSamples(_hostId, [sample]);
            }

            await _fanout.FlushAsync();
            _clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        await _fanout.FlushAsync();

        var pushes = _hub.Pushes.Where(p => p.Method == nameof(ILiveClient.LinkSamples)).ToList();
        Assert.InRange(pushes.Count, 8, 10);
        Assert.Equal(published, pushes.SelectMany(p => (IReadOnlyList<MemberSample>)p.Payload));
        Assert.All(pushes, p => Assert.Equal("c1", p.Connection));
    }

    [Fact]
    public async Task PublishState_Coalesced_LatestWins()
    {
        await _fanout.SubscribeLinkAsync("c1", _linkId, TestContext.Current.CancellationToken);
        _fanout.PublishState(State(LinkPhase.Applying));
        await _fanout.FlushAsync();
        _fanout.PublishState(State(LinkPhase.Applying, awaiting: true));
        _fanout.PublishState(State(LinkPhase.Applied));
        await _fanout.FlushAsync();

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await _fanout.FlushAsync();

        var states = _hub.Pushes.Where(p => p.Method == nameof(ILiveClient.LinkState)).Select(p => ((LiveLinkState)p.Payload).Phase).ToList();
        Assert.Equal([LinkPhase.Applying, LinkPhase.Applied], states);
    }

    [Fact]
    public async Task SubscribeHostAsync_GetsEveryLinkOfTheHost_AndUnsubscribeStopsPushes()
    {
        var snapshot = await _fanout.SubscribeHostAsync("c2", _hostId, TestContext.Current.CancellationToken);
        Assert.Equal(_linkId, Assert.Single(snapshot.Links).LinkId);

        _fanout.PublishSamples(_hostId, [Sample(1)]);
        await _fanout.FlushAsync();
        _fanout.Unsubscribe("c2", host: true, _hostId);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _fanout.PublishSamples(_hostId, [Sample(2)]);
        await _fanout.FlushAsync();

        var pushed = Assert.Single(_hub.Pushes);
        Assert.Equal("c2", pushed.Connection);
    }

    private LiveLinkState State(LinkPhase phase, bool awaiting = false) => new()
    {
        LinkId = _linkId,
        HostId = _hostId,
        Phase = phase,
        DesiredGeneration = 3,
        ObservedGeneration = phase == LinkPhase.Applied ? 3 : 2,
        AwaitingConfirm = awaiting,
        Time = _clock.GetUtcNow(),
    };
}
