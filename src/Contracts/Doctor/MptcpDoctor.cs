using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>MPTCP's own findings: limits, endpoint flags, everything on one subflow (docs/doctor.md).</summary>
public sealed class MptcpDoctor : KindDoctor
{
    /// <inheritdoc />
    public override IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        var carrying = evidence.Members.Where(m => m.Carrying).ToList();
        var limit = evidence.Spec.Mptcp?.SubflowsLimit ?? new MptcpOptions().SubflowsLimit;
        if (carrying.Count >= 2 && limit < carrying.Count - 1)
        {
            yield return new Finding("mptcp_limits", FindingSeverity.Warning, null, $"subflows limit {limit} leaves members unused",
                $"subflows limit {limit}: a connection uses at most {limit + 1} of the {carrying.Count} members up",
                "Each connection opens at most the limit's number of extra subflows; members beyond it carry nothing for that connection.",
                $"Raise mptcp.subflowsLimit to {carrying.Count - 1}.");
        }

        var specMembers = evidence.Spec.Members.ToDictionary(m => m.Interface, StringComparer.Ordinal);
        var concentration = Concentration(evidence, thresholds);
        foreach (var member in carrying)
        {
            if (!specMembers.TryGetValue(member.Member, out var spec) || spec.MptcpFlags.Contains(MptcpEndpointFlag.Subflow))
            {
                continue;
            }

            if (!spec.MptcpFlags.Contains(MptcpEndpointFlag.Signal))
            {
                yield return new Finding("endpoint_flags", FindingSeverity.Warning, member.Member, $"{member.Member}'s endpoint opens no subflow",
                    $"{member.Member}'s endpoint has neither the subflow nor the signal flag",
                    "Without subflow this host does not open subflows from the endpoint, and without signal it does not announce it to the peer: no connection uses it.",
                    $"Give {member.Member} the subflow flag (and signal if the peer should connect to it).");
            }
            else if (concentration is var (top, share) && top != member)
            {
                // A signal-only endpoint is used only if the peer connects to the address it announces, which servers
                // rarely do (their add_addr_accepted limit is 0 by default): the traffic staying on one member shows it.
                yield return new Finding("endpoint_flags", FindingSeverity.Warning, member.Member, $"{member.Member}'s endpoint opens no subflow",
                    $"{member.Member}'s endpoint has signal but not subflow, and {top.Member} carried {share:P0} of the link's bytes {evidence.Window}",
                    $"Signal only announces {member.Member}'s address; this host opens no subflow from it, so a connection uses it only if the peer connects back to it, and here it did not.",
                    $"Give {member.Member} the subflow flag (keep signal if the peer should connect to it too).");
            }
        }

        if (concentration is var (busiest, busiestShare))
        {
            yield return new Finding("one_subflow", FindingSeverity.Warning, busiest.Member, $"{busiest.Member} carries {busiestShare:P0} of the traffic",
                $"{busiest.Member} carried {busiestShare:P0} of the link's bytes {evidence.Window} while {carrying.Count - 1} other members were up",
                "MPTCP spreads a connection over subflows only if both ends speak MPTCP and the extra subflows get through: plain TCP applications, a middlebox (firewall, NAT, proxy) that strips MP_CAPABLE or drops the MP_JOIN handshake, or subflow limits of 0 on either end leave everything on the first subflow.",
                "Run the applications under mptcpize (mptcp.mptcpizeServices); check the peer has MPTCP enabled and its limits allow extra subflows (ip mptcp limits: subflows, add_addr_accepted); check no firewall or middlebox on the paths drops TCP SYNs carrying MP_JOIN (option 30) or strips MPTCP options.");
        }
    }

    /// <inheritdoc />
    public override string LossySuggestion(string member) =>
        $"Give {member}'s endpoint the backup flag, so subflows use it only when the others fail.";
}
