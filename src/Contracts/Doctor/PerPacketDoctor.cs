namespace Fleet.Contracts.Doctor;

/// <summary>
/// The finding of per-packet round robin without resequencing (teql, bond balance-rr): paths of different delay
/// reorder every flow (docs/doctor.md).
/// </summary>
internal static class PerPacketDoctor
{
    /// <summary>A <c>delay_spread</c> finding when the carrying members' RTTs differ by more than the threshold.</summary>
    public static IEnumerable<Finding> DelaySpread(LinkEvidence evidence, DoctorThresholds thresholds, string what)
    {
        if (KindDoctor.RttExtremes(evidence) is not var (slow, fast))
        {
            yield break;
        }

        var spread = slow.RttMs!.Value - fast.RttMs!.Value;
        if (spread > thresholds.ReorderingSpreadMs)
        {
            yield return new Finding("delay_spread", FindingSeverity.Warning, slow.Member, $"{slow.Member}'s delay reorders every flow",
                $"RTT {LinkDoctor.Number(slow.RttMs.Value, "ms")} on {slow.Member} against {LinkDoctor.Number(fast.RttMs.Value, "ms")} on {fast.Member} (median {evidence.Window}), {LinkDoctor.Number(spread, "ms")} apart (threshold {LinkDoctor.Number(thresholds.ReorderingSpreadMs, "ms")})",
                $"{what} sends packets in turn and nothing puts them back in order: TCP takes the reordering for loss and slows down, so the link can deliver less than its fastest member alone.",
                $"Remove {slow.Member} from the link (or make it a backup), or use a striper link, whose receiver resequences (scheduler earliest_arrival).");
        }
    }
}
