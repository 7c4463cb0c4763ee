using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>
/// Each striper member's share of the traffic its weight asks for, as the editor shows it next to the weight: the
/// weight over the sum of the weights of the members that carry traffic together (active, tier primary or none). A
/// member outside them has no share; an empty weight counts as 1, as the striper takes it.
/// </summary>
public static class WeightShares
{
    /// <summary>The share of each member in <paramref name="members"/>, as text ("30 %"), or null where there is none.</summary>
    public static IReadOnlyList<string?> Of(IReadOnlyList<MemberForm> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var weights = members.Select(m => Carries(m) ? Weight(m) : null).ToList();
        var sum = weights.Sum(w => w ?? 0);
        return [.. weights.Select(w => w is { } weight && sum > 0 ? Units.Percent(Math.Round(weight / sum * 100, 1)) : null)];
    }

    private static bool Carries(MemberForm member) =>
        member.AdminState == WireNames.Of(MemberAdminState.Active)
        && (string.IsNullOrEmpty(member.Tier) || member.Tier == WireNames.Of(LinkTier.Primary));

    private static double? Weight(MemberForm member)
    {
        if (string.IsNullOrWhiteSpace(member.Weight))
        {
            return 1;
        }

        // A weight that does not parse has its error next to the field; it has no share to show.
        return double.TryParse(member.Weight, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) && weight > 0 && double.IsFinite(weight)
            ? weight
            : null;
    }
}
