using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Classes;

/// <summary>
/// The tiers and traffic classes a striper link's spec carries (<c>members[i].tier</c>, <c>striper.classes</c>;
/// docs/striper-protocol.md, "Tiers" and "Traffic classes"), taken together: what the engine compares to decide whether
/// its class state must be rebuilt. Built from the spec with <see cref="Of(LinkSpec)"/>; validated with the spec by
/// <see cref="Fleet.Contracts.Links.Validation.LinkSpecValidator"/>.
/// </summary>
public sealed record StriperPolicy
{
    /// <summary>A policy without tiers or classes: every member by its admin state, all traffic by the link's scheduler.</summary>
    public static StriperPolicy None { get; } = new();

    /// <summary>Tier of each member, by the member's position in the spec; null means the tier its admin state implies.</summary>
    public IReadOnlyList<LinkTier?> Tiers { get; init; } = [];

    /// <summary>Traffic classes in order: a packet belongs to the first class that matches it, else to the default class.</summary>
    public IReadOnlyList<TrafficClassSpec> Classes { get; init; } = [];

    /// <summary>The policy <paramref name="spec"/> carries.</summary>
    public static StriperPolicy Of(LinkSpec spec) => new()
    {
        Tiers = spec.Members.Select(m => m.Tier).ToArray(),
        Classes = spec.Striper?.Classes ?? [],
    };

    /// <summary>
    /// Whether two policies say the same (their lists compared by content, which record equality does not do): an
    /// update with an equal policy keeps the classes' state (pins, open FEC blocks).
    /// </summary>
    public static bool Same(StriperPolicy a, StriperPolicy b) =>
        ReferenceEquals(a, b) || JsonSerializer.Serialize(a, FleetJson.Options) == JsonSerializer.Serialize(b, FleetJson.Options);

    /// <summary>The tier member <paramref name="index"/> has under this policy.</summary>
    public LinkTier TierOf(int index, MemberSpec member) =>
        index < Tiers.Count && Tiers[index] is { } tier ? tier : LinkTiers.Implied(member.AdminState);
}
