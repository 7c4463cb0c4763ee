using System.Diagnostics.Metrics;
using Fleet.Api.Dashboard;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;

namespace Fleet.Api.Metrics;

/// <summary>
/// One collection's measurements, per instrument of <see cref="FleetLiveMetrics"/>, taken from the catalog and the live
/// counters — the whole mapping from what the Api hears to what it publishes. The member instruments are the
/// counters' <see cref="MemberCounterInfo.Metric"/> and <see cref="MemberCounterInfo.RateMetric"/> in
/// <see cref="MemberCounterCatalog"/>. A member with no sample within <see cref="FleetSnapshot.LatestWindow"/> has no
/// rate, RTT, loss or reorder depth (a silent member is not "0 bit/s") and reads health unknown (−1), like on the
/// dashboard; its totals stay, as counters must.
/// </summary>
public sealed class LiveMetricsReading
{
    private readonly Dictionary<string, List<Measurement<double>>> _doubles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Measurement<int>>> _wholes = new(StringComparer.Ordinal);

    private LiveMetricsReading(DateTimeOffset takenAt) => TakenAt = takenAt;

    public DateTimeOffset TakenAt { get; }

    public List<Measurement<double>> MemberThroughput => Doubles(MemberCounterCatalog.Of(MemberCounter.TxBytes).RateMetric!.Name);

    public List<Measurement<double>> MemberTraffic => Doubles(MemberCounterCatalog.Of(MemberCounter.TxBytes).Metric!.Name);

    public List<Measurement<double>> MemberDrops => Doubles(MemberCounterCatalog.Of(MemberCounter.TxDrops).Metric!.Name);

    public List<Measurement<int>> MemberReorder => Wholes(MemberCounterCatalog.Of(MemberCounter.ReorderDepthMax).Metric!.Name);

    public List<Measurement<double>> MemberRtt => Doubles(MemberCounterCatalog.Of(MemberCounter.RttMs).Metric!.Name);

    public List<Measurement<double>> MemberLoss => Doubles(MemberCounterCatalog.Of(MemberCounter.LossPercent).Metric!.Name);

    public List<Measurement<double>> MemberHealth => Doubles(MemberCounterCatalog.Of(MemberCounter.Health).Metric!.Name);

    public List<Measurement<double>> LinkThroughput { get; } = [];

    public List<Measurement<double>> LinkHealth { get; } = [];

    public List<Measurement<int>> LinkPhase { get; } = [];

    public List<Measurement<long>> HostQueue { get; } = [];

    public List<Measurement<int>> Omitted { get; } = [];

    /// <summary>The measurements of the double-valued member instrument <paramref name="name"/> (empty when it has none).</summary>
    public List<Measurement<double>> Doubles(string name) => _doubles.TryGetValue(name, out var list) ? list : [];

    /// <summary>The measurements of the whole-number member instrument <paramref name="name"/> (levels and peaks; empty when it has none).</summary>
    public List<Measurement<int>> Wholes(string name) => _wholes.TryGetValue(name, out var list) ? list : [];

    /// <summary>Reads <paramref name="catalog"/> and <paramref name="counters"/> as of <paramref name="now"/>.</summary>
    public static LiveMetricsReading Take(CatalogSnapshot catalog, LiveCounters counters, DateTimeOffset now)
    {
        var reading = new LiveMetricsReading(now);
        var freshSince = now - FleetSnapshot.LatestWindow;
        var health = new List<(MemberAdminState, MemberHealth, double?)>();
        foreach (var link in catalog.Links)
        {
            double tx = 0, rx = 0;
            var anyFresh = false;
            health.Clear();
            foreach (var member in link.Members)
            {
                var values = counters.Member(link.Id, member.Interface);
                if (values is { } heard)
                {
                    // Totals are reported whatever their age: they are counters, and a gap must not look like a reset.
                    reading.AddTotals(heard, member);
                }

                if (values is not { } v || v.Latest.Time < freshSince)
                {
                    reading.Add(MemberCounterCatalog.Of(MemberCounter.Health).Metric!, MetricTags.Number(Contracts.Links.MemberHealth.Unknown), member);
                    health.Add((member.AdminState, Contracts.Links.MemberHealth.Unknown, null));
                    continue;
                }

                anyFresh = true;
                var latest = LatestMemberValue.Of(v.Latest);
                tx += latest.TxBitsPerSecond;
                rx += latest.RxBitsPerSecond;
                reading.AddLatest(v, member);
                health.Add((member.AdminState, latest.Health, latest.LossPercent));
            }

            if (anyFresh)
            {
                reading.LinkThroughput.Add(new(tx, link.TxTags));
                reading.LinkThroughput.Add(new(rx, link.RxTags));
            }

            // The catalog's phase is as old as its reading; a report heard since then is newer.
            var phase = counters.PhaseSince(link.Id, catalog.LoadedAt) ?? link.Phase;
            reading.LinkHealth.Add(new(MetricTags.Number(LinkHealthRule.Of(phase, health)), link.Tags));
            reading.LinkPhase.Add(new(1, [.. link.Tags, new(MetricTags.Phase, MetricTags.PhaseName(phase))]));
        }

        foreach (var host in catalog.Hosts)
        {
            if (counters.QueueDepth(host.Id, freshSince) is { } queued)
            {
                reading.HostQueue.Add(new(queued, host.Tags));
            }
        }

        reading.Omitted.Add(new(catalog.OmittedMembers));
        return reading;
    }

    /// <summary>The running total of every delta counter that has a metric.</summary>
    private void AddTotals(LiveCounters.MemberValues values, CatalogMember member)
    {
        foreach (var counter in MemberCounterCatalog.All)
        {
            switch (counter.Kind)
            {
                case CounterKind.Delta when counter.Metric is { } metric:
                    Add(metric, values.Total(counter.Counter) * metric.Scale, member);
                    break;
                case CounterKind.Delta or CounterKind.Level or CounterKind.Peak or CounterKind.Measured or CounterKind.Health:
                    break;
                default:
                    throw new InvalidOperationException($"counter kind {counter.Kind} is not known");
            }
        }
    }

    /// <summary>The latest sample's rates, levels, measurements (when made) and health.</summary>
    private void AddLatest(LiveCounters.MemberValues values, CatalogMember member)
    {
        var sample = values.Latest;
        var seconds = Math.Max(sample.IntervalMs, 1) / 1000.0;
        foreach (var counter in MemberCounterCatalog.All)
        {
            switch (counter.Kind)
            {
                case CounterKind.Delta:
                    if (counter.RateMetric is { } rate)
                    {
                        Add(rate, counter.Whole!(sample) * rate.Scale / seconds, member);
                    }

                    break;
                case CounterKind.Level or CounterKind.Peak:
                    if (counter.Metric is { } level)
                    {
                        AddWhole(level, (int)counter.Whole!(sample), member);
                    }

                    break;
                case CounterKind.Measured:
                    if (counter.Metric is { } measured && counter.Measure!(sample) is { } value)
                    {
                        Add(measured, value * measured.Scale, member);
                    }

                    break;
                case CounterKind.Health:
                    if (counter.Metric is { } healthMetric)
                    {
                        Add(healthMetric, MetricTags.Number(sample.Health), member);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"counter kind {counter.Kind} is not known");
            }
        }
    }

    private void Add(CounterMetric metric, double value, CatalogMember member) =>
        List(_doubles, metric.Name).Add(new(value, member.TagsFor(metric.Direction)));

    private void AddWhole(CounterMetric metric, int value, CatalogMember member) =>
        List(_wholes, metric.Name).Add(new(value, member.TagsFor(metric.Direction)));

    private static List<Measurement<T>> List<T>(Dictionary<string, List<Measurement<T>>> lists, string name)
        where T : struct
    {
        if (!lists.TryGetValue(name, out var list))
        {
            list = [];
            lists[name] = list;
        }

        return list;
    }
}
