namespace Fleet.Contracts.Agents.Counters;

/// <summary>
/// What a <see cref="MemberSample"/> carries about its member over one interval, beyond its identity and time. Each
/// value has one <see cref="MemberCounterInfo"/> in <see cref="MemberCounterCatalog"/>, from which validation, storage,
/// rollups, the REST points, the live metrics and the dashboard's charts take what they need (docs/conventions.md,
/// "Adding a counter").
/// </summary>
public enum MemberCounter
{
    /// <summary>Bytes sent.</summary>
    TxBytes,

    /// <summary>Bytes received.</summary>
    RxBytes,

    /// <summary>Packets sent.</summary>
    TxPackets,

    /// <summary>Packets received.</summary>
    RxPackets,

    /// <summary>Packets dropped on send.</summary>
    TxDrops,

    /// <summary>Packets dropped on receive.</summary>
    RxDrops,

    /// <summary>Errors.</summary>
    Errors,

    /// <summary>Packets waiting in the resequencing buffer at the end of the interval.</summary>
    ReorderDepth,

    /// <summary>Largest resequencing depth seen during the interval.</summary>
    ReorderDepthMax,

    /// <summary>Smoothed round-trip time in milliseconds.</summary>
    RttMs,

    /// <summary>Loss in percent.</summary>
    LossPercent,

    /// <summary>Health at the end of the interval.</summary>
    Health,

    /// <summary>Recent full-size DF probes lost on the path, percent.</summary>
    LargeProbeLossPercent,

    /// <summary>Recent small probes lost on the path, percent (the contrast to <see cref="LargeProbeLossPercent"/>).</summary>
    SmallProbeLossPercent,

    /// <summary>The busiest data-path thread's CPU time, percent of one core.</summary>
    CpuPercent,

    /// <summary>Jitter in milliseconds: the smoothed mean deviation of successive probe round-trip times.</summary>
    JitterMs,
}

/// <summary>
/// How a counter behaves over time, which decides how it is stored, rolled up, totalled and charted. Switches over it
/// are exhaustive: a new kind is a compile-time question to every layer.
/// </summary>
public enum CounterKind
{
    /// <summary>
    /// Counted during the interval (a delta, never a running total), a 64-bit whole number ≥ 0: rollups and live
    /// totals sum it, charts draw it as a rate per second.
    /// </summary>
    Delta,

    /// <summary>A 32-bit whole number ≥ 0 at the end of the interval: rollups keep its sum and read it as the average over their samples.</summary>
    Level,

    /// <summary>The largest 32-bit whole number ≥ 0 seen during the interval: rollups keep the maximum.</summary>
    Peak,

    /// <summary>
    /// A measurement the backend may not make (absent, not 0, when it does not): rollups keep its sum, maximum and the
    /// number of samples that had it, and read it as the average over those.
    /// </summary>
    Measured,

    /// <summary>The member's <see cref="Links.MemberHealth"/>, stored as its number (Unknown &lt; Up &lt; Degraded &lt; Down): rollups keep the worst.</summary>
    Health,
}
