using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Striper;

/// <summary>A striper path's tier, weight and UDP endpoints.</summary>
public partial class StriperMemberColumns
{
    private static IReadOnlyList<string> Tiers { get; } = WireNames.All<LinkTier>();

    private string TierPath => PolicyPaths.MemberField(Index, MemberFields.Tier);

    private IReadOnlyList<string> TierErrors => Page.Errors(TierPath);

    private string TierId => Page.Id(TierPath);

    private string? Share => Index < Members.Count ? WeightShares.Of(Members)[Index] : null;
}
