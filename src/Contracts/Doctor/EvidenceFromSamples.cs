using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// Turns a link's spec and its members' samples over a window into the doctor's input. One implementation for every
/// door: the Api feeds it stored samples, <c>fleet-agent doctor</c> the samples it measured on the host.
/// </summary>
public static class EvidenceFromSamples
{
    /// <summary>
    /// The evidence of link <paramref name="linkId"/> (spec <paramref name="spec"/>) from <paramref name="samples"/> taken
    /// in [<paramref name="from"/>, <paramref name="to"/>); samples of other links or of members the spec does not name
    /// are ignored.
    /// </summary>
    public static LinkEvidence Link(Guid linkId, LinkSpec spec, IEnumerable<MemberSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var named = spec.Members.Select(m => m.Interface).ToHashSet(StringComparer.Ordinal);
        var ours = samples.Where(s => s.LinkId == linkId && named.Contains(s.Member)).ToList();
        var byMember = ours.ToLookup(s => s.Member, StringComparer.Ordinal);
        return new LinkEvidence
        {
            LinkId = linkId,
            Spec = spec,
            From = from,
            To = to,
            Members = [.. spec.Members.Select(m => Member(m, [.. byMember[m.Interface]]))],
            PeakTransmitBitsPerSecond = PeakTransmit(ours),
        };
    }

    /// <summary>
    /// <paramref name="evidence"/> with what a bond's driver reported (<see cref="LinkEvidence.Bond"/>); a member's link
    /// speed becomes its interface speed where nothing else set one. Unchanged when <paramref name="bond"/> is null.
    /// </summary>
    public static LinkEvidence WithBond(LinkEvidence evidence, ObservedBond? bond)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return bond is null ? evidence : evidence with
        {
            Bond = bond,
            Members = [.. evidence.Members.Select(m => m.InterfaceSpeedBitsPerSecond is null && bond.Members.FirstOrDefault(b => b.Member == m.Member)?.SpeedMbps is > 0 and var mbps
                ? m with { InterfaceSpeedBitsPerSecond = mbps * 1e6 }
                : m)],
        };
    }

    /// <summary>
    /// The members' transmit together in the busiest interval: an agent samples every member of a link at the same
    /// instant, so the samples of one interval share their time.
    /// </summary>
    private static double PeakTransmit(IEnumerable<MemberSample> samples) => samples
        .GroupBy(s => s.Time)
        .Select(interval => interval.Max(s => s.IntervalMs) is var ms and > 0 ? interval.Sum(s => (double)s.TxBytes) * 8 * 1000 / ms : 0)
        .DefaultIfEmpty(0)
        .Max();

    /// <summary>What <paramref name="samples"/> say of <paramref name="member"/>.</summary>
    public static MemberEvidence Member(MemberSpec member, IReadOnlyList<MemberSample> samples)
    {
        ArgumentNullException.ThrowIfNull(member);
        var seconds = samples.Sum(s => (double)s.IntervalMs) / 1000;
        var rtts = samples.Where(s => s.RttMs is not null).Select(s => s.RttMs!.Value).Order().ToList();
        var offered = samples.Sum(s => s.TxPackets + s.TxDrops);
        return new MemberEvidence
        {
            Member = member.Interface,
            AdminState = member.AdminState,
            Tier = member.Tier,
            Weight = member.Weight,
            RateBitsPerSecond = member.RateBitsPerSecond,
            Samples = samples.Count,
            DownShare = samples.Count == 0 ? 0 : (double)samples.Count(s => s.Health == MemberHealth.Down) / samples.Count,
            BitsPerSecond = seconds <= 0 ? 0 : samples.Sum(s => (double)(s.TxBytes + s.RxBytes)) * 8 / seconds,
            PeakTransmitBitsPerSecond = PeakTransmit(samples),
            RttMs = rtts.Count == 0 ? null : rtts[rtts.Count / 2],
            LossPercent = Average(samples, s => s.LossPercent),
            ReorderDepthMax = samples.Count == 0 ? 0 : samples.Max(s => s.ReorderDepthMax),
            LargeProbeLossPercent = Average(samples, s => s.LargeProbeLossPercent),
            SmallProbeLossPercent = Average(samples, s => s.SmallProbeLossPercent),
            CpuPercent = Average(samples, s => s.CpuPercent),
            TxDropPercent = offered <= 0 ? null : samples.Sum(s => (double)s.TxDrops) * 100 / offered,
        };
    }

    private static double? Average(IReadOnlyList<MemberSample> samples, Func<MemberSample, double?> measure)
    {
        var values = samples.Select(measure).Where(v => v is not null).Select(v => v!.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }
}
