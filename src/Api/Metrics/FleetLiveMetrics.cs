using System.Diagnostics.Metrics;

namespace Fleet.Api.Metrics;

/// <summary>
/// Every published link's and member's live counters as observable instruments of the meter <see cref="MeterName"/>
/// (docs/operations.md, "Live metrics"). A collection (a scrape, an OTLP export) takes one
/// <see cref="LiveMetricsReading"/> from memory — the catalog and the live counters, no database — and every
/// instrument's callback reports from it.
/// </summary>
public sealed class FleetLiveMetrics : IDisposable
{
    /// <summary>The meter (matched by <c>Fleet.*</c> in the Api's OpenTelemetry setup).</summary>
    public const string MeterName = "Fleet.Api.Live";

    /// <summary>Readings within this time of each other are one collection (the SDK runs the callbacks one after another).</summary>
    private static readonly TimeSpan s_readingReuse = TimeSpan.FromMilliseconds(250);

    private readonly Meter _meter;
    private readonly MetricsCatalog _catalog;
    private readonly LiveCounters _counters;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private LiveMetricsReading? _reading;

    public FleetLiveMetrics(IMeterFactory meters, MetricsCatalog catalog, LiveCounters counters, TimeProvider clock)
    {
        _catalog = catalog;
        _counters = counters;
        _clock = clock;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge(Names.MemberThroughput, () => Read().MemberThroughput, "bit/s", "A member's throughput over its latest sampling interval, by direction");
        _meter.CreateObservableCounter(Names.MemberTraffic, () => Read().MemberTraffic, "By", "Bytes a member carried since this Api started hearing it, by direction");
        _meter.CreateObservableCounter(Names.MemberDrops, () => Read().MemberDrops, "{packet}", "Packets a member dropped since this Api started hearing it, by direction");
        _meter.CreateObservableGauge(Names.MemberReorderDepth, () => Read().MemberReorder, "{packet}", "Deepest reordering seen on a member in its latest interval");
        _meter.CreateObservableGauge(Names.MemberRtt, () => Read().MemberRtt, "s", "A member's smoothed round-trip time");
        _meter.CreateObservableGauge(Names.MemberLoss, () => Read().MemberLoss, "%", "A member's packet loss over its latest interval, in percent");
        _meter.CreateObservableGauge(Names.MemberHealth, () => Read().MemberHealth, null, "A member's health: up 1, degraded 0.5, down 0, unknown -1");
        _meter.CreateObservableGauge(Names.LinkThroughput, () => Read().LinkThroughput, "bit/s", "A link's throughput (its members' sum), by direction");
        _meter.CreateObservableGauge(Names.LinkHealth, () => Read().LinkHealth, null, "A link's health: healthy 1, degraded 0.5, down 0, unknown -1");
        _meter.CreateObservableGauge(Names.LinkPhase, () => Read().LinkPhase, null, "1 for a link's current rollout phase (attribute phase)");
        _meter.CreateObservableGauge(Names.HostQueuedBatches, () => Read().HostQueue, "{batch}", "Batches the host's agent still had queued when it sent its latest one");
        _meter.CreateObservableGauge(Names.OmittedMembers, () => Read().Omitted, "{member}", "Members not published because of Fleet:Metrics:MaxMembers");
    }

    /// <summary>The instruments' names (OpenTelemetry form; Prometheus replaces dots and adds unit suffixes).</summary>
    public static class Names
    {
        public const string MemberThroughput = "fleet.member.throughput";
        public const string MemberTraffic = "fleet.member.traffic";
        public const string MemberDrops = "fleet.member.drops";
        public const string MemberReorderDepth = "fleet.member.reorder_depth";
        public const string MemberRtt = "fleet.member.rtt";
        public const string MemberLoss = "fleet.member.loss";
        public const string MemberHealth = "fleet.member.health";
        public const string LinkThroughput = "fleet.link.throughput";
        public const string LinkHealth = "fleet.link.health";
        public const string LinkPhase = "fleet.link.phase";
        public const string HostQueuedBatches = "fleet.host.queued_batches";
        public const string OmittedMembers = "fleet.metrics.omitted_members";
    }

    public void Dispose() => _meter.Dispose();

    private LiveMetricsReading Read()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_reading is { } reading && now >= reading.TakenAt && now - reading.TakenAt < s_readingReuse)
            {
                return reading;
            }

            _reading = LiveMetricsReading.Take(_catalog.Current, _counters, now);
            return _reading;
        }
    }
}
