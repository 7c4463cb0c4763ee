using Fleet.Agent.Backends;
using Fleet.Agent.Events;
using Fleet.Agent.Reconciliation;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Sampling;

/// <summary>
/// Turns the backends' running counters into one <see cref="MemberSample"/> per member per interval (deltas, so a
/// counter reset cannot produce a negative rate) and notices member health changes and failovers.
/// </summary>
public sealed class MemberSampler(AgentEventLog events)
{
    private readonly Dictionary<(Guid Link, string Member), Baseline> _baselines = [];
    private readonly Dictionary<Guid, CarryingState> _carrying = [];

    private IReadOnlyDictionary<(Guid Link, string Member), MemberHealth> _health = new Dictionary<(Guid Link, string Member), MemberHealth>();

    /// <summary>The health of each member at the last sample, for status output (safe to read from any thread).</summary>
    public IReadOnlyDictionary<(Guid Link, string Member), MemberHealth> Health => Volatile.Read(ref _health);

    /// <summary>
    /// Samples at <paramref name="now"/>. A member seen for the first time gives no sample (there is no interval yet);
    /// members and links no longer observed are forgotten.
    /// </summary>
    public IReadOnlyList<MemberSample> Sample(DateTimeOffset now, IReadOnlyList<ObservedLink> links)
    {
        now = WholeMilliseconds(now);
        var samples = new List<MemberSample>();
        var seen = new HashSet<(Guid, string)>();
        foreach (var link in links)
        {
            foreach (var member in link.Observation.Members)
            {
                var key = (link.LinkId, member.Interface);
                seen.Add(key);
                if (_baselines.TryGetValue(key, out var baseline))
                {
                    var intervalMs = (int)Math.Round((now - baseline.Time).TotalMilliseconds);
                    if (intervalMs > 0)
                    {
                        samples.Add(ToSample(link.LinkId, member, baseline.Counters, now, intervalMs));
                    }

                    if (baseline.Health != member.Health)
                    {
                        HealthChanged(link, member, baseline.Health);
                    }
                }
                else if (member.Health is MemberHealth.Down or MemberHealth.Degraded)
                {
                    HealthChanged(link, member, MemberHealth.Unknown);
                }

                _baselines[key] = new Baseline(member.Counters, now, member.Health);
            }

            DetectFailover(link);
        }

        foreach (var key in _baselines.Keys.Where(key => !seen.Contains(key)).ToList())
        {
            _baselines.Remove(key);
        }

        var observedLinks = links.Select(link => link.LinkId).ToHashSet();
        foreach (var linkId in _carrying.Keys.Where(id => !observedLinks.Contains(id)).ToList())
        {
            _carrying.Remove(linkId);
        }

        Volatile.Write(ref _health, _baselines.ToDictionary(pair => pair.Key, pair => pair.Value.Health));
        return samples;
    }

    private static MemberSample ToSample(Guid linkId, MemberObservation member, MemberCounters previous, DateTimeOffset now, int intervalMs)
    {
        var current = member.Counters;
        return new MemberSample
        {
            LinkId = linkId,
            Member = member.Interface,
            Time = now,
            IntervalMs = intervalMs,
            TxBytes = Delta(current.TxBytes, previous.TxBytes),
            RxBytes = Delta(current.RxBytes, previous.RxBytes),
            TxPackets = Delta(current.TxPackets, previous.TxPackets),
            RxPackets = Delta(current.RxPackets, previous.RxPackets),
            TxDrops = Delta(current.TxDrops, previous.TxDrops),
            RxDrops = Delta(current.RxDrops, previous.RxDrops),
            Errors = Delta(current.Errors, previous.Errors),
            ReorderDepth = member.ReorderDepth,
            ReorderDepthMax = member.ReorderDepthMax,
            RttMs = member.RttMs,
            LossPercent = member.LossPercent,
            Health = member.Health,
            LargeProbeLossPercent = member.LargeProbeLossPercent,
            SmallProbeLossPercent = member.SmallProbeLossPercent,
            CpuPercent = member.CpuPercent,
            JitterMs = member.JitterMs,
        };
    }

    /// <summary>A sample's time: whole milliseconds, what charts and the database keep anyway, and the same value after every round trip.</summary>
    internal static DateTimeOffset WholeMilliseconds(DateTimeOffset now) =>
        new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>
    /// The change of a running counter. A smaller value means the counter restarted (interface re-created, striper
    /// restarted): everything counted since the restart is the current value.
    /// </summary>
    internal static long Delta(ulong current, ulong previous)
    {
        var delta = current >= previous ? current - previous : current;
        return delta > long.MaxValue ? long.MaxValue : (long)delta;
    }

    private void HealthChanged(ObservedLink link, MemberObservation member, MemberHealth before)
    {
        var detail = member.Detail is null ? "" : $" ({member.Detail})";
        // Kind and severity as the backends' link events give them (MemberHealthTracker.HealthEvent): a member down is an Error,
        // which outranks any degradation.
        var (kind, severity) = MemberHealthTracker.HealthEvent(member.Health);
        switch (member.Health)
        {
            case MemberHealth.Down or MemberHealth.Degraded:
                events.Add(kind, severity, $"{link.Spec.Name}: member {member.Interface} is {member.Health.ToString().ToLowerInvariant()}{detail}", link.LinkId, member.Interface);
                break;
            case MemberHealth.Up when before is MemberHealth.Down or MemberHealth.Degraded:
                events.Add(kind, severity, $"{link.Spec.Name}: member {member.Interface} is up again", link.LinkId, member.Interface);
                break;
        }
    }

    /// <summary>
    /// The members that carry traffic: the healthy active ones, else the healthy backups. A change between two
    /// non-empty sets under the same spec is a failover (traffic moved); a spec change is not.
    /// </summary>
    private void DetectFailover(ObservedLink link)
    {
        var members = link.Spec.Members;
        var health = link.Observation.Members.ToDictionary(m => m.Interface, m => m.Health, StringComparer.Ordinal);
        bool Healthy(MemberSpec m) => health.GetValueOrDefault(m.Interface) is MemberHealth.Up or MemberHealth.Degraded;
        var carrying = members.Where(m => m.AdminState == MemberAdminState.Active && Healthy(m)).Select(m => m.Interface).ToList();
        if (carrying.Count == 0)
        {
            carrying = [.. members.Where(m => m.AdminState == MemberAdminState.Backup && Healthy(m)).Select(m => m.Interface)];
        }

        if (_carrying.TryGetValue(link.LinkId, out var before)
            && ReferenceEquals(before.Spec, link.Spec)
            && before.Members.Count > 0
            && carrying.Count > 0
            && !before.Members.SequenceEqual(carrying, StringComparer.Ordinal))
        {
            var lost = before.Members.Except(carrying, StringComparer.Ordinal).ToList();
            var gained = carrying.Except(before.Members, StringComparer.Ordinal).ToList();
            if (lost.Count > 0)
            {
                events.Add(
                    AgentEventKind.Failover,
                    EventSeverity.Warning,
                    $"{link.Spec.Name}: traffic moved off {string.Join(", ", lost)}; now on {string.Join(", ", carrying)}",
                    link.LinkId,
                    lost[0]);
            }
            else if (gained.Count > 0 && before.Members.All(m => members.FirstOrDefault(s => s.Interface == m)?.AdminState == MemberAdminState.Backup))
            {
                events.Add(
                    AgentEventKind.Failover,
                    EventSeverity.Info,
                    $"{link.Spec.Name}: traffic back on {string.Join(", ", carrying)} from backup {string.Join(", ", before.Members)}",
                    link.LinkId,
                    gained[0]);
            }
        }

        _carrying[link.LinkId] = new CarryingState(link.Spec, carrying);
    }

    private readonly record struct Baseline(MemberCounters Counters, DateTimeOffset Time, MemberHealth Health);

    private sealed record CarryingState(LinkSpec Spec, IReadOnlyList<string> Members);
}
