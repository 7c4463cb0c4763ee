using System.Globalization;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// The bond findings that judge what the bonding driver reports (<see cref="LinkEvidence.Bond"/>) rather than the
/// members' counters: LACP ports outside the active aggregator, members of unequal speed under balance-rr, and no link
/// monitor (docs/doctor.md, "Bond").
/// </summary>
internal static class BondDriverRules
{
    /// <summary>The partner system MAC a port reports before any LACPDU reached it (drivers/net/bonding/bond_3ad.c).</summary>
    public const string NoPartnerMac = "00:00:00:00:00:00";

    public static IEnumerable<Finding> Diagnose(LinkEvidence evidence, BondOptions bond, DoctorThresholds thresholds)
    {
        if (evidence.Bond is not { } observed)
        {
            return [];
        }

        return bond.Mode switch
        {
            BondMode.Ieee8023ad => [.. NotAggregating(evidence, observed), .. MonitorOff(evidence, observed)],
            BondMode.BalanceRoundRobin => [.. UnequalSpeeds(evidence, observed, thresholds), .. MonitorOff(evidence, observed)],
            BondMode.ActiveBackup or BondMode.BalanceXor or BondMode.BalanceTlb or BondMode.BalanceAlb => MonitorOff(evidence, observed),
            _ => throw new InvalidOperationException($"unknown bond mode {bond.Mode}"),
        };
    }

    /// <summary>
    /// 802.3ad sends over the active aggregator's ports only: a carrying member whose partner sent no LACPDU, or whose
    /// port is in another aggregator, carries nothing.
    /// </summary>
    private static IEnumerable<Finding> NotAggregating(LinkEvidence evidence, ObservedBond observed)
    {
        var inActive = observed.Members.Where(m => m.AggregatorId is { } id && id == observed.ActiveAggregatorId).Select(m => m.Member).ToList();
        foreach (var member in evidence.Members.Where(m => m.Carrying))
        {
            if (observed.Members.FirstOrDefault(m => m.Member == member.Member) is not { } port)
            {
                continue;
            }

            var noPartner = port.PartnerMacAddress == NoPartnerMac;
            var otherAggregator = observed.ActiveAggregatorId is { } active && port.AggregatorId is { } own && own != active;
            if (!noPartner && !otherAggregator)
            {
                continue;
            }

            var aggregator = port.AggregatorId is { } id ? id.ToString(CultureInfo.InvariantCulture) : "none";
            var activeText = observed.ActiveAggregatorId is { } a
                ? $"the bond's active aggregator is {a.ToString(CultureInfo.InvariantCulture)} ({(inActive.Count == 0 ? "no member" : string.Join(", ", inActive))})"
                : "the bond has no active aggregator";
            yield return new Finding("lacp_not_aggregating", FindingSeverity.Warning, member.Member,
                $"{member.Member} is not aggregating: {(noPartner ? "no LACP partner" : "its LACP partner put it in another aggregator")}",
                $"{member.Member}: partner MAC {port.PartnerMacAddress ?? "unknown"}{(noPartner ? " (no LACPDU received)" : "")}, aggregator {aggregator}; {activeText}; as the bonding driver reports it now",
                $"802.3ad sends only over the ports of the active aggregator: a port whose partner does not aggregate it with the others carries nothing, so the bond runs on {inActive.Count} of its {evidence.Members.Count(m => m.Carrying)} members up.",
                $"Check the switch's LACP (port-channel) configuration for the port {member.Member} is plugged into: it must be in the same port-channel as the bond's other ports, with LACP on (active or passive, not a static channel), at the same speed and duplex. Without a switch that speaks LACP, use balance-xor or active-backup.");
        }
    }

    /// <summary>
    /// balance-rr gives every member the same share of packets, so the bond carries at most its member count times the
    /// slowest member's speed.
    /// </summary>
    private static IEnumerable<Finding> UnequalSpeeds(LinkEvidence evidence, ObservedBond observed, DoctorThresholds thresholds)
    {
        var speeds = evidence.Members
            .Where(m => m.Carrying)
            .Select(m => (m.Member, Mbps: observed.Members.FirstOrDefault(o => o.Member == m.Member)?.SpeedMbps))
            .Where(s => s.Mbps is > 0)
            .Select(s => (s.Member, Mbps: s.Mbps!.Value))
            .ToList();
        if (!KindDoctor.Unequal(speeds.Select(s => (double)s.Mbps), thresholds.UnequalRatio))
        {
            yield break;
        }

        var slowest = speeds.MinBy(s => s.Mbps);
        var ceiling = (long)slowest.Mbps * speeds.Count;
        var sum = speeds.Sum(s => (long)s.Mbps);
        var listed = string.Join(", ", speeds.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Member} {s.Mbps} Mbit/s")));
        yield return new Finding("unequal_speeds", FindingSeverity.Warning, slowest.Member,
            $"balance-rr over members of different speeds: {slowest.Member} holds the bond back",
            $"link speeds {listed} (as the bonding driver reports them; unequal above {LinkDoctor.Number(thresholds.UnequalRatio, "×")})",
            string.Create(CultureInfo.InvariantCulture, $"balance-rr sends the members one packet each in turn, so each gets the same share: the bond carries at most {speeds.Count} × {slowest.Mbps} = {ceiling} Mbit/s of the {sum} Mbit/s its members have, and the faster members wait."),
            $"Use members of one speed, or balance-xor or 802.3ad (each flow on one member, at that member's speed); to share by speed, a striper link with the weighted scheduler (weights in proportion to the speeds).");
    }

    /// <summary>
    /// Neither MII nor ARP monitoring: the bond never learns that a member lost its link. Fleet's validator refuses such
    /// a spec, but a spec that adopts an existing bond keeps the bond's own settings.
    /// </summary>
    private static IEnumerable<Finding> MonitorOff(LinkEvidence evidence, ObservedBond observed)
    {
        if (observed.MiimonMs > 0 || observed.ArpIntervalMs > 0)
        {
            yield break;
        }

        var name = evidence.Spec.Name;
        yield return new Finding("miimon_off", FindingSeverity.Warning, null, $"{name} has no link monitor (miimon off)",
            string.Create(CultureInfo.InvariantCulture, $"miimon {observed.MiimonMs} ms and arp_interval {observed.ArpIntervalMs} ms on {name}, as the kernel has them now"),
            "Without a link monitor the bond never learns that a member lost its link: it keeps sending that member's share of the traffic into it, the flows on it stall, and an active-backup bond never fails over.",
            $"Set miimon 100: bond.miimonMs 100 in the link's spec (or ip link set {name} type bond miimon 100 on the host).");
    }
}
