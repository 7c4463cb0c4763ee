using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Bond;

/// <summary>The bonding driver's options.</summary>
public partial class BondSection
{
    private static IReadOnlyList<string> Modes { get; } = WireNames.All<BondMode>();

    private static IReadOnlyList<string> XmitHashPolicies { get; } = WireNames.All<BondXmitHashPolicy>();

    private static IReadOnlyList<string> LacpRates { get; } = WireNames.All<BondLacpRate>();
}
