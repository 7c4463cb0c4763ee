using System.Diagnostics.Metrics;
using Fleet.Api.Dashboard;
using Fleet.Contracts.Links;

namespace Fleet.Api.Metrics;

/// <summary>
/// One collection's measurements, per instrument of <see cref="FleetLiveMetrics"/>, taken from the catalog and the live
/// counters — the whole mapping from what the Api hears to what it publishes. A member with no sample within
/// <see cref="FleetSnapshot.LatestWindow"/> has no rate, RTT, loss or reorder depth (a silent member is not "0 bit/s")
/// and reads health unknown (−1), like on the dashboard; its totals stay, as counters must.
/// </summary>
public sealed class LiveMetricsReading
{
    private LiveMetricsReading(DateTimeOffset takenAt) => TakenAt = takenAt;

    public DateTimeOffset TakenAt { get; }

    public List<Measurement<double>> MemberThroughput { get; } = [];

    public List<Measurement<double>> MemberTraffic { get; } = [];

    public List<Measurement<double>> MemberDrops { get; } = [];

    public List<Measurement<int>> MemberReorder { get; } = [];

    public List<Measurement<double>> MemberRtt { get; } = [];

    public List<Measurement<double>> MemberLoss { get; } = [];

    public List<Measurement<double>> MemberHealth { get; } = [];

    public List<Measurement<double>> LinkThroughput { get; } = [];

    public List<Measurement<double>> LinkHealth { get; } = [];

    public List<Measurement<int>> LinkPhase { get; } = [];

    public List<Measurement<long>> HostQueue { get; } = [];

    public List<Measurement<int>> Omitted { get; } = [];

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
                if (values is { } totals)
                {
                    // Totals are reported whatever their age: they are counters, and a gap must not look like a reset.
                    reading.MemberTraffic.Add(new(totals.TxBytesTotal, member.TxTags));
                    reading.MemberTraffic.Add(new(totals.RxBytesTotal, member.RxTags));
                    reading.MemberDrops.Add(new(totals.TxDropsTotal, member.TxTags));
                    reading.MemberDrops.Add(new(totals.RxDropsTotal, member.RxTags));
                }

                if (values is not { } v || v.Time < freshSince)
                {
                    reading.MemberHealth.Add(new(MetricTags.Number(Contracts.Links.MemberHealth.Unknown), member.Tags));
                    health.Add((member.AdminState, Contracts.Links.MemberHealth.Unknown, null));
                    continue;
                }

                anyFresh = true;
                tx += v.TxBitsPerSecond;
                rx += v.RxBitsPerSecond;
                reading.MemberThroughput.Add(new(v.TxBitsPerSecond, member.TxTags));
                reading.MemberThroughput.Add(new(v.RxBitsPerSecond, member.RxTags));
                reading.MemberReorder.Add(new(v.ReorderDepth, member.Tags));
                if (v.RttMs is { } rtt)
                {
                    reading.MemberRtt.Add(new(rtt / 1000, member.Tags));
                }

                if (v.LossPercent is { } loss)
                {
                    reading.MemberLoss.Add(new(loss, member.Tags));
                }

                reading.MemberHealth.Add(new(MetricTags.Number(v.Health), member.Tags));
                health.Add((member.AdminState, v.Health, v.LossPercent));
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
}
