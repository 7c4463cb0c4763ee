using Fleet.Contracts.Links;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// A finding's suggested change in a form the policy editor can apply (docs/doctor.md, "From a finding to a change"):
/// the parts of the link's spec to set, applied to the spec in force when the operator opens it, then reviewed as a diff
/// and rolled out with commit-confirm like any other change. Members are named by interface; a member the spec no
/// longer has is left alone.
/// </summary>
public sealed record SpecSuggestion
{
    /// <summary>The striper scheduler to switch to; null keeps it.</summary>
    public StripeSchedulerKind? Scheduler { get; init; }

    /// <summary>Weights to set, by member; null sets none.</summary>
    public IReadOnlyDictionary<string, double>? Weights { get; init; }

    /// <summary>Rate hints (bit/s) to set, by member; null sets none.</summary>
    public IReadOnlyDictionary<string, long>? Rates { get; init; }

    /// <summary>Tiers to set, by member; null sets none.</summary>
    public IReadOnlyDictionary<string, LinkTier>? Tiers { get; init; }

    /// <summary><paramref name="spec"/> with the suggestion applied; the same spec when it changes nothing.</summary>
    public LinkSpec ApplyTo(LinkSpec spec)
    {
        var members = spec.Members.Select(m => m with
        {
            Weight = Weights?.TryGetValue(m.Interface, out var weight) == true ? weight : m.Weight,
            RateBitsPerSecond = Rates?.TryGetValue(m.Interface, out var rate) == true ? rate : m.RateBitsPerSecond,
            Tier = Tiers?.TryGetValue(m.Interface, out var tier) == true ? tier : m.Tier,
        }).ToList();
        var striper = Scheduler is { } scheduler && spec.Striper is { } options ? options with { Scheduler = scheduler } : spec.Striper;
        return spec with { Members = members, Striper = striper };
    }
}
