using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;

namespace Fleet.Api.Live;

/// <summary>
/// Hands what this replica's ingestion stored to the other Api replicas (PostgreSQL NOTIFY, see
/// <c>Fleet.Api.Replication</c>). Called by <see cref="LiveFanout"/> for local publications only; what arrives from
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
