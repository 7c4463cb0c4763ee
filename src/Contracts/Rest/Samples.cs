using Fleet.Contracts.Agents;
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

    /// <summary>Recent full-size DF probes lost, percent (rollups: average), when probed.</summary>
    public double? LargeProbeLossPercent { get; init; }

    /// <summary>Largest <see cref="LargeProbeLossPercent"/>, when probed.</summary>
    public double? LargeProbeLossPercentMax { get; init; }

    /// <summary>Recent small probes lost, percent (rollups: average), when probed.</summary>
    public double? SmallProbeLossPercent { get; init; }

    /// <summary>Largest <see cref="SmallProbeLossPercent"/>, when probed.</summary>
    public double? SmallProbeLossPercentMax { get; init; }

    /// <summary>The busiest data-path thread's CPU time in percent of one core (rollups: average), when measured.</summary>
    public double? CpuPercent { get; init; }

    /// <summary>Largest <see cref="CpuPercent"/>, when measured.</summary>
    public double? CpuPercentMax { get; init; }

    /// <summary>Jitter in ms (rollups: average), when the member is probed.</summary>
    public double? JitterMs { get; init; }

    /// <summary>Largest <see cref="JitterMs"/>, when probed.</summary>
    public double? JitterMsMax { get; init; }

    /// <summary>
    /// The raw point of one sample: the one mapping from <see cref="MemberSample"/> (a rollup's point comes from its
    /// sums and counts instead). Maxima equal the values, as one sample is its own worst.
    /// </summary>
    public static SamplePointDto FromSample(MemberSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new()
        {
            Time = sample.Time,
            IntervalMs = sample.IntervalMs,
            SampleCount = 1,
            TxBytes = sample.TxBytes,
            RxBytes = sample.RxBytes,
            TxPackets = sample.TxPackets,
            RxPackets = sample.RxPackets,
            TxDrops = sample.TxDrops,
            RxDrops = sample.RxDrops,
            Errors = sample.Errors,
            ReorderDepth = sample.ReorderDepth,
            ReorderDepthMax = sample.ReorderDepthMax,
            RttMs = sample.RttMs,
            RttMsMax = sample.RttMs,
            LossPercent = sample.LossPercent,
            LossPercentMax = sample.LossPercent,
            Health = sample.Health,
            LargeProbeLossPercent = sample.LargeProbeLossPercent,
            LargeProbeLossPercentMax = sample.LargeProbeLossPercent,
            SmallProbeLossPercent = sample.SmallProbeLossPercent,
            SmallProbeLossPercentMax = sample.SmallProbeLossPercent,
            CpuPercent = sample.CpuPercent,
            CpuPercentMax = sample.CpuPercent,
            JitterMs = sample.JitterMs,
            JitterMsMax = sample.JitterMs,
        };
    }
}

/// <summary>Class samples of one striper link over a time range, one series per traffic class (issue 13).</summary>
public sealed record ClassSamplesDto
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>Start of the range (inclusive).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the range (exclusive).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>One series per class that has samples in the range, by name.</summary>
    public required IReadOnlyList<ClassSeriesDto> Series { get; init; }
}

/// <summary>Samples of one traffic class, oldest first.</summary>
/// <param name="Class">The class's name (<c>default</c> for packets no class matches).</param>
/// <param name="Points">The points, one per agent interval.</param>
public sealed record ClassSeriesDto(string Class, IReadOnlyList<ClassPointDto> Points);

/// <summary>
/// One agent interval of a traffic class. Sending counters are the link's end that reported them; receiving counters
/// are the peer's class at the same position in its list.
/// </summary>
public sealed record ClassPointDto
{
    /// <summary>End of the agent interval.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Milliseconds the interval covers.</summary>
    public required long IntervalMs { get; init; }

    /// <summary>The class's action in the interval (<c>default</c>, <c>stripe</c>, <c>pin</c>, <c>duplicate</c>, <c>fec</c>); it can change live.</summary>
    public required string Action { get; init; }

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

    /// <summary>Copies and parity bytes as a percentage of the class's bytes sent (0 when nothing was sent).</summary>
    public double OverheadPercent { get; init; }

    /// <summary>Packets dropped because no path could carry them.</summary>
    public long DropNoPath { get; init; }

    /// <summary>Packets and IP bytes of the class received, recovered ones included.</summary>
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
