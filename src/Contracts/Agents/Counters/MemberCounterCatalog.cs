namespace Fleet.Contracts.Agents.Counters;

/// <summary>
/// The catalogue of what a member sample carries: one <see cref="MemberCounterInfo"/> per <see cref="MemberCounter"/>,
/// in the order the columns, the binary form and the rollups list them. The one place the counter set is written
/// down; everything that handles all counters walks <see cref="All"/> (docs/conventions.md, "Adding a counter").
/// </summary>
public static class MemberCounterCatalog
{
    private const string Traffic = "fleet.member.traffic";
    private const string TrafficText = "Bytes a member carried since this Api started hearing it, by direction";
    private const string Throughput = "fleet.member.throughput";
    private const string ThroughputText = "A member's throughput over its latest sampling interval, by direction";
    private const string Drops = "fleet.member.drops";
    private const string DropsText = "Packets a member dropped since this Api started hearing it, by direction";

    private static readonly MemberCounterInfo[] s_all =
    [
        new()
        {
            Counter = MemberCounter.TxBytes, Name = "txBytes", Column = "tx_bytes", Kind = CounterKind.Delta, Unit = "By",
            Description = "Bytes sent", Whole = s => s.TxBytes,
            Metric = new(Traffic, "By", TrafficText, "tx"), RateMetric = new(Throughput, "bit/s", ThroughputText, "tx", 8),
            Chart = new("tx", 8),
        },
        new()
        {
            Counter = MemberCounter.RxBytes, Name = "rxBytes", Column = "rx_bytes", Kind = CounterKind.Delta, Unit = "By",
            Description = "Bytes received", Whole = s => s.RxBytes,
            Metric = new(Traffic, "By", TrafficText, "rx"), RateMetric = new(Throughput, "bit/s", ThroughputText, "rx", 8),
            Chart = new("rx", 8),
        },
        new()
        {
            Counter = MemberCounter.TxPackets, Name = "txPackets", Column = "tx_packets", Kind = CounterKind.Delta, Unit = "{packet}",
            Description = "Packets sent", Whole = s => s.TxPackets,
        },
        new()
        {
            Counter = MemberCounter.RxPackets, Name = "rxPackets", Column = "rx_packets", Kind = CounterKind.Delta, Unit = "{packet}",
            Description = "Packets received", Whole = s => s.RxPackets,
        },
        new()
        {
            Counter = MemberCounter.TxDrops, Name = "txDrops", Column = "tx_drops", Kind = CounterKind.Delta, Unit = "{packet}",
            Description = "Packets dropped on send", Whole = s => s.TxDrops,
            Metric = new(Drops, "{packet}", DropsText, "tx"),
            Chart = new("drops"),
        },
        new()
        {
            Counter = MemberCounter.RxDrops, Name = "rxDrops", Column = "rx_drops", Kind = CounterKind.Delta, Unit = "{packet}",
            Description = "Packets dropped on receive", Whole = s => s.RxDrops,
            Metric = new(Drops, "{packet}", DropsText, "rx"),
            Chart = new("drops"),
        },
        new()
        {
            Counter = MemberCounter.Errors, Name = "errors", Column = "errors", Kind = CounterKind.Delta, Unit = "{error}",
            Description = "Errors", Whole = s => s.Errors,
        },
        new()
        {
            Counter = MemberCounter.ReorderDepth, Name = "reorderDepth", Column = "reorder_depth", Kind = CounterKind.Level, Unit = "{packet}",
            Description = "Packets waiting in the resequencing buffer at the end of the interval", Whole = s => s.ReorderDepth,
        },
        new()
        {
            Counter = MemberCounter.ReorderDepthMax, Name = "reorderDepthMax", Column = "reorder_depth_max", Kind = CounterKind.Peak, Unit = "{packet}",
            Description = "Deepest reordering seen during the interval", Whole = s => s.ReorderDepthMax,
            Metric = new("fleet.member.reorder_depth", "{packet}", "Deepest reordering seen on a member in its latest interval"),
            Chart = new("reorder"),
        },
        new()
        {
            Counter = MemberCounter.RttMs, Name = "rttMs", Column = "rtt_ms", Kind = CounterKind.Measured, Unit = "ms",
            Description = "Smoothed round-trip time", Measure = s => s.RttMs, CountColumn = "rtt_count",
            Metric = new("fleet.member.rtt", "s", "A member's smoothed round-trip time", Scale: 0.001),
            Chart = new("rtt"),
        },
        new()
        {
            Counter = MemberCounter.LossPercent, Name = "lossPercent", Column = "loss_percent", Kind = CounterKind.Measured, Unit = "%",
            Description = "Packet loss over the interval", Maximum = 100, Measure = s => s.LossPercent, CountColumn = "loss_count",
            Metric = new("fleet.member.loss", "%", "A member's packet loss over its latest interval, in percent"),
            Chart = new("loss"),
        },
        new()
        {
            Counter = MemberCounter.Health, Name = "health", Column = "health", Kind = CounterKind.Health, Unit = "1",
            Description = "Health at the end of the interval", Whole = s => (long)s.Health,
            Metric = new("fleet.member.health", null, "A member's health: up 1, degraded 0.5, down 0, unknown -1"),
            Chart = new("health"),
        },
        new()
        {
            Counter = MemberCounter.LargeProbeLossPercent, Name = "largeProbeLossPercent", Column = "large_probe_loss_percent", Kind = CounterKind.Measured, Unit = "%",
            Description = "Recent full-size DF probes lost on the path", Maximum = 100, Measure = s => s.LargeProbeLossPercent, CountColumn = "large_probe_loss_count",
        },
        new()
        {
            Counter = MemberCounter.SmallProbeLossPercent, Name = "smallProbeLossPercent", Column = "small_probe_loss_percent", Kind = CounterKind.Measured, Unit = "%",
            Description = "Recent small probes lost on the path", Maximum = 100, Measure = s => s.SmallProbeLossPercent, CountColumn = "small_probe_loss_count",
        },
        new()
        {
            Counter = MemberCounter.CpuPercent, Name = "cpuPercent", Column = "cpu_percent", Kind = CounterKind.Measured, Unit = "%",
            Description = "The busiest data-path thread's CPU time, percent of one core", Maximum = 100, Measure = s => s.CpuPercent, CountColumn = "cpu_count",
        },
        new()
        {
            Counter = MemberCounter.JitterMs, Name = "jitterMs", Column = "jitter_ms", Kind = CounterKind.Measured, Unit = "ms",
            Description = "Smoothed mean deviation of successive probe round-trip times (RFC 3550)", Measure = s => s.JitterMs, CountColumn = "jitter_count",
        },
    ];

    /// <summary>Every counter, in <see cref="MemberCounter"/> order.</summary>
    public static IReadOnlyList<MemberCounterInfo> All => s_all;

    /// <summary>The descriptor of <paramref name="counter"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a counter.</exception>
    public static MemberCounterInfo Of(MemberCounter counter) =>
        (uint)counter < (uint)s_all.Length ? s_all[(int)counter] : throw new ArgumentOutOfRangeException(nameof(counter), counter, null);

    /// <summary>The chart series the counters are drawn in (<see cref="MemberCounterInfo.Chart"/>), each once, in catalogue order.</summary>
    public static IReadOnlyList<string> ChartSeries { get; } = [.. s_all.Where(c => c.Chart is not null).Select(c => c.Chart!.Series).Distinct()];
}
