using System.Globalization;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>What the bond backend observes: the bond's options and driver status, each member's state, and failovers.</summary>
public sealed partial class BondBackend
{
    /// <summary>Observes the bond with everything read per member (options, driver status, LACP).</summary>
    public async Task<BondObservation> ObserveBondAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            var unknown = applied.Members.Select(m => new MemberObservation { Interface = m.Interface, Health = MemberHealth.Unknown, Detail = readError }).ToList();
            return new BondObservation(new LinkObservation(false, unknown, readError), null, null, []);
        }

        if (!links.TryGetValue(applied.Name, out var bond) || BondLinkInfo.From(bond) is not { } info)
        {
            var missing = applied.Members
                .Select(m => new BondMemberState { Interface = m.Interface, Health = MemberHealth.Down, Detail = $"bond {applied.Name} does not exist" })
                .ToList();
            var observation = new LinkObservation(false, missing.Select(ToMemberObservation).ToList(), $"bond {applied.Name} does not exist");
            _tracker.Record(applied.Name, observation.Members);
            return new BondObservation(observation, null, null, missing);
        }

        var statusText = await context.ReadFileAsync($"/proc/net/bonding/{applied.Name}", cancellationToken);
        var status = statusText is null ? null : BondProcStatus.Parse(statusText);
        var members = applied.Members.Select(m => ObserveMember(m, applied, links, info, status)).ToList();

        var drift = new List<string>();
        drift.AddRange(BondSettings.From(applied).Differences(info));
        if (!bond.IsUp)
        {
            drift.Add($"{applied.Name} is down");
        }

        foreach (var member in applied.Members)
        {
            var enslaved = links.TryGetValue(member.Interface, out var link) && link.Master == applied.Name;
            if (member.AdminState == MemberAdminState.Disabled && enslaved)
            {
                drift.Add($"{member.Interface} is enslaved but disabled in the spec");
            }
            else if (member.AdminState != MemberAdminState.Disabled && !enslaved)
            {
                drift.Add($"{member.Interface} is not enslaved to {applied.Name}");
            }
        }

        foreach (var stranger in links.Values.Where(l => l.Master == applied.Name && !applied.Members.Any(m => m.Interface == l.Name)))
        {
            drift.Add($"{stranger.Name} is enslaved to {applied.Name} but not in the spec");
        }

        if (applied.Mtu is { } mtu && bond.Mtu != mtu)
        {
            drift.Add($"mtu is {bond.Mtu}, not {mtu}");
        }

        if (applied.Bond?.MacAddress is { } mac && !string.Equals(bond.Address, mac, StringComparison.OrdinalIgnoreCase))
        {
            drift.Add($"MAC is {bond.Address}, not {mac}");
        }

        drift.AddRange(await _addressing.DriftAsync(applied.Name, applied, cancellationToken));

        var linkObservation = new LinkObservation(true, members.Select(ToMemberObservation).ToList(), drift.Count == 0 ? null : string.Join("; ", drift))
        {
            Bond = status is null ? null : BondReport.From(status),
        };
        _tracker.Record(applied.Name, linkObservation.Members);
        RecordFailover(applied.Name, info.ActiveSlave ?? status?.CurrentlyActiveSlave);
        return new BondObservation(linkObservation, info, status, members);
    }

    private static BondMemberState ObserveMember(MemberSpec spec, LinkSpec applied, IReadOnlyDictionary<string, IpLink> links, BondLinkInfo info, BondProcStatus? status)
    {
        if (!links.TryGetValue(spec.Interface, out var link))
        {
            return new BondMemberState { Interface = spec.Interface, Health = MemberHealth.Down, Detail = "interface does not exist" };
        }

        var counters = link.Statistics?.ToMemberCounters() ?? default;
        if (spec.AdminState == MemberAdminState.Disabled)
        {
            return new BondMemberState { Interface = spec.Interface, Health = MemberHealth.Down, Counters = counters, Detail = "disabled by the spec" };
        }

        if (link.Master != applied.Name || BondMemberInfo.From(link) is not { } member)
        {
            return new BondMemberState { Interface = spec.Interface, Health = MemberHealth.Down, Counters = counters, Detail = $"not enslaved to {applied.Name}" };
        }

        var proc = status?.Member(spec.Interface);
        var health = member.MiiStatus switch
        {
            "UP" => MemberHealth.Up,
            "DOWN" => MemberHealth.Down,
            "GOING_DOWN" or "GOING_BACK" => MemberHealth.Degraded,
            _ => MemberHealth.Unknown,
        };
        var parts = new List<string> { $"MII {member.MiiStatus?.ToLowerInvariant().Replace('_', ' ') ?? "unknown"}" };
        if (member.State is { } state)
        {
            parts.Add(state.ToLowerInvariant());
        }

        if (proc?.SpeedMbps is { } speed)
        {
            parts.Add($"{speed} Mb/s {proc.Duplex ?? "unknown"} duplex");
        }

        parts.Add(member.LinkFailureCount == 1 ? "1 link failure" : $"{member.LinkFailureCount} link failures");

        if (info.Mode == "802.3ad")
        {
            var aggregator = member.AggregatorId ?? proc?.AggregatorId;
            parts.Add($"aggregator {aggregator?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            if (member.ActorState is { } actor)
            {
                parts.Add($"actor {LacpPortStates.Describe(actor)}");
            }

            if (member.PartnerState is { } partner)
            {
                parts.Add($"partner {LacpPortStates.Describe(partner)}");
            }

            if (health == MemberHealth.Up)
            {
                if (info.ActiveAggregatorId is { } active && aggregator != active)
                {
                    health = MemberHealth.Degraded;
                    parts.Add($"not in the active aggregator {active}");
                }
                else if (member.PartnerState is not { } partnerState || !LacpPortStates.IsCarrying(partnerState))
                {
                    health = MemberHealth.Degraded;
                    parts.Add("LACP partner not in sync");
                }
            }
        }

        return new BondMemberState
        {
            Interface = spec.Interface,
            Health = health,
            Enslaved = true,
            State = member.State,
            MiiStatus = member.MiiStatus,
            LinkFailureCount = member.LinkFailureCount,
            SpeedMbps = proc?.SpeedMbps,
            Duplex = proc?.Duplex,
            AggregatorId = member.AggregatorId ?? proc?.AggregatorId,
            ActorState = member.ActorState,
            PartnerState = member.PartnerState,
            Counters = counters,
            Detail = string.Join(", ", parts),
        };
    }

    private static MemberObservation ToMemberObservation(BondMemberState member) => new()
    {
        Interface = member.Interface,
        Health = member.Health,
        Counters = member.Counters,
        Detail = member.Detail,
    };

    private void RecordFailover(string name, string? active)
    {
        lock (_lastActive)
        {
            if (_lastActive.TryGetValue(name, out var before) && before != active && active is not null)
            {
                _tracker.Add(name, AgentEventKind.Failover, EventSeverity.Warning, active, $"{name}: traffic moved from {before ?? "no member"} to {active}");
            }

            _lastActive[name] = active;
        }
    }
}
