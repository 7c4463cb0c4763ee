using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Live;

/// <summary>A link's rollout state as the dashboard shows it.</summary>
public sealed record LiveLinkState
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The host it lives on.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The rollout phase of <see cref="DesiredGeneration"/>.</summary>
    public required LinkPhase Phase { get; init; }

    /// <summary>The generation the Api wants.</summary>
    public required long DesiredGeneration { get; init; }

    /// <summary>The generation the agent reports in force.</summary>
    public required long ObservedGeneration { get; init; }

    /// <summary>Why the generation failed, rolled back or drifted.</summary>
    public string? Error { get; init; }

    /// <summary>The agent applied the desired generation and waits for the Api's confirmation.</summary>
    public bool AwaitingConfirm { get; init; }

    /// <summary>When this state was recorded.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>
    /// The link's health by <see cref="LinkHealthRule"/> when the Api pushed this state because it may have changed
    /// (a member's health or loss, the phase); null in states that do not carry it.
    /// </summary>
    public LinkHealth? Health { get; init; }
}

/// <summary>
/// What a live subscription of one link carries (<see cref="ILiveHub.SubscribeLinkView"/>): any of the link's own members
/// (its spec's), one aggregator site's members (<c>s{id}</c>, <c>s{id}.{path}</c>), the sum of every site's paths per
/// sampling round (member <see cref="Links.Aggregators.AggregatorSiteMembers.AllSites"/>), or none of them (the link's
/// state alone). docs/agent.md, "Live hub".
/// </summary>
public sealed record LiveLinkView
{
    /// <summary>The link's own members: its spec's, without an aggregator's sites.</summary>
    public bool Own { get; init; }

    /// <summary>One aggregator site's session and paths; null for none.</summary>
    public int? Site { get; init; }

    /// <summary>An aggregator's sites summed per sampling round, as the member <c>all sites</c>.</summary>
    public bool AllSites { get; init; }
}

/// <summary>The answer to <see cref="ILiveHub.SubscribeLink"/> and <see cref="ILiveHub.SubscribeLinkView"/>.</summary>
public sealed record LinkLiveSnapshot
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>Its rollout state now.</summary>
    public required LiveLinkState State { get; init; }

    /// <summary>The last <see cref="LiveLimits.RingBufferMinutes"/> minutes of samples, every member, in time order.</summary>
    public required IReadOnlyList<MemberSample> Samples { get; init; }
}

/// <summary>The answer to <see cref="ILiveHub.SubscribeHost"/>.</summary>
public sealed record HostLiveSnapshot
{
    /// <summary>The host.</summary>
    public required Guid HostId { get; init; }

    /// <summary>Every live link of the host.</summary>
    public required IReadOnlyList<LinkLiveSnapshot> Links { get; init; }
}
