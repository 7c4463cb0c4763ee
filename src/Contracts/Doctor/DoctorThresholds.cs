namespace Fleet.Contracts.Doctor;

/// <summary>The doctor's thresholds (docs/doctor.md, "Thresholds"); the defaults are what the Api uses.</summary>
public sealed record DoctorThresholds
{
    /// <summary>Below this the link has no demand to judge aggregation by (bit/s, both directions).</summary>
    public double IdleBitsPerSecond { get; init; } = 1_000_000;

    /// <summary>A member down in at least this share of the window's samples counts as down.</summary>
    public double DownShare { get; init; } = 0.5;

    /// <summary>A member's loss is a finding from this many percent on…</summary>
    public double LossyPercent { get; init; } = 1;

    /// <summary>…and when it is at least this many times the least lossy carrying member's (floored at 0.1 %).</summary>
    public double LossyRatio { get; init; } = 5;

    /// <summary>
    /// Striper: a one-way delay difference between carrying paths above this share of the hold time (<c>maxHoldMs</c>)
    /// is a finding; the resequencer gives up on a gap after the hold time.
    /// </summary>
    public double HoldShare { get; init; } = 0.5;

    /// <summary>Per-packet round robin without resequencing (teql, balance-rr): an RTT difference above this (ms) reorders TCP.</summary>
    public double ReorderingSpreadMs { get; init; } = 5;

    /// <summary>One member carrying more than this share of the link's bytes, while others are up, is "all on one member".</summary>
    public double ConcentrationShare { get; init; } = 0.9;

    /// <summary>Configured weights or rates differ "materially" when the largest is this many times the smallest.</summary>
    public double UnequalRatio { get; init; } = 1.2;

    /// <summary>Configured weights or rate hints "differ from measured capacity" when a member's share of them is off its measured share by more than this (0.2: 20 %).</summary>
    public double CapacityMismatch { get; init; } = 0.2;

    /// <summary>A measured capacity below this share of the interface's speed means a shaper upstream.</summary>
    public double ShapingShare { get; init; } = 0.5;

    /// <summary>A path's full-size DF probes lost from this many percent on…</summary>
    public double BlackHoleLargeLossPercent { get; init; } = 50;

    /// <summary>…while at most this many percent of its small probes were lost is an MTU black hole.</summary>
    public double BlackHoleSmallLossPercent { get; init; } = 10;

    /// <summary>The busiest data-path thread at this many percent of one core on average is a CPU-bound striper.</summary>
    public double CpuBoundPercent { get; init; } = 85;
}
