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
        foreach (var member in carrying.Where(m => specMembers.TryGetValue(m.Member, out var spec)
            && !spec.MptcpFlags.Contains(MptcpEndpointFlag.Subflow) && !spec.MptcpFlags.Contains(MptcpEndpointFlag.Signal)))
        {
            yield return new Finding("endpoint_flags", FindingSeverity.Warning, member.Member, $"{member.Member}'s endpoint opens no subflow",
                $"{member.Member}'s endpoint has neither the subflow nor the signal flag",
                "Without subflow this host does not open subflows from the endpoint, and without signal it does not announce it to the peer: no connection uses it.",
                $"Give {member.Member} the subflow flag (and signal if the peer should connect to it).");
        }

        if (Concentration(evidence, thresholds) is var (top, share))
        {
            yield return new Finding("one_subflow", FindingSeverity.Warning, top.Member, $"{top.Member} carries {share:P0} of the traffic",
                $"{top.Member} carried {share:P0} of the link's bytes {evidence.Window} while {carrying.Count - 1} other members were up",
                "MPTCP spreads a connection over subflows only if both ends speak MPTCP: plain TCP applications, or a middlebox that strips MP_CAPABLE or MP_JOIN, leave everything on the first subflow.",
                "Run the applications under mptcpize (mptcp.mptcpizeServices), check the peer has MPTCP enabled, and check nothing on the path strips MPTCP options.");
        }
    }

    /// <inheritdoc />
    public override string LossySuggestion(string member) =>
        $"Give {member}'s endpoint the backup flag, so subflows use it only when the others fail.";
}
