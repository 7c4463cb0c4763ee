using System.Text.Json.Serialization;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>How much a finding limits the link (docs/doctor.md).</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; not a fault (a mode that does not aggregate by design, no demand).</summary>
    Info,

    /// <summary>The link works but delivers less than its members could.</summary>
    Warning,

    /// <summary>A member or the link carries nothing it should.</summary>
    Critical,
}

/// <summary>The doctor's one-word answer for a link.</summary>
public enum DoctorVerdict
{
    /// <summary>Members up, nothing found that limits aggregation.</summary>
    Healthy,

    /// <summary>Nothing wrong found, but too little traffic to judge aggregation: not a fault.</summary>
    NoDemand,

    /// <summary>At least one warning: the link delivers less than it could.</summary>
    Limited,

    /// <summary>At least one critical finding.</summary>
    Impaired,

    /// <summary>No samples in the window: nothing to judge.</summary>
    NoData,
}

/// <summary>One thing the doctor found: what was observed, why it limits the link, and what to change.</summary>
/// <param name="Code">Stable identifier (<c>member_down</c>, <c>delay_spread</c>; docs/doctor.md lists them).</param>
/// <param name="Severity">How much it limits the link.</param>
/// <param name="Member">
/// The member it is about, if one. Written as <c>null</c> when none (not left out like other nulls): Fleet's JSON options
/// require every constructor parameter when reading, so a finding without it would not read back.
/// </param>
/// <param name="Title">One line for a list.</param>
/// <param name="Observed">The numbers, with the window they come from.</param>
/// <param name="Why">Why that limits aggregation.</param>
/// <param name="Suggestion">A concrete change.</param>
/// <param name="Edit">
/// The change in a form the policy editor opens for review (capacity mismatch, scheduler, delay spread, a lossy or
/// shaped striper path); null when the change is not one of the spec (an uplink to fix, a host setting). Written as
/// <c>null</c> when none.
/// </param>
public sealed record Finding(
    string Code,
    FindingSeverity Severity,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Member,
    string Title,
    string Observed,
    string Why,
    string Suggestion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] SpecSuggestion? Edit = null);

/// <summary>The doctor's answer for one link over one window: a verdict and the findings, most severe first.</summary>
public sealed record Diagnosis
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The one-word answer.</summary>
    public required DoctorVerdict Verdict { get; init; }

    /// <summary>One line: the top finding's title, or why the link is healthy.</summary>
    public required string Summary { get; init; }

    /// <summary>The window the evidence comes from.</summary>
    public required DateTimeOffset From { get; init; }

    /// <inheritdoc cref="From"/>
    public required DateTimeOffset To { get; init; }

    /// <summary>Most severe first; within a severity in the order the rules run (docs/doctor.md).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>What the rules saw per member (so a reader can check a finding's numbers).</summary>
    public required IReadOnlyList<MemberEvidence> Members { get; init; }

    /// <summary>
    /// Delivered under demand against the measured capacity (<see cref="AggregationRatio.Of(LinkEvidence, DoctorThresholds?)"/>);
    /// null without a speed test of every carrying member, or without demand.
    /// </summary>
    public AggregationRatio? Aggregation { get; init; }

    /// <summary>A kernel bond: what its driver reported (<see cref="LinkEvidence.Bond"/>), the numbers of its bond findings; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ObservedBond? Bond { get; init; }
}

/// <summary>What the samples of one member say over the window, with what the spec says of it.</summary>
public sealed record MemberEvidence
{
    /// <summary>The member's interface.</summary>
    public required string Member { get; init; }

    /// <summary>From the spec.</summary>
    public MemberAdminState AdminState { get; init; } = MemberAdminState.Active;

    /// <summary>From the spec (striper members); null for kinds without tiers.</summary>
    public LinkTier? Tier { get; init; }

    /// <summary>From the spec.</summary>
    public double? Weight { get; init; }

    /// <summary>From the spec.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Samples in the window.</summary>
    public int Samples { get; init; }

    /// <summary>Share of those samples (0..1) in which the member was Down.</summary>
    public double DownShare { get; init; }

    /// <summary>Average throughput, both directions together, bit/s.</summary>
    public double BitsPerSecond { get; init; }

    /// <summary>
    /// What the member sent in its busiest sample interval, bit/s: the ceiling seen under the load the link carried.
    /// For the kinds a speed test cannot measure (MPTCP, bonds, teql) it is the only measure of what a member can carry,
    /// and a lower bound unless the link was loaded beyond it.
    /// </summary>
    public double PeakTransmitBitsPerSecond { get; init; }

    /// <summary>Median round-trip time in ms, null when the member reports none.</summary>
    public double? RttMs { get; init; }

    /// <summary>Average loss in percent, null when the member reports none.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Largest resequencing depth seen (packets).</summary>
    public int ReorderDepthMax { get; init; }

    /// <summary>What a path speed test measured the member to carry (bit/s, <see cref="PathSpeedResult.CapacityBitsPerSecond"/>); null without one.</summary>
    public double? MeasuredCapacityBitsPerSecond { get; init; }

    /// <summary>The interface's link speed (bit/s) as the host reports it; null when unknown (virtual interfaces, no test).</summary>
    public double? InterfaceSpeedBitsPerSecond { get; init; }

    /// <summary>
    /// Average share of the member's full-size DF probes lost (percent; striper: docs/striper-protocol.md, "MTU probes"),
    /// null when the member reports none.
    /// </summary>
    public double? LargeProbeLossPercent { get; init; }

    /// <summary>Average share of the small probes sent beside the full-size ones lost (percent), null when the member reports none.</summary>
    public double? SmallProbeLossPercent { get; init; }

    /// <summary>
    /// Average CPU time of the link's busiest data-path thread, percent of one core, null when not measured (striper:
    /// the same value on every member, as the threads serve the whole link).
    /// </summary>
    public double? CpuPercent { get; init; }

    /// <summary>Packets dropped on send as a percentage of those offered (sent and dropped), null when none were offered.</summary>
    public double? TxDropPercent { get; init; }

    /// <summary>Active, not tier backup or never, and up most of the window: expected to carry its share.</summary>
    [JsonIgnore]
    public bool Carrying => AdminState == MemberAdminState.Active && Tier is null or LinkTier.Primary && Samples > 0 && DownShare < 0.5;
}

/// <summary>The input of the rules: a link's spec and its members' evidence over a window.</summary>
public sealed record LinkEvidence
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The spec the rules judge (the desired one).</summary>
    public required LinkSpec Spec { get; init; }

    /// <summary>The window.</summary>
    public required DateTimeOffset From { get; init; }

    /// <inheritdoc cref="From"/>
    public required DateTimeOffset To { get; init; }

    /// <summary>One per member of the spec, in its order.</summary>
    public required IReadOnlyList<MemberEvidence> Members { get; init; }

    /// <summary>
    /// A kernel bond: what its driver reported last (link monitor, member speeds, 802.3ad aggregation), from the link's
    /// observed state rather than the samples, as it changes rarely; null for other kinds or when not reported.
    /// </summary>
    public ObservedBond? Bond { get; init; }

    /// <summary>The link's throughput: its members' together, bit/s.</summary>
    public double BitsPerSecond => Members.Sum(m => m.BitsPerSecond);

    /// <summary>
    /// The busiest sample interval of the window: what the members sent together in it, bit/s (0 when the evidence was
    /// not built from samples). The delivered side of <see cref="AggregationRatio"/>.
    /// </summary>
    public double PeakTransmitBitsPerSecond { get; init; }

    /// <summary>
    /// The window in words for a finding's observation: "over the last 15 min"; in seconds below a minute ("over the
    /// last 5 s"), the short live measurement of <c>fleet-agent doctor</c>.
    /// </summary>
    public string Window => (To - From) < TimeSpan.FromSeconds(59.5)
        ? $"over the last {Math.Max(1, (int)Math.Round((To - From).TotalSeconds))} s"
        : $"over the last {Math.Max(1, (int)Math.Round((To - From).TotalMinutes))} min";
}
