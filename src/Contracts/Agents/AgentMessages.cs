using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Agents;

/// <summary>What an agent says about its host when it connects.</summary>
public sealed record AgentHello
{
    /// <summary>The host's name as the kernel knows it (<c>uname -n</c>).</summary>
    public required string Hostname { get; init; }

    /// <summary>The agent's version (informational version of <c>fleet-agent</c>).</summary>
    public required string AgentVersion { get; init; }

    /// <summary>The running kernel's release (<c>uname -r</c>).</summary>
    public required string KernelVersion { get; init; }

    /// <summary>Which link kinds this host's kernel can do.</summary>
    public required AgentCapabilities Capabilities { get; init; }

    /// <summary>The host's network interfaces.</summary>
    public required IReadOnlyList<InterfaceInventory> Interfaces { get; init; }
}

/// <summary>
/// Link kinds a host can run, as the agent found them (each backend's availability check). A set of kinds rather than
/// one field per kind, so a new kind changes no contract: agents report the wire names of the kinds
/// (<see cref="LinkKindDescriptor.WireName"/>) they can run, and the Api ignores names it does not know.
/// </summary>
/// <param name="Kinds">Wire names of the kinds the host can run (<c>bond</c>, <c>striper</c>).</param>
/// <param name="Notes">Why a kind is missing, by the capability it needs (<see cref="LinkKindDescriptor.Capability"/>:
/// <c>bonding</c>, <c>tun</c>), for operators.</param>
public sealed record AgentCapabilities(IReadOnlyList<string> Kinds, IReadOnlyDictionary<string, string>? Notes = null)
{
    /// <summary>Capabilities listing <paramref name="kinds"/>, without notes.</summary>
    public static AgentCapabilities Of(params LinkKind[] kinds) => new([.. kinds.Select(k => LinkKinds.Of(k).WireName)]);

    /// <summary>Whether the host can run links of <paramref name="kind"/> (false for a kind not registered here).</summary>
    public bool Supports(LinkKind kind) =>
        LinkKinds.TryGet(kind, out var descriptor) && Kinds is { } kinds && kinds.Contains(descriptor.WireName, StringComparer.Ordinal);

    /// <summary>Why the host cannot run <paramref name="kind"/>, as its agent noted it; null when it gave no reason.</summary>
    public string? NoteFor(LinkKind kind) =>
        LinkKinds.TryGet(kind, out var descriptor) && Notes is { } notes && notes.TryGetValue(descriptor.Capability, out var note) ? note : null;

}

/// <summary>
/// One network interface on a host. A record with init properties (not positional) because absent optional values
/// are omitted from the JSON and <see cref="Json.FleetJson"/> requires every constructor parameter.
/// </summary>
public sealed record InterfaceInventory
{
    /// <summary>An empty inventory entry, for object initializers and JSON.</summary>
    public InterfaceInventory()
    {
    }

    /// <summary>An entry with every field.</summary>
    /// <param name="name">Interface name.</param>
    /// <param name="kind">Link type, if known.</param>
    /// <param name="macAddress">Hardware address, if any.</param>
    /// <param name="mtu">MTU in bytes.</param>
    /// <param name="up">Operationally up.</param>
    /// <param name="addresses">Addresses in CIDR form.</param>
    [SetsRequiredMembers]
    public InterfaceInventory(string name, string? kind, string? macAddress, int mtu, bool up, IReadOnlyList<string> addresses)
    {
        Name = name;
        Kind = kind;
        MacAddress = macAddress;
        Mtu = mtu;
        Up = up;
        Addresses = addresses;
    }

    /// <summary>Interface name.</summary>
    public required string Name { get; init; }

    /// <summary>Link type as iproute2 reports it (<c>ether</c>, <c>veth</c>, <c>bond</c>, <c>tun</c>…), if known.</summary>
    public string? Kind { get; init; }

    /// <summary>Hardware address, if any.</summary>
    public string? MacAddress { get; init; }

    /// <summary>MTU in bytes.</summary>
    public required int Mtu { get; init; }

    /// <summary>Operationally up.</summary>
    public required bool Up { get; init; }

    /// <summary>Addresses in CIDR form.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];
}

/// <summary>The Api's answer to <see cref="IAgentHub.Hello"/>.</summary>
/// <param name="HostId">The host this agent's credential belongs to.</param>
/// <param name="Links">Every link currently desired on this host.</param>
public sealed record HelloResult(Guid HostId, IReadOnlyList<DesiredLink> Links);

/// <summary>A link's desired spec at a generation.</summary>
/// <param name="LinkId">The link.</param>
/// <param name="Generation">Increases by one with every spec change; the agent reports it back when applied.</param>
/// <param name="Spec">The desired spec.</param>
public sealed record DesiredLink(Guid LinkId, long Generation, LinkSpec Spec);

/// <summary>A link to remove from the host.</summary>
/// <param name="LinkId">The link.</param>
public sealed record LinkRemoval(Guid LinkId);

/// <summary>The Api's confirmation of a generation the agent applied.</summary>
/// <param name="LinkId">The link.</param>
/// <param name="Generation">The generation confirmed.</param>
public sealed record LinkConfirmation(Guid LinkId, long Generation);

/// <summary>What the agent observes about one link.</summary>
public sealed record ObservedLinkState
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The generation actually in force on the host (0 when none has been applied).</summary>
    public required long ObservedGeneration { get; init; }

    /// <summary>The generation the agent is working on or last worked on.</summary>
    public required long TargetGeneration { get; init; }

    /// <summary>The rollout phase.</summary>
    public required LinkPhase Phase { get; init; }

    /// <summary>Why the generation failed, rolled back or drifted.</summary>
    public string? Error { get; init; }

    /// <summary>The agent applied <see cref="TargetGeneration"/> and waits for <see cref="IAgentClient.ConfirmLink"/>.</summary>
    public bool AwaitingConfirm { get; init; }

    /// <summary>
    /// The agent removed the link (the Api deleted it) and, with <see cref="AwaitingConfirm"/>, waits for
    /// <see cref="IAgentClient.ConfirmLink"/> of <see cref="TargetGeneration"/> over the network state without it; no
    /// confirmation in time and the agent puts the link back (issue 10: a removal runs inside commit-confirm too).
    /// False is not written, so agents and Api from before the field read each other's reports as they did.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Removing { get; init; }

    /// <summary>When the agent observed this state.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>
    /// A kernel bond: what its driver reports for the doctor (speeds, LACP aggregation, link monitor), sent again when
    /// it changes. Null for other kinds and not written, so an Api from before the field reads the report as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ObservedBond? Bond { get; init; }
}

/// <summary>
/// One batch from an agent's queue. <see cref="Sequence"/> increases by one per batch for the life of the queue, and
/// a queue that starts over (its files lost, a simulator restarted) has a new <see cref="QueueId"/>, so the Api
/// deduplicates a resend by (host, queue, sequence) and never takes a new batch for an old one.
/// </summary>
public sealed record SampleBatch
{
    /// <summary>The agent's batch sequence number within its queue, starting at 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>
    /// The queue the batch comes from: random, made when the queue's numbering starts at 1. Empty from agents that
    /// predate it (and from their queues created before the upgrade), which keeps their batches' identity.
    /// </summary>
    public Guid QueueId { get; init; }

    /// <summary>Samples, one per member per interval.</summary>
    public required IReadOnlyList<MemberSample> Samples { get; init; }

    /// <summary>
    /// What striper links report beyond member samples (issue 13): class samples and members' tier and idle reason.
    /// Null when the batch has none: JSON leaves it out, and MessagePack, which writes every key, spends one short key
    /// on it. An Api from before the field ignores it.
    /// </summary>
    public StriperReport? Striper { get; init; }

    /// <summary>Events since the previous batch.</summary>
    public IReadOnlyList<AgentEvent> Events { get; init; } = [];

    /// <summary>
    /// How many batches the agent's queue held from its oldest unacknowledged one to its newest when it sent this one,
    /// for the Api's live metrics. Absent from agents that predate it; never part of the batch's identity.
    /// </summary>
    public long? PendingBatches { get; init; }
}

/// <summary>
/// One member over one sampling interval. Counters are deltas over the interval (not running totals), so rollups are
/// sums and a counter reset on the host cannot produce a negative rate.
/// </summary>
public sealed record MemberSample
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The member's interface name.</summary>
    public required string Member { get; init; }

    /// <summary>End of the interval.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Length of the interval in milliseconds.</summary>
    public required int IntervalMs { get; init; }

    /// <summary>Bytes sent in the interval.</summary>
    public long TxBytes { get; init; }

    /// <summary>Bytes received in the interval.</summary>
    public long RxBytes { get; init; }

    /// <summary>Packets sent in the interval.</summary>
    public long TxPackets { get; init; }

    /// <summary>Packets received in the interval.</summary>
    public long RxPackets { get; init; }

    /// <summary>Packets dropped on send in the interval.</summary>
    public long TxDrops { get; init; }

    /// <summary>Packets dropped on receive in the interval.</summary>
    public long RxDrops { get; init; }

    /// <summary>Errors in the interval.</summary>
    public long Errors { get; init; }

    /// <summary>Packets waiting in the resequencing buffer at the end of the interval (striper; 0 elsewhere).</summary>
    public int ReorderDepth { get; init; }

    /// <summary>Largest resequencing depth seen during the interval.</summary>
    public int ReorderDepthMax { get; init; }

    /// <summary>Smoothed round-trip time in milliseconds, when the backend measures it.</summary>
    public double? RttMs { get; init; }

    /// <summary>Loss in percent over the interval, when the backend measures it.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Health at the end of the interval.</summary>
    public MemberHealth Health { get; init; }

    /// <summary>
    /// Of the path's recent full-size probes (padded to the link's largest datagram, sent with DF), the percentage lost,
    /// when the backend probes (striper; docs/striper-protocol.md, "MTU probes"). Far above
    /// <see cref="SmallProbeLossPercent"/>: large packets are black-holed on the path.
    /// </summary>
    public double? LargeProbeLossPercent { get; init; }

    /// <summary>Of the small probes sent beside <see cref="LargeProbeLossPercent"/>'s, the percentage lost (the contrast).</summary>
    public double? SmallProbeLossPercent { get; init; }

    /// <summary>
    /// The busiest data-path thread's CPU time over the interval, in percent of one core, when the backend measures it
    /// (striper: its sending or its receiving thread; the same value on every member of the link).
    /// </summary>
    public double? CpuPercent { get; init; }

    /// <summary>
    /// Jitter in milliseconds: the smoothed mean deviation of successive probe round-trip times (RFC 3550, 6.4.1; see
    /// <see cref="JitterEstimator"/>), when the backend probes the member (striper paths, teql members).
    /// </summary>
    public double? JitterMs { get; init; }
}

/// <summary>Something that happened on a host.</summary>
public sealed record AgentEvent
{
    /// <summary>When it happened.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>What happened.</summary>
    public required AgentEventKind Kind { get; init; }

    /// <summary>How much it matters.</summary>
    public EventSeverity Severity { get; init; } = EventSeverity.Info;

    /// <summary>The link concerned, if any.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>The member concerned, if any.</summary>
    public string? Member { get; init; }

    /// <summary>Details for operators.</summary>
    public required string Message { get; init; }
}

/// <summary>Kinds of agent events.</summary>
public enum AgentEventKind
{
    /// <summary>A member went down.</summary>
    MemberDown,

    /// <summary>A member came back up.</summary>
    MemberUp,

    /// <summary>A member is degraded (loss, missed probes).</summary>
    MemberDegraded,

    /// <summary>Traffic moved from one member to another.</summary>
    Failover,

    /// <summary>A generation was applied and confirmed.</summary>
    Applied,

    /// <summary>A generation could not be applied.</summary>
    ApplyFailed,

    /// <summary>A generation was rolled back for lack of confirmation.</summary>
    RolledBack,

    /// <summary>The on-disk queue was full and its oldest batches were dropped.</summary>
    QueueOverflow,

    /// <summary>The host's state no longer matches the applied spec.</summary>
    Drift,

    /// <summary>The agent started.</summary>
    AgentStarted,

    /// <summary>
    /// Recorded by the Api: the host's batches come from a new queue (its queue was lost or the agent started without
    /// one), numbered from 1 again. Batches of the old queue that were never acknowledged are lost with it.
    /// </summary>
    QueueReset,

    /// <summary>Recorded by the Api: the link was deleted (by whom is in the message); its agent tears it down.</summary>
    LinkDeleted,
}

/// <summary>Severity of an event.</summary>
public enum EventSeverity
{
    /// <summary>For the record.</summary>
    Info,

    /// <summary>Needs a look.</summary>
    Warning,

    /// <summary>Needs action.</summary>
    Error,
}

/// <summary>The Api's acknowledgement of a <see cref="SampleBatch"/>.</summary>
/// <param name="Sequence">The batch acknowledged.</param>
/// <param name="Duplicate">The batch had been stored before; nothing was written twice.</param>
/// <param name="Rejected">Why the batch was refused (invalid content); the agent drops it and logs the reason.</param>
/// <param name="Note">The batch was stored but not all of it, and why (samples of members the link does not have).</param>
public sealed record BatchAck(long Sequence, bool Duplicate = false, string? Rejected = null, string? Note = null);
