namespace Fleet.Contracts.Live;

/// <summary>
/// Methods a dashboard (an authenticated user: viewer, operator or admin) invokes on the Api's
/// <see cref="Agents.HubRoutes.Live"/> hub. A subscription answers with a snapshot — the link's current rollout state
/// and the last <see cref="LiveLimits.RingBufferMinutes"/> minutes of samples from the hub's ring buffer — and from then
/// on the hub pushes new samples and state changes through <see cref="ILiveClient"/>, coalesced to at most
/// <see cref="LiveLimits.MaxUpdatesPerSecond"/> updates per second per subscription. Subscribing again is harmless
/// (it returns a fresh snapshot, which fills any gap after a reconnect). See docs/agent.md, "Live hub".
/// </summary>
public interface ILiveHub
{
    /// <summary>Follows one link. Fails with a hub error when the link does not exist.</summary>
    Task<LinkLiveSnapshot> SubscribeLink(Guid linkId);

    /// <summary>
    /// Follows one link, but only what <paramref name="view"/> names: the hub sends the members (and the sum) a page
    /// draws instead of every member, which for an aggregator with hundreds of sites is most of the traffic. Subscribing
    /// again with another view replaces the view. Fails with a hub error when the link does not exist.
    /// </summary>
    Task<LinkLiveSnapshot> SubscribeLinkView(Guid linkId, LiveLinkView view);

    /// <summary>Stops following a link.</summary>
    Task UnsubscribeLink(Guid linkId);

    /// <summary>Follows every link of a host (links created later included). Fails when the host does not exist.</summary>
    Task<HostLiveSnapshot> SubscribeHost(Guid hostId);

    /// <summary>Stops following a host.</summary>
    Task UnsubscribeHost(Guid hostId);

    /// <summary>
    /// Follows the fleet overview: <see cref="ILiveClient.FleetChanged"/> arrives when the overview's data was read anew
    /// after a link's state or health changed (at most once a second) and every few seconds besides (throughput).
    /// </summary>
    Task SubscribeFleet();

    /// <summary>Stops following the fleet overview.</summary>
    Task UnsubscribeFleet();
}

/// <summary>What the live hub pushes to a subscribed dashboard.</summary>
public interface ILiveClient
{
    /// <summary>New samples of one link (every member, in time order), stored in the database before they are pushed.</summary>
    Task LinkSamples(Guid linkId, IReadOnlyList<Agents.MemberSample> samples);

    /// <summary>The link's rollout state changed (phase, generations, error); only the latest state is sent.</summary>
    Task LinkState(Guid linkId, LiveLinkState state);

    /// <summary>The fleet overview's data was read anew: a dashboard showing it fetches it again.</summary>
    Task FleetChanged();
}

/// <summary>The live hub's limits.</summary>
public static class LiveLimits
{
    /// <summary>Most pushes per second to one subscription; what arrives in between is sent together.</summary>
    public const int MaxUpdatesPerSecond = 4;

    /// <summary>How far back the ring buffer returned on subscribe reaches.</summary>
    public const int RingBufferMinutes = 15;
}
