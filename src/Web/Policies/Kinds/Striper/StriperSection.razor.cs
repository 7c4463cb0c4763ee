using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Striper;

/// <summary>The striper's options and its traffic classes.</summary>
public partial class StriperSection
{
    private static IReadOnlyList<string> Schedulers { get; } = WireNames.All<StripeSchedulerKind>();

    private static IReadOnlyList<string> Ciphers { get; } = WireNames.All<StriperCipher>();

    /// <summary>The traffic classes of the spec in force, for the class table (issue 13).</summary>
    private IReadOnlyList<TrafficClassSpec> CurrentClasses => Current.Striper?.Classes ?? [];
}
