namespace Fleet.Contracts.Agents;

/// <summary>
/// One traffic class of a striper link over one sampling interval (issue 13). Counters are deltas over the interval,
/// like <see cref="MemberSample"/>'s. Sending figures are this end's class; receiving figures are the peer's class at
/// the same position in its list (both ends normally run the same list). Only links with classes send these: a
/// link without classes has only its default class, which its member samples already describe.
/// </summary>
public sealed record ClassSample
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The class's name (<c>default</c> for packets no class matches).</summary>
    public required string Class { get; init; }

    /// <summary>The class's action: <c>default</c>, <c>stripe</c>, <c>pin</c>, <c>duplicate</c> or <c>fec</c>.</summary>
    public required string Action { get; init; }

    /// <summary>End of the interval.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Length of the interval in milliseconds.</summary>
    public required int IntervalMs { get; init; }

    /// <summary>Packets and IP bytes of the class sent (each packet once, however many copies).</summary>
    public long TxPackets { get; init; }

    /// <inheritdoc cref="TxPackets"/>
    public long TxBytes { get; init; }

    /// <summary>Copies sent beyond the first, and their IP bytes.</summary>
    public long DuplicatesSent { get; init; }

    /// <inheritdoc cref="DuplicatesSent"/>
    public long DuplicateBytes { get; init; }

    /// <summary>FEC blocks closed, parity packets and their bytes.</summary>
    public long FecBlocks { get; init; }

    /// <inheritdoc cref="FecBlocks"/>
    public long FecParityPackets { get; init; }

    /// <inheritdoc cref="FecBlocks"/>
    public long FecParityBytes { get; init; }

    /// <summary>Packets dropped because no path could carry them.</summary>
    public long DropNoPath { get; init; }

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

    /// <summary>A pinned class: the member it was pinned to at the end of the interval.</summary>
    public string? PinnedMember { get; init; }
}

/// <summary>A batch's striper part (<see cref="SampleBatch.Striper"/>).</summary>
public sealed record StriperReport
{
    /// <summary>Class samples of striper links with traffic classes.</summary>
    public IReadOnlyList<ClassSample> Classes { get; init; } = [];

    /// <summary>Striper members' tier and idle reason, first observed or changed.</summary>
    public IReadOnlyList<MemberState> MemberStates { get; init; } = [];
}

/// <summary>The one rule for what a class's protection costs.</summary>
public static class ClassOverhead
{
    /// <summary>Copies and parity bytes as a percentage of the class's bytes sent; 0 when nothing was sent.</summary>
    public static double Percent(long txBytes, long duplicateBytes, long parityBytes) =>
        txBytes > 0 ? 100.0 * (duplicateBytes + parityBytes) / txBytes : 0;
}
