using System.Text.Json;
using Fleet.Api.Replication;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;

namespace Fleet.Api.Tests.Replication;

/// <summary>What one replica publishes on Redis, the others read back whole: samples, or a state.</summary>
public sealed class LiveRelayMessageTests
{
    [Fact]
    public void Samples_RoundTrip_WithoutAState()
    {
        var sample = new MemberSample { LinkId = Guid.NewGuid(), Member = "eth1", Time = DateTimeOffset.UtcNow, IntervalMs = 1_000, TxBytes = 7, RttMs = 1.5, Health = MemberHealth.Up };
        var sent = new RedisLiveRelay.LiveRelayMessage { Origin = Guid.NewGuid(), HostId = Guid.NewGuid(), Samples = [sample] };

        var read = RoundTrip(sent);

        Assert.Equal((sent.Origin, sent.HostId, null), (read.Origin, read.HostId, read.State));
        Assert.Equal([sample], read.Samples!);
    }

    [Fact]
    public void State_RoundTrips_WithoutSamples()
    {
        var state = new LiveLinkState { LinkId = Guid.NewGuid(), HostId = Guid.NewGuid(), Phase = LinkPhase.Failed, DesiredGeneration = 3, ObservedGeneration = 2, Error = "no carrier", Health = LinkHealth.Degraded, Time = DateTimeOffset.UtcNow };
        var sent = new RedisLiveRelay.LiveRelayMessage { Origin = Guid.NewGuid(), HostId = state.HostId, State = state };

        var read = RoundTrip(sent);

        Assert.Null(read.Samples);
        Assert.Equal(state, read.State);
    }

    private static RedisLiveRelay.LiveRelayMessage RoundTrip(RedisLiveRelay.LiveRelayMessage message) =>
        JsonSerializer.Deserialize<RedisLiveRelay.LiveRelayMessage>(JsonSerializer.SerializeToUtf8Bytes(message, FleetJson.Options), FleetJson.Options)!;
}
