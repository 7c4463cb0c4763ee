namespace Fleet.Contracts.Doctor;

/// <summary>
/// The findings from what a data-path engine measures of its paths and of itself (the striper today; kinds whose
/// members report none of these measurements never get them): an MTU black hole from its full-size DF probes, and a
/// CPU-bound engine from its threads' CPU time (docs/doctor.md).
/// </summary>
public static class EngineMeasurementRules
{
    /// <summary>
    /// <c>mtu_black_hole</c>: an active member whose full-size probes are lost while its small ones pass. Judged on
    /// members that are not carrying too: a black-holed path may well be degraded by the data it loses.
    /// </summary>
    public static IEnumerable<Finding> MtuBlackHole(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(thresholds);
        var mtu = evidence.Spec.Mtu is { } configured ? $"the link's MTU, {configured} bytes" : "the link's MTU";
        foreach (var m in evidence.Members)
        {
            if (m.AdminState != Links.MemberAdminState.Active || m.LargeProbeLossPercent is not { } large || m.SmallProbeLossPercent is not { } small
                || large < thresholds.BlackHoleLargeLossPercent || small > thresholds.BlackHoleSmallLossPercent)
            {
                continue;
            }

            yield return new Finding("mtu_black_hole", FindingSeverity.Warning, m.Member, $"{m.Member} loses full-size packets (MTU black hole)",
                $"{LinkDoctor.Number(large, "%")} of the full-size probes on {m.Member} lost against {LinkDoctor.Number(small, "%")} of the small probes, average {evidence.Window}; full size is {mtu} plus the striper's framing, sent with don't-fragment",
                "A hop on this path carries less than the link's datagrams and the ICMP \"fragmentation needed\" that would say so does not come back (RFC 1191, RFC 8201): every full-size packet striped onto the path is lost, and TCP flows that send full segments stall on each one.",
                $"Lower the link's mtu so its datagrams fit the path (1280, the smallest MTU IPv6 allows, is safe; raise it while this finding stays away), or lower the MTU of {m.Member}'s hop that drops them and let its ICMP through; for TCP alone, clamping the MSS on the link also helps.");
        }
    }

    /// <summary>
    /// <c>cpu_bound</c>: the busiest data-path thread near a whole core on average. The value is the link's (every
    /// member reports it), so the finding names no member; its send drops are added as the numbers a full queue leaves.
    /// </summary>
    public static IEnumerable<Finding> CpuBound(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(thresholds);
        var measured = evidence.Members.Where(m => m.CpuPercent is not null).ToList();
        if (measured.Count == 0)
        {
            yield break;
        }

        var cpu = measured.Max(m => m.CpuPercent!.Value);
        if (cpu < thresholds.CpuBoundPercent)
        {
            yield break;
        }

        var drops = evidence.Members.Where(m => m.TxDropPercent > 0).ToList();
        var dropText = drops.Count == 0
            ? "; no packets dropped on send"
            : $"; dropped on send: {string.Join(", ", drops.Select(m => $"{m.Member} {LinkDoctor.Number(m.TxDropPercent!.Value, "%")}"))}";
        yield return new Finding("cpu_bound", FindingSeverity.Warning, null, "The striper is CPU-bound",
            $"its busiest data-path thread used {LinkDoctor.Number(cpu, "%")} of one core on average {evidence.Window} while the link carried {LinkDoctor.Rate(evidence.BitsPerSecond)}{dropText}",
            "Each link's packets are sealed and sent by one thread and received and opened by another: a thread at a whole core cannot take more, so the link stops at what this host's CPU can encrypt, whatever its paths could carry.",
            "Give the host a faster CPU or fewer striper links (each link has its own threads); a larger link mtu carries more per packet at the same cost (when every path carries it); keep other busy processes off the host.");
    }
}
