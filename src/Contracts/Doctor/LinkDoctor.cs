using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// "Why isn't it aggregating?" for one link: the rules every kind shares (members down or silent, a lossy member, no
/// demand), then its kind's own (<see cref="LinkKindDescriptor.Doctor"/>), ranked and summed up in a verdict
/// (docs/doctor.md). Pure: the Api feeds it evidence from stored samples; the same rules serve REST and the dashboard.
/// </summary>
public static class LinkDoctor
{
    /// <summary>Diagnoses <paramref name="evidence"/> with <paramref name="thresholds"/> (the defaults when null).</summary>
    public static Diagnosis Diagnose(LinkEvidence evidence, DoctorThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var t = thresholds ?? new DoctorThresholds();
        if (evidence.Members.All(m => m.Samples == 0))
        {
            return Result(evidence, DoctorVerdict.NoData, "No samples in the window: is the agent online?", []);
        }

        var doctor = LinkKinds.Of(evidence.Spec.Kind).Doctor;
        var findings = new List<Finding>();
        findings.AddRange(Silent(evidence));
        findings.AddRange(Down(evidence, t));
        findings.AddRange(EngineMeasurementRules.MtuBlackHole(evidence, t));
        findings.AddRange(EngineMeasurementRules.CpuBound(evidence, t));
        findings.AddRange(Lossy(evidence, doctor, t));
        findings.AddRange(MeasuredCapacityRules.Diagnose(evidence, t));
        findings.AddRange(doctor.Diagnose(evidence, t));
        var idle = evidence.BitsPerSecond < t.IdleBitsPerSecond;
        if (idle)
        {
            findings.Add(new Finding("no_demand", FindingSeverity.Info, null, "No demand: the link is nearly idle",
                $"{Rate(evidence.BitsPerSecond)} through the link on average {evidence.Window} (threshold {Rate(t.IdleBitsPerSecond)})",
                "Aggregation shows only when more is offered than one member carries; an idle link is not a fault.",
                "Nothing to change. To see what the link can do, run traffic through it (or a speed test)."));
        }

        // Stable: within a severity the rules' order stands (a member down before what its absence causes).
        var ranked = findings.OrderByDescending(f => f.Severity).ToList();
        var top = ranked.FirstOrDefault();
        var verdict = top?.Severity switch
        {
            FindingSeverity.Critical => DoctorVerdict.Impaired,
            FindingSeverity.Warning => DoctorVerdict.Limited,
            FindingSeverity.Info or null => idle ? DoctorVerdict.NoDemand : DoctorVerdict.Healthy,
            _ => throw new InvalidOperationException($"unknown severity {top.Severity}"),
        };
        var summary = verdict switch
        {
            DoctorVerdict.Healthy => $"Healthy: {evidence.Members.Count(m => m.Carrying)} members carrying, nothing limits aggregation",
            DoctorVerdict.NoDemand or DoctorVerdict.Limited or DoctorVerdict.Impaired or DoctorVerdict.NoData => top!.Title,
            _ => throw new InvalidOperationException($"unknown verdict {verdict}"),
        };
        return Result(evidence, verdict, summary, ranked);
    }

    /// <summary>A bit rate for people: <c>46.2 Mbit/s</c>.</summary>
    public static string Rate(double bitsPerSecond) => bitsPerSecond switch
    {
        >= 1e9 => Number(bitsPerSecond / 1e9, "Gbit/s"),
        >= 1e6 => Number(bitsPerSecond / 1e6, "Mbit/s"),
        >= 1e3 => Number(bitsPerSecond / 1e3, "kbit/s"),
        _ => Number(bitsPerSecond, "bit/s"),
    };

    /// <summary><paramref name="value"/> with one decimal and <paramref name="unit"/>, invariant.</summary>
    public static string Number(double value, string unit) => string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {unit}");

    private static Diagnosis Result(LinkEvidence evidence, DoctorVerdict verdict, string summary, IReadOnlyList<Finding> findings) => new()
    {
        LinkId = evidence.LinkId,
        Verdict = verdict,
        Summary = summary,
        From = evidence.From,
        To = evidence.To,
        Findings = findings,
        Members = evidence.Members,
        Aggregation = AggregationRatio.Of(evidence),
        Bond = evidence.Bond,
    };

    private static IEnumerable<Finding> Silent(LinkEvidence evidence) =>
        evidence.Members
            .Where(m => m.Samples == 0 && m.AdminState == MemberAdminState.Active)
            .Select(m => new Finding("member_silent", FindingSeverity.Warning, m.Member, $"{m.Member} reports nothing",
                $"no samples from {m.Member} {evidence.Window}, while the link's other members reported",
                "The agent does not see this member: it carries nothing, and its health is unknown.",
                $"Check that {m.Member} exists on the host (renamed, or a modem that did not come up), or remove it from the link."));

    private static IEnumerable<Finding> Down(LinkEvidence evidence, DoctorThresholds t)
    {
        foreach (var m in evidence.Members.Where(m => m.Samples > 0 && m.AdminState == MemberAdminState.Active && m.DownShare >= t.DownShare))
        {
            var standby = m.Tier is LinkTier.Backup or LinkTier.Never;
            yield return new Finding("member_down", standby ? FindingSeverity.Warning : FindingSeverity.Critical, m.Member,
                $"{m.Member} is down",
                $"{m.Member} down in {m.DownShare:P0} of its {m.Samples} samples {evidence.Window}",
                standby
                    ? "A standby member that is down leaves the link without its fallback."
                    : $"A down member carries nothing: the link has {evidence.Members.Count(x => x.Carrying)} of {evidence.Members.Count} members to aggregate.",
                $"Check {m.Member}'s uplink (cable, modem, carrier, the peer). If it is gone for long, set it to disabled so the link and its alarms stop counting it.");
        }
    }

    private static IEnumerable<Finding> Lossy(LinkEvidence evidence, KindDoctor doctor, DoctorThresholds t)
    {
        var carrying = evidence.Members.Where(m => m.Carrying && m.LossPercent is not null).ToList();
        if (carrying.Count < 2)
        {
            yield break;
        }

        foreach (var m in carrying)
        {
            var best = carrying.Where(o => o != m).Min(o => o.LossPercent!.Value);
            var loss = m.LossPercent!.Value;
            if (loss >= t.LossyPercent && loss >= t.LossyRatio * Math.Max(best, 0.1))
            {
                yield return new Finding("lossy_member", FindingSeverity.Warning, m.Member, $"{m.Member} loses {Number(loss, "%")} of its packets",
                    $"loss {Number(loss, "%")} on {m.Member} against {Number(best, "%")} on the best other member, average {evidence.Window}",
                    "Every flow spread over the link sees this member's loss: TCP slows the whole flow down for each packet lost on one member, so one lossy member costs more than its own share.",
                    doctor.LossySuggestion(m.Member),
                    doctor.LossyEdit(m.Member));
            }
        }
    }
}
