using Fleet.Contracts.Links;

namespace Fleet.Striper.Engine;

/// <summary>Running counters and state of one path (member), as the agent samples them.</summary>
public sealed record PathSnapshot
{
    /// <summary>Position of the member in the spec (also the path id on the wire).</summary>
    public required int Index { get; init; }

    /// <summary>The member's interface.</summary>
    public required string Interface { get; init; }

    /// <summary>The member's admin state in force.</summary>
    public required MemberAdminState AdminState { get; init; }

    /// <summary>Health from probes and the local link.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>Why the health is what it is.</summary>
    public required string HealthReason { get; init; }

    /// <summary>Whether the path may carry data now.</summary>
    public required bool Usable { get; init; }

    /// <summary>The member's tier in force.</summary>
    public LinkTier Tier { get; init; }

    /// <summary>Why the member carries no data now (tier, admin state, health), or null when it may carry data.</summary>
    public string? IdleReason { get; init; }

    /// <summary>Bound UDP port.</summary>
    public required int LocalPort { get; init; }

    /// <summary>Where the path sends (configured or learned), or null.</summary>
    public string? Peer { get; init; }

    /// <summary>UDP GSO in use on the path's socket.</summary>
    public bool Gso { get; init; }

    /// <summary>UDP GRO in use on the path's socket.</summary>
    public bool Gro { get; init; }

    /// <summary>Datagrams sent (data and control).</summary>
    public long TxPackets { get; init; }

    /// <summary>Bytes sent, UDP payload.</summary>
    public long TxBytes { get; init; }

    /// <summary>Data datagrams sent.</summary>
    public long TxDataPackets { get; init; }

    /// <summary>IP bytes of data sent (inner packets).</summary>
    public long TxDataBytes { get; init; }

    /// <summary>Datagrams received (any, valid or not).</summary>
    public long RxPackets { get; init; }

    /// <summary>Bytes received, UDP payload.</summary>
    public long RxBytes { get; init; }

    /// <summary>Authentic data datagrams received.</summary>
    public long RxDataPackets { get; init; }

    /// <summary>IP bytes of data received.</summary>
    public long RxDataBytes { get; init; }

    /// <summary>Send drops by reason: socket buffer full, link down, too big, no peer, other.</summary>
    public long TxDropBufferFull { get; init; }

    /// <inheritdoc cref="TxDropBufferFull"/>
    public long TxDropLinkDown { get; init; }

    /// <inheritdoc cref="TxDropBufferFull"/>
    public long TxDropTooBig { get; init; }

    /// <inheritdoc cref="TxDropBufferFull"/>
    public long TxDropNoPeer { get; init; }

    /// <inheritdoc cref="TxDropBufferFull"/>
    public long TxDropFailed { get; init; }

    /// <summary>Receive drops by reason: malformed, failed authentication, replayed, unknown session, duplicate, no buffer.</summary>
    public long RxMalformed { get; init; }

    /// <inheritdoc cref="RxMalformed"/>
    public long RxAuthFailures { get; init; }

    /// <inheritdoc cref="RxMalformed"/>
    public long RxReplays { get; init; }

    /// <inheritdoc cref="RxMalformed"/>
    public long RxUnknownSession { get; init; }

    /// <inheritdoc cref="RxMalformed"/>
    public long RxDuplicates { get; init; }

    /// <inheritdoc cref="RxMalformed"/>
    public long RxNoBuffer { get; init; }

    /// <summary>Of <see cref="RxMalformed"/>, hellos of another protocol version.</summary>
    public long RxVersionMismatch { get; init; }

    /// <summary>Data packets from the peer lost on this path (gaps in its path sequence).</summary>
    public long RxLost { get; init; }

    /// <summary>Times the listening end followed the peer to a new address.</summary>
    public long AddressChanges { get; init; }

    /// <summary>Smoothed RTT in ms (null until measured).</summary>
    public double? SrttMs { get; init; }

    /// <summary>RTT variation in ms.</summary>
    public double? RttVarMs { get; init; }

    /// <summary>Minimum recent RTT in ms.</summary>
    public double? MinRttMs { get; init; }

    /// <summary>Jitter of the probe RTTs in milliseconds, the smoothed mean deviation of successive RTTs (RFC 3550, 6.4.1); null before two answers.</summary>
    public double? JitterMs { get; init; }

    /// <summary>Loss the peer reports for what we send on this path, percent.</summary>
    public double LossPercent { get; init; }

    /// <summary>Estimated capacity in bit/s (null until measured).</summary>
    public double? EstimatedRateBitsPerSecond { get; init; }

    /// <summary>Probes sent, answered, missed.</summary>
    public long ProbesSent { get; init; }

    /// <inheritdoc cref="ProbesSent"/>
    public long ProbesAnswered { get; init; }

    /// <inheritdoc cref="ProbesSent"/>
    public long ProbesMissed { get; init; }

    /// <summary>Times the path's health left Up (a missed probe, a reported silence, loss or the link): while another path is Up it carries no striped data until Up again (docs/striper-protocol.md, "Health").</summary>
    public long TimesLeftUp { get; init; }

    /// <summary>
    /// MTU probes (docs/striper-protocol.md, "MTU probes"): the UDP payload of the full-size one, the link's largest
    /// datagram (the TUN MTU plus the data framing).
    /// </summary>
    public int MtuProbeBytes { get; init; }

    /// <summary>Small MTU probes sent and lost (unanswered by the next round).</summary>
    public long SmallProbesSent { get; init; }

    /// <inheritdoc cref="SmallProbesSent"/>
    public long SmallProbesLost { get; init; }

    /// <summary>Full-size MTU probes sent and lost; refused by this host's kernel as too big (EMSGSIZE) counts as both.</summary>
    public long LargeProbesSent { get; init; }

    /// <inheritdoc cref="LargeProbesSent"/>
    public long LargeProbesLost { get; init; }

    /// <summary>Of <see cref="LargeProbesLost"/>, those this host's kernel refused as larger than the path MTU it knows.</summary>
    public long LargeProbesTooBig { get; init; }

    /// <summary>Small and full-size probes lost of the last 8 rounds, percent; null before 3 rounds settled. Large far above small: large packets are black-holed.</summary>
    public double? SmallProbeLossPercent { get; init; }

    /// <inheritdoc cref="SmallProbeLossPercent"/>
    public double? LargeProbeLossPercent { get; init; }
}

/// <summary>Running counters and state of a striper link.</summary>
public sealed record StriperSnapshot
{
    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The TUN device.</summary>
    public required string Device { get; init; }

    /// <summary>Its MTU.</summary>
    public required int Mtu { get; init; }

    /// <summary>TUN offloads the kernel accepted.</summary>
    public required string Offloads { get; init; }

    /// <summary>A session with the peer is established.</summary>
    public required bool SessionEstablished { get; init; }

    /// <summary>Sessions established since start (a peer restart makes a new one).</summary>
    public long Sessions { get; init; }

    /// <summary>The scheduler in force.</summary>
    public required StripeSchedulerKind Scheduler { get; init; }

    /// <summary>Sending key epoch and how many rekeys happened.</summary>
    public int TxEpoch { get; init; }

    /// <inheritdoc cref="TxEpoch"/>
    public long Rekeys { get; init; }

    /// <summary>Times this host stalled the control thread past a probe's shortest timeout; probes were not judged missed for it.</summary>
    public long ControlStalls { get; init; }

    /// <summary>Receiving key epoch (follows the peer's rekeys).</summary>
    public int RxEpoch { get; init; }

    /// <summary>Packets held in the resequencing buffer now, and the most since the previous snapshot.</summary>
    public long ReorderDepth { get; init; }

    /// <inheritdoc cref="ReorderDepth"/>
    public long ReorderDepthMax { get; init; }

    /// <summary>Current hold time in ms.</summary>
    public double HoldMs { get; init; }

    /// <summary>Packets released after their gap was given up.</summary>
    public long Late { get; init; }

    /// <summary>Redundant copies and duplicates dropped.</summary>
    public long Duplicates { get; init; }

    /// <summary>Packets given up as lost by the resequencer.</summary>
    public long Lost { get; init; }

    /// <summary>Gaps given up because the loss was certain, and because the hold time ran out.</summary>
    public long EarlyReleases { get; init; }

    /// <inheritdoc cref="EarlyReleases"/>
    public long TimeoutReleases { get; init; }

    /// <summary>Datagrams that failed authentication (forged, corrupted, wrong key, out-of-range epoch); the sum of the paths' counts.</summary>
    public long AuthFailures { get; init; }

    /// <summary>Of <see cref="AuthFailures"/>, those refused unopened because their key epoch was out of range.</summary>
    public long BadEpoch { get; init; }

    /// <summary>Hellos refused because they were this end's own, sent back to it (authentic, but not from the peer).</summary>
    public long ReflectedHellos { get; init; }

    /// <summary>The peer's speed-test load datagrams that authenticated and were counted (docs/striper-protocol.md, "Speed test").</summary>
    public long SpeedTestLoadReceived { get; init; }

    /// <summary>Answers sent to the peer's speed-test load.</summary>
    public long SpeedTestAcksSent { get; init; }

    /// <summary>Datagrams refused by the replay window.</summary>
    public long Replays { get; init; }

    /// <summary>Datagrams that could not be parsed, or were truncated.</summary>
    public long Malformed { get; init; }

    /// <summary>Of <see cref="Malformed"/>, hellos of another protocol version: the peer runs another Fleet release.</summary>
    public long VersionMismatch { get; init; }

    /// <summary>Datagrams for a session that is not ours.</summary>
    public long UnknownSession { get; init; }

    /// <summary>Packets read from / written to the TUN device.</summary>
    public long TunReadPackets { get; init; }

    /// <inheritdoc cref="TunReadPackets"/>
    public long TunReadBytes { get; init; }

    /// <inheritdoc cref="TunReadPackets"/>
    public long TunWritePackets { get; init; }

    /// <inheritdoc cref="TunReadPackets"/>
    public long TunWriteBytes { get; init; }

    /// <summary>TUN writes (a coalesced write carries many packets).</summary>
    public long TunWrites { get; init; }

    /// <summary>TUN writes the kernel refused, and the errno of the last one.</summary>
    public long TunWriteErrors { get; init; }

    /// <inheritdoc cref="TunWriteErrors"/>
    public int TunLastWriteErrno { get; init; }

    /// <summary>Packets dropped on send: no session yet, no usable path, larger than the MTU, unusable offload.</summary>
    public long DropNoSession { get; init; }

    /// <inheritdoc cref="DropNoSession"/>
    public long DropNoPath { get; init; }

    /// <inheritdoc cref="DropNoSession"/>
    public long DropTooBig { get; init; }

    /// <inheritdoc cref="DropNoSession"/>
    public long DropBadOffload { get; init; }

    /// <summary>
    /// The sending and the receiving thread's CPU time over the latest second, percent of one core; null until measured
    /// and in an aggregator's engines (whose workers serve many sites). Near 100 the link is CPU-bound.
    /// </summary>
    public double? TransmitCpuPercent { get; init; }

    /// <inheritdoc cref="TransmitCpuPercent"/>
    public double? ReceiveCpuPercent { get; init; }

    /// <summary>Managed bytes the sending and receiving threads have allocated since they started (flat while traffic flows: the data path allocates nothing per packet).</summary>
    public long DataPathAllocatedBytes { get; init; }

    /// <summary>Packets and bytes sent to overflow members because the primaries were saturated.</summary>
    public long OverflowPackets { get; init; }

    /// <inheritdoc cref="OverflowPackets"/>
    public long OverflowBytes { get; init; }

    /// <summary>Packets FEC recovered that were not a valid IP packet or were already delivered (a broken or lying peer).</summary>
    public long FecRecoveredMalformed { get; init; }

    /// <summary>Per path.</summary>
    public required IReadOnlyList<PathSnapshot> Paths { get; init; }

    /// <summary>Per traffic class: the default class first, then the classes in force in order.</summary>
    public IReadOnlyList<ClassSnapshot> Classes { get; init; } = [];
}

/// <summary>
/// Counters of one traffic class. Sending figures are this end's class; receiving figures are the peer's class with
/// the same position in its list (both ends normally run the same class list).
/// </summary>
public sealed record ClassSnapshot
{
    /// <summary>The class's name (<c>default</c> for packets no class matches).</summary>
    public required string Name { get; init; }

    /// <summary><c>default</c>, <c>stripe</c>, <c>pin</c>, <c>duplicate</c> or <c>fec</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Packets and IP bytes of the class sent (each packet once, however many copies).</summary>
    public long TxPackets { get; init; }

    /// <inheritdoc cref="TxPackets"/>
    public long TxBytes { get; init; }

    /// <summary>Copies sent beyond the first, and their IP bytes.</summary>
    public long DuplicatesSent { get; init; }

    /// <inheritdoc cref="DuplicatesSent"/>
    public long DuplicateBytes { get; init; }

    /// <summary>FEC blocks closed, parity packets and bytes sent.</summary>
    public long FecBlocks { get; init; }

    /// <inheritdoc cref="FecBlocks"/>
    public long FecParityPackets { get; init; }

    /// <inheritdoc cref="FecBlocks"/>
    public long FecParityBytes { get; init; }

    /// <summary>Packets of an FEC class too long to protect.</summary>
    public long FecUnprotected { get; init; }

    /// <summary>Size of the latest FEC block planned: data packets, and parity packets (0 while the paths are clean).</summary>
    public int FecBlockData { get; init; }

    /// <inheritdoc cref="FecBlockData"/>
    public int FecBlockParity { get; init; }

    /// <summary>What protection costs: copies and parity bytes as a percentage of the class's bytes.</summary>
    public double OverheadPercent { get; init; }

    /// <summary>Packets dropped because no path could carry them.</summary>
    public long DropNoPath { get; init; }

    /// <summary>A pinned class: the member it is pinned to now.</summary>
    public string? PinnedMember { get; init; }

    /// <summary>Packets and IP bytes received of the peer's class, recovered ones included.</summary>
    public long RxPackets { get; init; }

    /// <inheritdoc cref="RxPackets"/>
    public long RxBytes { get; init; }

    /// <summary>Copies dropped because the packet had already been delivered.</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Packets recovered from parity.</summary>
    public long FecRecovered { get; init; }

    /// <summary>Packets of FEC blocks neither received nor recovered (lost after FEC).</summary>
    public long FecLost { get; init; }
}
