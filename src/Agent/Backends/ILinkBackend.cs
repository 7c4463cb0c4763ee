using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends;

/// <summary>
/// Drives one link technology on this host. The reconciler calls it with specs the shared validator accepted.
/// Rules every backend keeps (docs/link-kinds.md):
/// <list type="bullet">
/// <item>Declarative and idempotent: <see cref="ApplyAsync"/> brings the host from whatever state it is in to
/// <c>desired</c>; applying the same spec twice changes nothing the second time.</item>
/// <item>It touches only what it created (and the members the spec names), and <see cref="RemoveAsync"/> leaves
/// nothing of the link behind.</item>
/// <item>Expected failures are results, not exceptions: a missing capability or a command that fails returns
/// <see cref="ApplyResult.Failed"/> with iproute2's or the kernel's message. The reconciler then restores the
/// previous spec (by applying it) so the host keeps its last working state.</item>
/// <item>Every external command is started with an argument list and validated names, never a shell string.</item>
/// </list>
/// </summary>
public interface ILinkBackend
{
    /// <summary>The link kind this backend drives.</summary>
    LinkKind Kind { get; }

    /// <summary>Whether this host can run the kind at all; the reason when it cannot ("bonding driver not available in kernel 6.18").</summary>
    BackendAvailability CheckAvailability();

    /// <summary>
    /// Makes the host match <paramref name="desired"/>. <paramref name="current"/> is the spec the agent last applied
    /// for this link (null for a new link), so a backend can tell what it created before (for example, members it
    /// must release because the new spec no longer names them).
    /// </summary>
    Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken);

    /// <summary>Removes everything the backend created for <paramref name="current"/>; returns the members to their prior state.</summary>
    Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken);

    /// <summary>
    /// Stops driving <paramref name="current"/>'s device without deleting it: the device was adopted (issue 10,
    /// <see cref="LinkSpec.Adopt"/>), so it existed before Fleet and stays after. Undoes what the backend itself runs on
    /// it (members it enslaved or attached, an engine it runs); the reconciler then puts the device's and the members'
    /// state from before the adoption back (addresses, MTU, up/down, master).
    /// </summary>
    Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the link's actual state: per-member health and running counters, and whether the host still matches the
    /// spec (drift). Cheap enough to call once per sampling interval.
    /// </summary>
    Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken);
}

/// <summary>Whether a backend can run on this host.</summary>
/// <param name="Available">True when the kind can be used.</param>
/// <param name="Reason">Why not, in words for an operator.</param>
public sealed record BackendAvailability(bool Available, string? Reason = null)
{
    /// <summary>The kind is available.</summary>
    public static BackendAvailability Yes { get; } = new(true);

    /// <summary>The kind is not available, because of <paramref name="reason"/>.</summary>
    public static BackendAvailability No(string reason) => new(false, reason);
}

/// <summary>Outcome of applying or removing a link.</summary>
/// <param name="Succeeded">True when the host now matches the request.</param>
/// <param name="Error">What failed, with the underlying tool's message.</param>
public sealed record ApplyResult(bool Succeeded, string? Error = null)
{
    /// <summary>Success.</summary>
    public static ApplyResult Ok { get; } = new(true);

    /// <summary>Failure with a reason.</summary>
    public static ApplyResult Failed(string error) => new(false, error);
}

/// <summary>What a backend saw of a link.</summary>
/// <param name="Exists">The link's device (or endpoint set) exists on the host.</param>
/// <param name="Members">One observation per member the spec names, in spec order; an aggregator adds its sites' sessions and paths after them (<see cref="Aggregator.AggregatorTraffic"/>).</param>
/// <param name="Drift">How the host differs from the spec, or null when it matches.</param>
public sealed record LinkObservation(bool Exists, IReadOnlyList<MemberObservation> Members, string? Drift = null)
{
    /// <summary>The traffic classes of a striper link that has classes (the default class first); empty otherwise.</summary>
    public IReadOnlyList<ClassObservation> Classes { get; init; } = [];

    /// <summary>A kernel bond: what its driver reports for the doctor (<see cref="Bonding.BondReport"/>); null for other kinds.</summary>
    public ObservedBond? Bond { get; init; }
}

/// <summary>
/// One traffic class of a striper link as the engine counts it (issue 13). Counters are running totals, like
/// <see cref="MemberObservation.Counters"/>; the agent turns them into per-interval deltas.
/// </summary>
/// <param name="Name">The class's name (<c>default</c> for packets no class matches).</param>
/// <param name="Action">Its action's wire name (<c>default</c>, <c>stripe</c>, <c>pin</c>, <c>duplicate</c>, <c>fec</c>).</param>
/// <param name="Counters">Its running counters.</param>
/// <param name="PinnedMember">A pinned class: the member it is pinned to now.</param>
public sealed record ClassObservation(string Name, string Action, ClassCounters Counters, string? PinnedMember = null);

/// <summary>Running counters of a traffic class (<see cref="Fleet.Contracts.Agents.ClassSample"/> has their meaning).</summary>
public readonly record struct ClassCounters(
    ulong TxPackets,
    ulong TxBytes,
    ulong DuplicatesSent,
    ulong DuplicateBytes,
    ulong FecBlocks,
    ulong FecParityPackets,
    ulong FecParityBytes,
    ulong DropNoPath,
    ulong RxPackets,
    ulong RxBytes,
    ulong DuplicatesDropped,
    ulong FecRecovered,
    ulong FecLost);

/// <summary>One member as a backend saw it. Counters are running totals; the agent turns them into per-interval deltas.</summary>
public sealed record MemberObservation
{
    /// <summary>The member's interface name.</summary>
    public required string Interface { get; init; }

    /// <summary>Health from the backend's own evidence (MII status, probes, subflows, path state).</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>Running byte and packet counters.</summary>
    public MemberCounters Counters { get; init; }

    /// <summary>Packets waiting in the resequencing buffer (striper).</summary>
    public int ReorderDepth { get; init; }

    /// <summary>Largest resequencing depth since the previous observation (striper).</summary>
    public int ReorderDepthMax { get; init; }

    /// <summary>A striper member: its tier in force; null for other kinds.</summary>
    public LinkTier? Tier { get; init; }

    /// <summary>A striper member: why it carries no data now, or null when it may (and for other kinds).</summary>
    public string? IdleReason { get; init; }

    /// <summary>Smoothed RTT in ms, when measured.</summary>
    public double? RttMs { get; init; }

    /// <summary>Loss in percent over the recent past, when measured.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Recent full-size and small DF probes lost, percent, when the backend probes (striper's MTU probes).</summary>
    public double? LargeProbeLossPercent { get; init; }

    /// <inheritdoc cref="LargeProbeLossPercent"/>
    public double? SmallProbeLossPercent { get; init; }

    /// <summary>The busiest data-path thread's CPU time over the recent past, percent of one core, when measured (striper).</summary>
    public double? CpuPercent { get; init; }

    /// <summary>Jitter of the member's probe RTTs in milliseconds (<see cref="Fleet.Contracts.Agents.JitterEstimator"/>), when the backend probes.</summary>
    public double? JitterMs { get; init; }

    /// <summary>Backend-specific detail for operators ("MII down, 3 link failures", "subflow closed").</summary>
    public string? Detail { get; init; }
}

/// <summary>Running counters of one member (monotonic while the member exists).</summary>
public readonly record struct MemberCounters(
    ulong TxBytes,
    ulong RxBytes,
    ulong TxPackets,
    ulong RxPackets,
    ulong TxDrops,
    ulong RxDrops,
    ulong Errors);
