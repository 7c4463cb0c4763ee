using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Metrics;

/// <summary>
/// What the Api hears live, kept for the metrics: every member's latest sample and its running totals (of every
/// <see cref="CounterKind.Delta"/> counter, since this Api started hearing it), every link's latest reported phase and
/// every host's agent queue depth.
/// Fed by <see cref="Live.LiveFanout"/> (samples and states this replica stores or receives from another replica) and
/// by the agent hub (queue depth, only on the replica the agent is connected to). Reading it touches no database.
/// Totals are sums of the samples' deltas, so they start at zero when this Api starts: Prometheus's <c>rate()</c>
/// treats that as a counter reset.
/// </summary>
public sealed class LiveCounters(TimeProvider clock, IOptions<MetricsOptions> options)
{
    /// <summary>Off unless the metrics are: then every call is a no-op and nothing is kept.</summary>
    private readonly bool _enabled = options.Value.Enabled;

    private readonly Lock _gate = new();
    private readonly Dictionary<(Guid LinkId, string Member), MemberCounters> _members = [];
    private readonly Dictionary<Guid, (LinkPhase Phase, DateTimeOffset At)> _phases = [];
    private readonly Dictionary<Guid, (long Batches, DateTimeOffset At)> _queues = [];

    /// <summary>One member's latest sample and its running totals.</summary>
    /// <param name="Latest">The newest sample heard (a late resend does not replace it).</param>
    /// <param name="Totals">The sum of every sample's value of each <see cref="CounterKind.Delta"/> counter, indexed by <see cref="MemberCounter"/> (0 for other kinds).</param>
    public readonly record struct MemberValues(MemberSample Latest, IReadOnlyList<double> Totals)
    {
        /// <summary>The running total of <paramref name="counter"/>.</summary>
        public double Total(MemberCounter counter) => Totals[(int)counter];
    }

    /// <summary>Stored (or relayed) samples of one host.</summary>
    public void Record(IReadOnlyList<MemberSample> samples)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var sample in samples)
            {
                var key = (sample.LinkId, sample.Member);
                if (!_members.TryGetValue(key, out var counters))
                {
                    counters = new MemberCounters();
                    _members[key] = counters;
                }

                counters.Add(sample);
            }
        }
    }

    /// <summary>A link's phase as an agent reported it (or a new generation made it Pending).</summary>
    public void SetPhase(Guid linkId, LinkPhase phase)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            _phases[linkId] = (phase, clock.GetUtcNow());
        }
    }

    /// <summary>How many batches the host's agent still had queued when it sent its latest one.</summary>
    public void SetQueueDepth(Guid hostId, long pendingBatches)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            _queues[hostId] = (pendingBatches, clock.GetUtcNow());
        }
    }

    /// <summary>The member's values, or null when nothing was heard from it.</summary>
    public MemberValues? Member(Guid linkId, string member)
    {
        lock (_gate)
        {
            return _members.TryGetValue((linkId, member), out var counters) ? counters.Values : null;
        }
    }

    /// <summary>The phase reported after <paramref name="since"/>, or null (the caller's own, older, reading stands).</summary>
    public LinkPhase? PhaseSince(Guid linkId, DateTimeOffset since)
    {
        lock (_gate)
        {
            return _phases.TryGetValue(linkId, out var phase) && phase.At >= since ? phase.Phase : null;
        }
    }

    /// <summary>The host's agent queue depth heard no earlier than <paramref name="since"/>, or null.</summary>
    public long? QueueDepth(Guid hostId, DateTimeOffset since)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(hostId, out var queue) && queue.At >= since ? queue.Batches : null;
        }
    }

    /// <summary>Forgets links and hosts that are gone (deleted, decommissioned), so memory follows the fleet.</summary>
    public void Retain(IReadOnlySet<Guid> linkIds, IReadOnlySet<Guid> hostIds)
    {
        lock (_gate)
        {
            foreach (var key in _members.Keys.Where(k => !linkIds.Contains(k.LinkId)).ToList())
            {
                _members.Remove(key);
            }

            foreach (var link in _phases.Keys.Where(id => !linkIds.Contains(id)).ToList())
            {
                _phases.Remove(link);
            }

            foreach (var host in _queues.Keys.Where(id => !hostIds.Contains(id)).ToList())
            {
                _queues.Remove(host);
            }
        }
    }

    private sealed class MemberCounters
    {
        private readonly double[] _totals = new double[MemberCounterCatalog.All.Count];
        private MemberSample? _latest;

        public MemberValues Values => new(_latest!, [.. _totals]);

        public void Add(MemberSample sample)
        {
            // Samples carry deltas, so totals are sums; a late resend adds its interval but does not become "latest".
            var counters = MemberCounterCatalog.All;
            for (var i = 0; i < counters.Count; i++)
            {
                switch (counters[i].Kind)
                {
                    case CounterKind.Delta:
                        _totals[i] += counters[i].Whole!(sample);
                        break;
                    case CounterKind.Level or CounterKind.Peak or CounterKind.Measured or CounterKind.Health:
                        break;
                    default:
                        throw new InvalidOperationException($"counter kind {counters[i].Kind} is not known");
                }
            }

            if (_latest is null || sample.Time >= _latest.Time)
            {
                _latest = sample;
            }
        }
    }
}
