using Fleet.Api.Live;
using Fleet.Api.Replication;
using Fleet.Api.Tests.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;

namespace Fleet.Api.Tests.Replication;

/// <summary>
/// What <see cref="LiveFanout"/> hands to the other replicas: its own publications, never what came from another
/// replica (no echo); and which samples of a batch are relayed.
/// </summary>
public sealed class LiveRelayTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);
    private readonly RecordingRelay _relay = new();
    private LiveFanoutBed _bed = null!;

    public async ValueTask InitializeAsync() =>
        _bed = await LiveFanoutBed.CreateAsync(postgres, TimeProvider.System, desiredGeneration: 1, observedGeneration: 0, LinkPhase.Pending, relay: _relay);

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task PublishSamples_GoToSubscribersAndTheRelay_DeliverSamples_OnlyToSubscribers()
    {
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, TestContext.Current.CancellationToken);
        var local = new[] { Sample(1) };
        var remote = new[] { Sample(2) };

        _bed.Fanout.PublishSamples(_bed.HostId, local);
        _bed.Fanout.DeliverSamples(_bed.HostId, remote);
        _bed.Fanout.Flush();

        var pushed = Assert.Single(_bed.Hub.Pushes, p => p.Method == nameof(ILiveClient.LinkSamples));
        Assert.Equal([.. local, .. remote], (IEnumerable<MemberSample>)pushed.Payload);
        var relayed = Assert.Single(_relay.Samples);
        Assert.Equal((_bed.HostId, local), (relayed.HostId, relayed.Samples));
    }

    [Fact]
    public async Task PublishState_IsRelayed_DeliverState_IsNot()
    {
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, TestContext.Current.CancellationToken);
        var reported = State(LinkPhase.Applied);

        _bed.Fanout.DeliverState(State(LinkPhase.Pending));
        _bed.Fanout.DeliverState(State(LinkPhase.Applying));
        _bed.Fanout.PublishState(reported);
        _bed.Fanout.Flush();

        Assert.Equal([reported], _relay.States);
        var pushed = Assert.Single(_bed.Hub.Pushes, p => p.Method == nameof(ILiveClient.LinkState));
        Assert.Equal(reported, pushed.Payload);
    }

    [Fact]
    public void SelectForRelay_DropsSamplesOlderThanTheLiveWindow_AndKeepsTheNewestUpToTheLimit()
    {
        var window = TimeSpan.FromMinutes(LiveLimits.RingBufferMinutes);
        MemberSample At(TimeSpan age, string member = "eth0") => Sample(0) with { Time = s_now - age, Member = member };
        MemberSample[] backlog = [At(window + TimeSpan.FromSeconds(1)), At(window), At(TimeSpan.FromSeconds(3)), At(TimeSpan.FromSeconds(2), "eth1"), At(TimeSpan.FromSeconds(2), "eth2"), At(TimeSpan.Zero)];

        Assert.Equal(backlog[1..], RedisLiveRelay.SelectForRelay(backlog, s_now, 100));
        Assert.Equal(backlog[3..], RedisLiveRelay.SelectForRelay(backlog, s_now, 3));
        Assert.Empty(RedisLiveRelay.SelectForRelay(backlog[..1], s_now, 100));
    }

    private MemberSample Sample(int i) => new() { LinkId = _bed.LinkId, Member = "eth0", Time = DateTimeOffset.UtcNow.AddSeconds(i), IntervalMs = 1000, TxBytes = 1000 + i };

    private LiveLinkState State(LinkPhase phase) => new()
    {
        LinkId = _bed.LinkId,
        HostId = _bed.HostId,
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
