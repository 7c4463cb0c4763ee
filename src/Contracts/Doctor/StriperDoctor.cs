using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>The striper's own findings: delay spread against the hold time, and a scheduler that does not fit (docs/doctor.md).</summary>
public sealed class StriperDoctor : KindDoctor
{
    /// <inheritdoc />
    public override IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        if (evidence.Spec.Striper is not { } options)
        {
            yield break;
        }

        var carrying = evidence.Members.Where(m => m.Carrying).ToList();
        var spreadMatters = options.Scheduler is not (StripeSchedulerKind.EarliestArrival or StripeSchedulerKind.ActiveBackup or StripeSchedulerKind.Redundant);
        if (spreadMatters && RttExtremes(evidence) is var (slow, fast))
        {
            var oneWay = (slow.RttMs!.Value - fast.RttMs!.Value) / 2;
            var limit = thresholds.HoldShare * options.MaxHoldMs;
            if (oneWay > limit)
            {
                yield return new Finding("delay_spread", FindingSeverity.Warning, slow.Member, $"{slow.Member} is too slow for the resequencer",
                    $"RTT {LinkDoctor.Number(slow.RttMs.Value, "ms")} on {slow.Member} against {LinkDoctor.Number(fast.RttMs.Value, "ms")} on {fast.Member} (median {evidence.Window}): its packets arrive about {LinkDoctor.Number(oneWay, "ms")} later, above {thresholds.HoldShare:P0} of the hold time ({options.MaxHoldMs} ms)",
                    $"The receiver holds packets back to put them in order; a packet that waits for {slow.Member}'s slower copy of the sequence is late for every flow, and once the gap outlasts the hold time it is given up as lost.",
                    $"Switch the scheduler to earliest_arrival (it sends each packet where it arrives first), or make {slow.Member} tier backup.",
                    new SpecSuggestion { Scheduler = StripeSchedulerKind.EarliestArrival });
            }
        }

        foreach (var finding in Scheduler(options.Scheduler, carrying, thresholds))
        {
            yield return finding;
        }
    }

    /// <inheritdoc />
    public override string LossySuggestion(string member) =>
        $"Make {member} tier backup or lower its weight; for loss-sensitive traffic add a class with fec or duplicate.";

    /// <inheritdoc />
    public override SpecSuggestion? LossyEdit(string member) =>
        new() { Tiers = new Dictionary<string, LinkTier>(StringComparer.Ordinal) { [member] = LinkTier.Backup } };

    private static IEnumerable<Finding> Scheduler(StripeSchedulerKind scheduler, List<MemberEvidence> carrying, DoctorThresholds thresholds)
    {
        switch (scheduler)
        {
            case StripeSchedulerKind.RoundRobin:
                var weights = carrying.Select(m => m.Weight ?? 1);
                var rates = carrying.All(m => m.RateBitsPerSecond is not null) ? carrying.Select(m => (double)m.RateBitsPerSecond!.Value) : [];
                if (Unequal(weights, thresholds.UnequalRatio) || Unequal(rates, thresholds.UnequalRatio))
                {
                    yield return new Finding("scheduler_unsuited", FindingSeverity.Warning, null, "round_robin over unequal paths",
                        $"scheduler round_robin; weights {string.Join(", ", carrying.Select(m => $"{m.Member} {m.Weight ?? 1}"))}" +
                        (rates.Any() ? $"; rates {string.Join(", ", carrying.Select(m => $"{m.Member} {LinkDoctor.Rate(m.RateBitsPerSecond!.Value)}"))}" : ""),
                        "Round robin gives every path the same share and ignores weights and rates: the slowest path sets the pace, so the link delivers about its rate times the number of paths.",
                        "Switch the scheduler to weighted (or adaptive, which measures the paths itself).",
                        new SpecSuggestion { Scheduler = Unequal(weights, thresholds.UnequalRatio) ? StripeSchedulerKind.Weighted : StripeSchedulerKind.Adaptive });
                }

                break;
            case StripeSchedulerKind.ActiveBackup:
                if (carrying.Count >= 2)
                {
                    yield return NoAggregationByDesign("active_backup carries on one path at a time",
                        $"scheduler active_backup with {carrying.Count} paths up",
                        "Active-backup is failover, not aggregation: the link's rate is its best path's.",
                        "If aggregation is wanted, switch the scheduler to weighted or adaptive.");
                }

                break;
            case StripeSchedulerKind.Redundant:
                if (carrying.Count >= 2)
                {
                    yield return NoAggregationByDesign("redundant sends every packet more than once",
                        $"scheduler redundant with {carrying.Count} paths up",
                        "Copies buy loss protection with capacity: the link's rate is about its best path's, not the sum.",
                        "For aggregation, switch to weighted and give only loss-sensitive traffic a duplicate or fec class.");
                }

                break;
            case StripeSchedulerKind.Weighted:
            case StripeSchedulerKind.BwPoll:
            case StripeSchedulerKind.EarliestArrival:
            case StripeSchedulerKind.BwLag:
            case StripeSchedulerKind.Adaptive:
                break;
            default:
                throw new InvalidOperationException($"unknown scheduler {scheduler}");
        }
    }
}
