namespace Fleet.Contracts.Doctor;

/// <summary>
/// What the doctor knows of one link kind beyond the rules every kind shares (docs/doctor.md). A kind without one
/// (<see cref="None"/>) gets the shared rules only.
/// </summary>
public class KindDoctor
{
    /// <summary>The doctor of a kind with no rules of its own.</summary>
    public static readonly KindDoctor None = new();

    /// <summary>The kind's own findings for <paramref name="evidence"/>.</summary>
    public virtual IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds thresholds) => [];

    /// <summary>What to change when <paramref name="member"/> loses far more than the others.</summary>
    public virtual string LossySuggestion(string member) => $"Take {member} out of the link's traffic until its loss is fixed.";

    /// <summary><see cref="LossySuggestion"/> as a spec change the policy editor can open; null when the kind has none.</summary>
    public virtual SpecSuggestion? LossyEdit(string member) => null;

    /// <summary>The carrying members with an RTT, slowest and fastest, when there are two or more.</summary>
    protected internal static (MemberEvidence Slow, MemberEvidence Fast)? RttExtremes(LinkEvidence evidence)
    {
        var timed = evidence.Members.Where(m => m.Carrying && m.RttMs is not null).OrderBy(m => m.RttMs).ToList();
        return timed.Count < 2 ? null : (timed[^1], timed[0]);
    }

    /// <summary>
    /// The member carrying more than <see cref="DoctorThresholds.ConcentrationShare"/> of the link's bytes while
    /// another carrying member is up and the link has demand; null otherwise.
    /// </summary>
    protected static (MemberEvidence Member, double Share)? Concentration(LinkEvidence evidence, DoctorThresholds thresholds)
    {
        var carrying = evidence.Members.Where(m => m.Carrying).ToList();
        var total = carrying.Sum(m => m.BitsPerSecond);
        if (carrying.Count < 2 || total < thresholds.IdleBitsPerSecond)
        {
            return null;
        }

        var top = carrying.MaxBy(m => m.BitsPerSecond)!;
        var share = top.BitsPerSecond / total;
        return share > thresholds.ConcentrationShare ? (top, share) : null;
    }

    /// <summary>A mode or scheduler that carries on one member at a time, or copies: information, not a fault.</summary>
    protected static Finding NoAggregationByDesign(string title, string observed, string why, string suggestion) =>
        new("no_aggregation_by_design", FindingSeverity.Info, null, title, observed, why, suggestion);

    /// <summary>Whether the largest of <paramref name="values"/> is more than <paramref name="ratio"/> times the smallest.</summary>
    protected internal static bool Unequal(IEnumerable<double> values, double ratio)
    {
        var list = values.ToList();
        return list.Count >= 2 && list.Min() > 0 && list.Max() / list.Min() > ratio;
    }
}
