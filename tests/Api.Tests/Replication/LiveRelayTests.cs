using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Replication;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Api.Tests.Replication;

/// <summary>
/// What <see cref="LiveFanout"/> hands to the other replicas: its own publications, never what came from another
/// replica (no echo), and not the states every replica derives itself; and which samples of a batch are relayed.
/// </summary>
public sealed class LiveRelayTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);
    private readonly RecordingLiveHub _hub = new();
    private readonly RecordingRelay _relay = new();
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
        var now = DateTime.UtcNow;
        db.Hosts.Add(new HostEntity { Id = _hostId, Name = "h", Hostname = "h", EnrolledAt = now });
        db.Links.Add(new LinkEntity
        {
            Id = _linkId,
            HostId = _hostId,
            Name = "bond0",
            Kind = LinkKind.Bond,
            Spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } },
            DesiredGeneration = 1,
            Phase = LinkPhase.Pending,
            PhaseChangedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _fanout = new LiveFanout(_hub, new PooledDbContextFactory<FleetDbContext>(options.Options), TimeProvider.System, NullLogger<LiveFanout>.Instance, _relay);
    }

    public async ValueTask DisposeAsync()
    {
        _fanout.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task PublishSamples_GoToSubscribersAndTheRelay_DeliverSamples_OnlyToSubscribers()
    {
        await _fanout.SubscribeLinkAsync("c1", _linkId, TestContext.Current.CancellationToken);
        var local = new[] { Sample(1) };
        var remote = new[] { Sample(2) };

        _fanout.PublishSamples(_hostId, local);
        _fanout.DeliverSamples(_hostId, remote);
        _fanout.Flush();

        var pushed = Assert.Single(_hub.Pushes, p => p.Method == nameof(ILiveClient.LinkSamples));
        Assert.Equal([.. local, .. remote], (IEnumerable<MemberSample>)pushed.Payload);
        var relayed = Assert.Single(_relay.Samples);
        Assert.Equal((_hostId, local), (relayed.HostId, relayed.Samples));
    }

    [Fact]
    public async Task PublishState_IsRelayed_DeliverState_IsNot()
    {
        await _fanout.SubscribeLinkAsync("c1", _linkId, TestContext.Current.CancellationToken);
        var reported = State(LinkPhase.Applied);

        _fanout.DeliverState(State(LinkPhase.Pending));
        _fanout.DeliverState(State(LinkPhase.Applying));
        _fanout.PublishState(reported);
        _fanout.Flush();

        Assert.Equal([reported], _relay.States);
        var pushed = Assert.Single(_hub.Pushes, p => p.Method == nameof(ILiveClient.LinkState));
        Assert.Equal(reported, pushed.Payload);
    }

    [Fact]
    public void SelectForRelay_DropsSamplesOlderThanTheLiveWindow_AndKeepsTheNewestUpToTheLimit()
    {
        var window = TimeSpan.FromMinutes(LiveLimits.RingBufferMinutes);
        MemberSample At(TimeSpan age, string member = "eth0") => Sample(0) with { Time = s_now - age, Member = member };
        MemberSample[] backlog = [At(window + TimeSpan.FromSeconds(1)), At(window), At(TimeSpan.FromSeconds(3)), At(TimeSpan.FromSeconds(2), "eth1"), At(TimeSpan.FromSeconds(2), "eth2"), At(TimeSpan.Zero)];

        Assert.Equal(backlog[1..], PostgresNotifier.SelectForRelay(backlog, s_now, 100));
        Assert.Equal(backlog[3..], PostgresNotifier.SelectForRelay(backlog, s_now, 3));
        Assert.Empty(PostgresNotifier.SelectForRelay(backlog[..1], s_now, 100));
    }

    private MemberSample Sample(int i) => new() { LinkId = _linkId, Member = "eth0", Time = DateTimeOffset.UtcNow.AddSeconds(i), IntervalMs = 1000, TxBytes = 1000 + i };

    private LiveLinkState State(LinkPhase phase) => new()
    {
        LinkId = _linkId,
        HostId = _hostId,
        Phase = phase,
        DesiredGeneration = 1,
        ObservedGeneration = phase == LinkPhase.Applied ? 1 : 0,
        Time = DateTimeOffset.UtcNow,
    };

    private sealed class RecordingRelay : ILiveRelay
    {
        public List<(Guid HostId, IReadOnlyList<MemberSample> Samples)> Samples { get; } = [];

        public List<LiveLinkState> States { get; } = [];

        public void SamplesStored(Guid hostId, IReadOnlyList<MemberSample> samples) => Samples.Add((hostId, samples));

        public void StateChanged(LiveLinkState state) => States.Add(state);
    }
}
