using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>A kernel bond's own findings, by mode (docs/doctor.md).</summary>
public sealed class BondDoctor : KindDoctor
{
    /// <inheritdoc />
    public override IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        if (evidence.Spec.Bond is not { } bond)
        {
            return [];
        }

        return [.. BondDriverRules.Diagnose(evidence, bond, thresholds), .. ByMode(evidence, thresholds, bond)];
    }

    /// <inheritdoc />
    public override string LossySuggestion(string member) =>
        $"Take {member} out of the bond (or make it the backup of an active-backup bond) until its loss is fixed.";

    private static IEnumerable<Finding> ByMode(LinkEvidence evidence, DoctorThresholds thresholds, BondOptions bond)
    {
        var carrying = evidence.Members.Count(m => m.Carrying);
        return bond.Mode switch
        {
            BondMode.BalanceRoundRobin => PerPacketDoctor.DelaySpread(evidence, thresholds, "balance-rr"),
            BondMode.ActiveBackup => carrying < 2 ? [] :
            [
                NoAggregationByDesign("active-backup carries on one member at a time",
                    $"mode active-backup with {carrying} members up",
                    "Active-backup is failover, not aggregation: the bond's rate is its active member's.",
                    "If aggregation is wanted: balance-rr over paths of equal delay, 802.3ad with a switch that aggregates, or a striper link."),
            ],
            BondMode.BalanceXor or BondMode.Ieee8023ad or BondMode.BalanceTlb or BondMode.BalanceAlb => OneFlowOneMember(evidence, thresholds, bond),
            _ => throw new InvalidOperationException($"unknown bond mode {bond.Mode}"),
        };
    }

    private static IEnumerable<Finding> OneFlowOneMember(LinkEvidence evidence, DoctorThresholds thresholds, BondOptions bond)
    {
        if (Concentration(evidence, thresholds) is not var (member, share))
        {
            yield break;
        }

        var policy = bond.XmitHashPolicy is { } p ? p.ToString() : "layer2 (the default)";
        yield return new Finding("one_flow_one_member", FindingSeverity.Info, member.Member, $"{member.Member} carries {share:P0} of the traffic",
            $"{member.Member} carried {share:P0} of the bond's bytes {evidence.Window}; transmit hash policy {policy}",
            "Hashing bonds put each flow on one member, so one flow never goes faster than one member; that is how they are built, not a fault. Few flows, or flows between the same two hosts with layer2 hashing, land on the same member.",
            "Expected with few flows. With many flows between the same hosts, hash on layer3+4; to speed up a single flow, use a striper link.");
    }
}
