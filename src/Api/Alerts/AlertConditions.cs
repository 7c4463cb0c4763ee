using Fleet.Api.Alerts.Caps;
using Fleet.Api.Alerts.Rules;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>
/// The built-in rules over one <see cref="FleetObservation"/>: which conditions hold now, and which subjects are
/// frozen by correlation (docs/alerts.md, "Correlation"): a host whose agent is offline freezes every other alert of the
/// host (its members' health is the last one reported, not news), a link that is down freezes its member and degraded
/// alerts, and a flapping member freezes its member-down alert. Frozen means: not started, and, when already firing,
/// neither resolved nor re-sent as new.
/// </summary>
public sealed class AlertConditions
{
    private readonly HashSet<Guid> _offlineHosts = [];
    private readonly HashSet<Guid> _downLinks = [];
    private readonly HashSet<(Guid Link, string Member)> _flapping = [];

    private AlertConditions()
    {
    }

    /// <summary>The conditions that hold, frozen or not, by subject.</summary>
    public Dictionary<AlertSubject, AlertCondition> Holding { get; } = [];

    /// <summary>Evaluates every enabled rule; <paramref name="flaps"/> and <paramref name="aggregation"/> learn each member's health and throughput on the way.</summary>
    public static AlertConditions Evaluate(FleetObservation observation, AlertOptions options, FlapTracker flaps, AggregationTracker aggregation, DateTimeOffset now)
    {
        var result = new AlertConditions();
        var hosts = new Dictionary<Guid, ObservedHost>();
        foreach (var host in observation.Hosts)
        {
            hosts[host.Id] = host;
            if (!host.Online)
            {
                result._offlineHosts.Add(host.Id);
                result.Add(options, new AlertCondition(new(AlertRule.AgentOffline, host.Id, null, null), host.Name, null, $"The agent of {host.Name} is offline"));
            }

            if (host.QueueOverflowAt is { } overflowAt)
            {
                result.Add(options, new AlertCondition(new(AlertRule.AgentQueueOverflow, host.Id, null, null), host.Name, null,
                    $"The agent of {host.Name} dropped queued sample batches (its queue overflowed at {overflowAt:u}): their samples are lost"));
            }
        }

        foreach (var link in observation.Links)
        {
            if (hosts.TryGetValue(link.HostId, out var host))
            {
                result.AddLink(options, flaps, link, host.Name, now);
                result.AddAggregation(options, aggregation, link, host.Name, now);
                MetricRules.Evaluate(host, link, observation.CustomRules ?? [], options, now, condition => result.Add(options, condition));
            }
        }

        DataCapRules.Evaluate(observation.Caps ?? [], hosts, options, condition => result.Add(options, condition));
        flaps.ForgetUnseen(now);
        if (options.IsEnabled(AlertRule.AggregationLost))
        {
            aggregation.Retain(observation.Links.Select(l => l.Id).ToHashSet());
        }

        return result;
    }

    /// <summary>Whether correlation freezes <paramref name="subject"/> now.</summary>
    public bool IsFrozen(AlertSubject subject)
    {
        if (subject.Rule != AlertRule.AgentOffline && _offlineHosts.Contains(subject.HostId))
        {
            return true;
        }

        return subject.Rule switch
        {
            AlertRule.AgentOffline or AlertRule.LinkDown or AlertRule.RolloutFailed or AlertRule.DriftDetected or AlertRule.AgentQueueOverflow
                or AlertRule.DataCapWarning or AlertRule.DataCapCritical or AlertRule.DataCapExhausted => false,
            AlertRule.LinkDegraded or AlertRule.MemberFlapping or AlertRule.LossHigh or AlertRule.LatencyHigh or AlertRule.JitterHigh or AlertRule.ReorderHigh or AlertRule.Custom or AlertRule.AggregationLost => _downLinks.Contains(subject.LinkId!.Value),
            AlertRule.MemberDown => _downLinks.Contains(subject.LinkId!.Value) || _flapping.Contains((subject.LinkId!.Value, subject.Member!)),
            _ => throw new ArgumentOutOfRangeException(nameof(subject), subject.Rule, "unknown rule"),
        };
    }

    private void AddLink(AlertOptions options, FlapTracker flaps, ObservedLink link, string hostName, DateTimeOffset now)
    {
        var where = $"{link.Name} on {hostName}";
        if (RolloutFailed(link.Phase))
        {
            Add(options, new AlertCondition(new(AlertRule.RolloutFailed, link.HostId, link.Id, null), hostName, link.Name, $"The last rollout of {where} ended {link.Phase}"));
        }

        if (link.Phase == LinkPhase.Drifted)
        {
            Add(options, new AlertCondition(new(AlertRule.DriftDetected, link.HostId, link.Id, null), hostName, link.Name,
                $"{where} has drifted from its applied spec for more than {options.For(AlertRule.DriftDetected):c}"));
        }

        var counted = 0;
        var up = 0;
        var anyKnown = false;
        var impaired = new List<string>();
        foreach (var member in link.Members)
        {
            var flapping = flaps.Observe(link.Id, member.Interface, member.Health, now);
            if (member.AdminState == MemberAdminState.Disabled)
            {
                continue;
            }

            counted++;
            anyKnown |= member.Health != MemberHealth.Unknown;
            if (flapping)
            {
                _flapping.Add((link.Id, member.Interface));
                Add(options, new AlertCondition(new(AlertRule.MemberFlapping, link.HostId, link.Id, member.Interface), hostName, link.Name,
                    $"Member {member.Interface} of {where} changed between down and up more than {options.FlapChanges} times in {options.FlapWindow:c}"));
            }

            switch (member.Health)
            {
                case MemberHealth.Up:
                    up++;
                    break;
                case MemberHealth.Degraded:
                    up++;
                    impaired.Add(member.Interface + " degraded");
                    break;
                case MemberHealth.Down:
                    Add(options, new AlertCondition(new(AlertRule.MemberDown, link.HostId, link.Id, member.Interface), hostName, link.Name, $"Member {member.Interface} of {where} is down"));
                    if (!options.IsEnabled(AlertRule.MemberDown))
                    {
                        impaired.Add(member.Interface + " down");
                    }

                    break;
                case MemberHealth.Unknown:
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(link), member.Health, "unknown health");
            }
        }

        if (counted > 0 && anyKnown && up == 0)
        {
            _downLinks.Add(link.Id);
            Add(options, new AlertCondition(new(AlertRule.LinkDown, link.HostId, link.Id, null), hostName, link.Name, $"{where} is down: no member is up"));
        }
        else if (impaired.Count > 0)
        {
            Add(options, new AlertCondition(new(AlertRule.LinkDegraded, link.HostId, link.Id, null), hostName, link.Name, $"{where} is degraded: {string.Join(", ", impaired)}"));
        }
    }

    private void AddAggregation(AlertOptions options, AggregationTracker aggregation, ObservedLink link, string hostName, DateTimeOffset now)
    {
        // The options are fixed for the process's life: a disabled rule never applies, so it need not learn either.
        if (!options.IsEnabled(AlertRule.AggregationLost))
        {
            return;
        }

        // Learns even while impaired, so that the rule knows the members' recent throughput when it applies.
        var lost = aggregation.Observe(link, now - options.SampleMaxAge, now);

        // A member that is not up is member_down's or link_degraded's news, and explains the lost throughput.
        if (lost is { } throughput && link.Members.All(m => m.AdminState == MemberAdminState.Disabled || m.Health == MemberHealth.Up))
        {
            Add(options, new AlertCondition(new(AlertRule.AggregationLost, link.HostId, link.Id, null), hostName, link.Name,
                $"{link.Name} on {hostName} carries {throughput.NowBitsPerSecond / 1e6:0.#} Mbit/s, less than {options.Rules.AggregationLost.Share:P0} of the "
                + $"{throughput.RecentBitsPerSecond / 1e6:0.#} Mbit/s its members carried recently, while one of them is at its recent best: traffic no longer spreads over the members"));
        }
    }

    private static bool RolloutFailed(LinkPhase phase) => phase switch
    {
        LinkPhase.Failed or LinkPhase.RolledBack => true,

        // Drift has its own rule (drift_detected), with a longer "for": the agent may repair it (docs/agent.md).
        LinkPhase.Pending or LinkPhase.Applying or LinkPhase.Applied or LinkPhase.Drifted => false,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };

    private void Add(AlertOptions options, AlertCondition condition)
    {
        if (options.IsEnabled(condition.Subject.Rule))
        {
            Holding[condition.Subject] = condition;
        }
    }
}
