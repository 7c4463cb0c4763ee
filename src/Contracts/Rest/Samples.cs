using Fleet.Contracts.Links;

namespace Fleet.Contracts.Rest;

/// <summary>Samples of one link over a time range, one series per member.</summary>
public sealed record SamplesDto
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary><c>raw</c>, <c>1m</c> or <c>1h</c>.</summary>
    public required string Resolution { get; init; }

    /// <summary>Start of the range (inclusive).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the range (exclusive).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>One series per member that has samples in the range.</summary>
    public required IReadOnlyList<MemberSeriesDto> Series { get; init; }
}

/// <summary>Samples of one member, oldest first.</summary>
/// <param name="Member">Member interface name.</param>
/// <param name="Points">The points.</param>
public sealed record MemberSeriesDto(string Member, IReadOnlyList<SamplePointDto> Points);

/// <summary>
/// One point: a raw sample (one agent interval) or a rollup bucket. Counters are totals over the point's interval;
/// reorder depth, RTT and loss are averages with their maxima alongside.
/// </summary>
public sealed record SamplePointDto
{
    /// <summary>End of the agent interval (raw) or start of the bucket (rollups).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Milliseconds covered by the samples in this point.</summary>
    public required long IntervalMs { get; init; }

    /// <summary>Raw samples folded into this point (1 for raw).</summary>
    public required int SampleCount { get; init; }

    /// <summary>Bytes sent.</summary>
    public long TxBytes { get; init; }

    /// <summary>Bytes received.</summary>
    public long RxBytes { get; init; }

    /// <summary>Packets sent.</summary>
    public long TxPackets { get; init; }

    /// <summary>Packets received.</summary>
    public long RxPackets { get; init; }

    /// <summary>Packets dropped on send.</summary>
    public long TxDrops { get; init; }

    /// <summary>Packets dropped on receive.</summary>
    public long RxDrops { get; init; }

    /// <summary>Errors.</summary>
    public long Errors { get; init; }

    /// <summary>Reorder depth (raw: at the end of the interval; rollups: average).</summary>
    public double ReorderDepth { get; init; }

    /// <summary>Largest reorder depth seen.</summary>
    public int ReorderDepthMax { get; init; }

    /// <summary>Round-trip time in ms (rollups: average), when measured.</summary>
    public double? RttMs { get; init; }

    /// <summary>Largest round-trip time in ms, when measured.</summary>
    public double? RttMsMax { get; init; }

    /// <summary>Loss in percent (rollups: average), when measured.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Largest loss in percent, when measured.</summary>
    public double? LossPercentMax { get; init; }

    /// <summary>Health (raw: at the end of the interval; rollups: the worst seen).</summary>
    public required MemberHealth Health { get; init; }
}
