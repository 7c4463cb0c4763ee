using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;

namespace Fleet.Api.Live;

/// <summary>
/// Hands what this replica stored and recorded to the other Api replicas (Redis publish/subscribe,
/// <c>Fleet.Api.Replication.RedisLiveRelay</c>; absent on a single replica). Called by <see cref="LiveFanout"/> for local publications only; what arrives from
/// another replica goes to <see cref="LiveFanout.DeliverSamples"/> / <see cref="LiveFanout.DeliverState"/> and is not
/// relayed again. Must not block: implementations queue.
/// </summary>
public interface ILiveRelay
{
    /// <summary>Samples of <paramref name="hostId"/> this replica stored.</summary>
    void SamplesStored(Guid hostId, IReadOnlyList<MemberSample> samples);

    /// <summary>A link state change this replica recorded.</summary>
    void StateChanged(LiveLinkState state);
}
