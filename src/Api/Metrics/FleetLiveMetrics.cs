using System.Diagnostics.Metrics;
using Fleet.Contracts.Agents.Counters;

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
        CreateMemberInstruments();
        _meter.CreateObservableGauge(Names.LinkThroughput, () => Read().LinkThroughput, "bit/s", "A link's throughput (its members' sum), by direction");
        _meter.CreateObservableGauge(Names.LinkHealth, () => Read().LinkHealth, null, "A link's health: healthy 1, degraded 0.5, down 0, unknown -1");
        _meter.CreateObservableGauge(Names.LinkPhase, () => Read().LinkPhase, null, "1 for a link's current rollout phase (attribute phase)");
        _meter.CreateObservableGauge(Names.HostQueuedBatches, () => Read().HostQueue, "{batch}", "Batches the host's agent still had queued when it sent its latest one");
        _meter.CreateObservableGauge(Names.OmittedMembers, () => Read().Omitted, "{member}", "Members not published because of Fleet:Metrics:MaxMembers");
    }

    /// <summary>
    /// The link, host and catalog instruments' names (OpenTelemetry form; Prometheus replaces dots and adds unit
    /// suffixes). The member instruments are named in <see cref="MemberCounterCatalog"/>.
    /// </summary>
    public static class Names
    {
        public const string LinkThroughput = "fleet.link.throughput";
        public const string LinkHealth = "fleet.link.health";
        public const string LinkPhase = "fleet.link.phase";
        public const string HostQueuedBatches = "fleet.host.queued_batches";
        public const string OmittedMembers = "fleet.metrics.omitted_members";
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// One instrument per distinct metric of the counter catalogue: a delta's running total as a counter, its rate and
    /// every other kind's latest value as a gauge (levels and peaks whole numbers).
    /// </summary>
    private void CreateMemberInstruments()
    {
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var counter in MemberCounterCatalog.All)
        {
            if (counter.Metric is { } metric && created.Add(metric.Name))
            {
                switch (counter.Kind)
                {
                    case CounterKind.Delta:
                        _meter.CreateObservableCounter(metric.Name, () => Read().Doubles(metric.Name), metric.Unit, metric.Description);
                        break;
                    case CounterKind.Level or CounterKind.Peak:
                        _meter.CreateObservableGauge(metric.Name, () => Read().Wholes(metric.Name), metric.Unit, metric.Description);
                        break;
                    case CounterKind.Measured or CounterKind.Health:
                        _meter.CreateObservableGauge(metric.Name, () => Read().Doubles(metric.Name), metric.Unit, metric.Description);
                        break;
                    default:
                        throw new InvalidOperationException($"counter kind {counter.Kind} is not known");
                }
            }

            if (counter.RateMetric is { } rate && created.Add(rate.Name))
            {
                _meter.CreateObservableGauge(rate.Name, () => Read().Doubles(rate.Name), rate.Unit, rate.Description);
            }
        }
    }

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
