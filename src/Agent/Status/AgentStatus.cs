using Fleet.Agent.Hub;
using Fleet.Agent.Queue;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Status;

/// <summary>
/// The daemon's local view, written to <c>status.json</c> in the data directory after every sampling interval and
/// printed by <c>fleet-agent status</c>. Carries no secrets (no specs, no credential).
/// </summary>
public sealed record AgentStatus
{
    /// <summary>The daemon's process id.</summary>
    public required int ProcessId { get; init; }

    /// <summary>The agent's version.</summary>
    public required string AgentVersion { get; init; }

    /// <summary>The host's id at the Api.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The Api's URL.</summary>
    public required string Server { get; init; }

    /// <summary>When the daemon started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When this status was written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The sampling interval in milliseconds (a status older than a few intervals is stale).</summary>
    public required int SampleIntervalMs { get; init; }

    /// <summary>The connection to the Api.</summary>
    public required ConnectionStatus Connection { get; init; }

    /// <summary>The batch queue.</summary>
    public required BatchQueueStats Queue { get; init; }

    /// <summary>Every link the agent knows.</summary>
    public required IReadOnlyList<LinkStatus> Links { get; init; }
}

/// <summary>One link in <see cref="AgentStatus"/>.</summary>
public sealed record LinkStatus
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>Device name of the spec in force (or last attempted).</summary>
    public string? Name { get; init; }

    /// <summary>Its kind.</summary>
    public LinkKind? Kind { get; init; }

    /// <summary>The rollout phase.</summary>
    public required LinkPhase Phase { get; init; }

    /// <summary>The generation in force and confirmed.</summary>
    public required long ObservedGeneration { get; init; }

    /// <summary>The generation last worked on.</summary>
    public required long TargetGeneration { get; init; }

    /// <summary>Applied and waiting for the Api's confirmation until this time.</summary>
    public DateTimeOffset? ConfirmDeadline { get; init; }

    /// <summary>Why the last generation failed, rolled back or drifted.</summary>
    public string? Error { get; init; }

    /// <summary>Members and their health at the last sample.</summary>
    public required IReadOnlyList<MemberStatus> Members { get; init; }

    /// <summary>
    /// The last interval's samples of the link's members (counters as deltas over the interval, RTT, loss, health):
    /// the only counters the agent keeps on the host. <c>fleet-agent doctor</c> reads them over a few intervals.
    /// Empty before the first sample and from agents that predate it.
    /// </summary>
    public IReadOnlyList<MemberSample> Samples { get; init; } = [];

    /// <summary>A kernel bond: what its driver reported last (speeds, LACP, link monitor), for <c>fleet-agent doctor</c>; null otherwise.</summary>
    public ObservedBond? Bond { get; init; }
}

/// <summary>One member in <see cref="LinkStatus"/>.</summary>
/// <param name="Interface">Interface name.</param>
/// <param name="Health">Health at the last sample.</param>
public sealed record MemberStatus(string Interface, MemberHealth Health);
