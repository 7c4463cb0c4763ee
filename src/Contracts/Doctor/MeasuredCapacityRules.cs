using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// The findings that need a path speed test (docs/doctor.md): configured weights or rate hints that do not match the
/// measured capacities, and a capacity far below the interface's speed. Without measured capacities they find nothing.
/// </summary>
public static class MeasuredCapacityRules
{
    /// <summary>The findings of <paramref name="evidence"/>'s measured capacities.</summary>
    public static IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds t)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(t);
        if (Mismatch(evidence, t) is { } mismatch)
        {
            yield return mismatch;
        }

        foreach (var m in evidence.Members)
        {
            if (m.MeasuredCapacityBitsPerSecond is { } measured and > 0 && m.InterfaceSpeedBitsPerSecond is { } speed and > 0 && measured < t.ShapingShare * speed)
            {
                yield return new Finding("shaping_upstream", FindingSeverity.Info, m.Member, $"{m.Member} carries far less than its interface's speed",
                    $"speed test: {LinkDoctor.Rate(measured)} on {m.Member}, whose interface runs at {LinkDoctor.Rate(speed)} ({measured / speed:P0})",
                    "Something beyond the interface limits the path: the provider's plan, a modem or a QoS setting upstream. The link cannot aggregate more than that, whatever the interface says.",
                    $"Plan with what the path carries: set {m.Member}'s rateBitsPerSecond to {Math.Round(measured / 1e6):0} Mbit/s (or ask the provider about the shaping).",
                    evidence.Spec.Striper is null ? null : new SpecSuggestion { Rates = new Dictionary<string, long>(StringComparer.Ordinal) { [m.Member] = WholeMegabits(measured) } });
            }
        }
    }

    /// <summary>
    /// Rate hints when every measured member has one (the schedulers plan with them), else weights under the weighted
    /// scheduler; other schedulers measure the paths themselves, so there is nothing configured to compare.
    /// </summary>
    private static Finding? Mismatch(LinkEvidence evidence, DoctorThresholds t)
    {
        if (evidence.Spec.Striper is not { } options)
        {
            return null;
        }

        var measured = evidence.Members.Where(m => m.Carrying && m.MeasuredCapacityBitsPerSecond is > 0).ToList();
        if (measured.Count < 2)
        {
            return null;
        }

        var byRates = measured.All(m => m.RateBitsPerSecond is > 0);
        if (!byRates && options.Scheduler != StripeSchedulerKind.Weighted)
        {
            return null;
        }

        var configured = measured.Select(m => byRates ? (double)m.RateBitsPerSecond!.Value : m.Weight ?? 1).ToList();
        var capacities = measured.Select(m => m.MeasuredCapacityBitsPerSecond!.Value).ToList();
        var configuredSum = configured.Sum();
        var capacitySum = capacities.Sum();
        var worst = -1;
        var worstOff = 0.0;
        for (var i = 0; i < measured.Count; i++)
        {
            var off = Math.Abs((configured[i] / configuredSum) / (capacities[i] / capacitySum) - 1);
            if (off > worstOff)
            {
                worst = i;
                worstOff = off;
            }
        }

        if (worstOff <= t.CapacityMismatch)
        {
            return null;
        }

        var what = byRates ? "rate hints" : "weights";
        var smallest = capacities.Min();
        var suggestion = byRates
            ? string.Join(", ", measured.Select((m, i) => $"{m.Member} {Math.Round(capacities[i] / 1e6):0} Mbit/s"))
            : string.Join(", ", measured.Select((m, i) => $"{m.Member} {LinkDoctor.Number(capacities[i] / smallest, "").Trim()}"));
        return new Finding("capacity_mismatch", FindingSeverity.Warning, measured[worst].Member, $"The {what} do not match the measured capacities",
            $"{what} {string.Join(", ", measured.Select((m, i) => $"{m.Member} {(byRates ? LinkDoctor.Rate(configured[i]) : LinkDoctor.Number(configured[i], "").Trim())}"))}; " +
            $"speed test {string.Join(", ", measured.Select((m, i) => $"{m.Member} {LinkDoctor.Rate(capacities[i])}"))}: {measured[worst].Member}'s share is off by {worstOff:P0}",
            "The scheduler gives each path the share its configuration says: a path given more than it carries queues and drops, one given less sits partly idle, and the link delivers less than the sum.",
            $"Set the {what} to the measured capacities: {suggestion}.",
            byRates
                ? new SpecSuggestion { Rates = measured.Select((m, i) => (m.Member, WholeMegabits(capacities[i]))).ToDictionary(StringComparer.Ordinal) }
                : new SpecSuggestion { Weights = measured.Select((m, i) => (m.Member, Math.Round(capacities[i] / smallest, 1))).ToDictionary(StringComparer.Ordinal) });
    }

    /// <summary>A rate hint as the suggestion's text shows it: whole Mbit/s, at least 1.</summary>
    private static long WholeMegabits(double bitsPerSecond) => Math.Max(1, (long)Math.Round(bitsPerSecond / 1e6)) * 1_000_000;
}
